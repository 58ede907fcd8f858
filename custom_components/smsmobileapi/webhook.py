"""The entry's webhook: SMSMobileAPI pushes received SMS (legacy) and Webhook V2 events here."""

from __future__ import annotations

import asyncio
from http import HTTPStatus

from aiohttp import ClientPayloadError, web
from aiohttp.hdrs import METH_POST
from homeassistant.components import webhook
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import CONF_WEBHOOK_ID
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.network import NoURLAvailableError
from homeassistant.util import dt as dt_util

from .api import WebhookPayloadError, WebhookSignatureError
from .const import (
    CONF_CLOUDHOOK_URL,
    CONF_WEBHOOK_SECRET,
    DOMAIN,
    LOGGER,
    WEBHOOK_MAX_BODY,
    WEBHOOK_READ_TIMEOUT,
)
from .coordinator import SmsMobileApiConfigEntry
from .providers import sign_in_of
from .repairs import async_set_no_webhook_no_polling


def webhook_url(hass: HomeAssistant, webhook_id: str, cloudhook: str | None = None) -> str:
    """The URL to paste in the dashboard: the cloudhook, the external URL, or the path."""
    if cloudhook:
        return cloudhook
    try:
        return webhook.async_generate_url(hass, webhook_id, prefer_external=True)
    except NoURLAvailableError:
        return webhook.async_generate_path(webhook_id)


async def async_setup_cloudhook(hass: HomeAssistant, entry: SmsMobileApiConfigEntry) -> None:
    """With an active Home Assistant Cloud subscription, reach the webhook through a cloudhook."""
    if CONF_CLOUDHOOK_URL in entry.data or "cloud" not in hass.config.components:
        return
    # Imported only when Home Assistant Cloud is set up: it is heavy and optional.
    from homeassistant.components import cloud  # noqa: PLC0415

    if not cloud.async_active_subscription(hass):
        return
    url = await cloud.async_create_cloudhook(hass, entry.data[CONF_WEBHOOK_ID])
    hass.config_entries.async_update_entry(entry, data={**entry.data, CONF_CLOUDHOOK_URL: url})


async def async_remove_cloudhook(hass: HomeAssistant, entry: SmsMobileApiConfigEntry) -> None:
    """Delete the entry's cloudhook, if it has one."""
    if CONF_CLOUDHOOK_URL in entry.data and "cloud" in hass.config.components:
        from homeassistant.components import cloud  # noqa: PLC0415

        await cloud.async_delete_cloudhook(hass, entry.data[CONF_WEBHOOK_ID])


def _webhook_name(entry: SmsMobileApiConfigEntry) -> str:
    """The name in Home Assistant's list of webhooks: the account, with its service."""
    service = sign_in_of(entry.data).title
    return entry.title if service in entry.title else f"{service} {entry.title}"


@callback
def async_register_webhook(hass: HomeAssistant, entry: SmsMobileApiConfigEntry) -> None:
    """Listen on the entry's webhook until the entry unloads."""
    webhook_id: str = entry.data[CONF_WEBHOOK_ID]

    async def _handle(hass: HomeAssistant, webhook_id: str, request: web.Request) -> web.Response:
        try:
            return await _async_handle(hass, entry, request)
        except Exception:  # noqa: BLE001 - a bad request must never break the handler
            LOGGER.exception("Unexpected error while handling a webhook request")
            return web.Response(status=HTTPStatus.INTERNAL_SERVER_ERROR)

    webhook.async_register(
        hass,
        DOMAIN,
        _webhook_name(entry),
        webhook_id,
        _handle,
        local_only=False,
        allowed_methods=[METH_POST],
    )
    entry.async_on_unload(lambda: webhook.async_unregister(hass, webhook_id))


async def _async_handle(
    hass: HomeAssistant, entry: SmsMobileApiConfigEntry, request: web.Request
) -> web.Response:
    try:
        async with asyncio.timeout(WEBHOOK_READ_TIMEOUT):
            body = await _read_limited(request, WEBHOOK_MAX_BODY)
    except TimeoutError:
        return web.Response(status=HTTPStatus.REQUEST_TIMEOUT)
    except (ClientPayloadError, ConnectionError):
        # The sender broke off (or sent a malformed chunked body): nothing to act on.
        return web.Response(status=HTTPStatus.BAD_REQUEST)
    if body is None:
        return web.Response(status=HTTPStatus.REQUEST_ENTITY_TOO_LARGE)
    if entry.state is not ConfigEntryState.LOADED:
        # Unloading (or reloading): the service retries later, when the entry listens again.
        return web.Response(status=HTTPStatus.SERVICE_UNAVAILABLE)
    runtime = entry.runtime_data
    secret: str | None = entry.options.get(CONF_WEBHOOK_SECRET) or None
    try:
        delivery = runtime.client.read_webhook(
            dict(request.headers), body, secret=secret, now=dt_util.utcnow()
        )
    except WebhookSignatureError as err:
        LOGGER.debug("Webhook request refused: %s", err)
        return web.Response(status=HTTPStatus.UNAUTHORIZED)
    except WebhookPayloadError as err:
        LOGGER.debug("Webhook request not understood: %s", err)
        return web.Response(status=HTTPStatus.BAD_REQUEST)
    if not runtime.inbox.webhook_seen:
        async_set_no_webhook_no_polling(hass, entry.entry_id, entry.title, active=False)
    if not runtime.push.async_receive(delivery) and runtime.inbox.closed:
        return web.Response(status=HTTPStatus.SERVICE_UNAVAILABLE)
    event_id = delivery.event.event_id
    return web.Response(status=HTTPStatus.ACCEPTED if event_id is not None else HTTPStatus.OK)


async def _read_limited(request: web.Request, limit: int) -> bytes | None:
    """The request body, or None when it is larger than ``limit`` bytes."""
    if request.content_length is not None and request.content_length > limit:
        return None
    chunks: list[bytes] = []
    size = 0
    while chunk := await request.content.read(limit + 1 - size):
        chunks.append(chunk)
        size += len(chunk)
        if size > limit:
            return None
    return b"".join(chunks)
