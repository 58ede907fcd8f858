"""Actions on messages: send, resend, mark as read, set an alias, delete."""

from __future__ import annotations

import asyncio
from datetime import date, datetime

from homeassistant.core import ServiceCall, ServiceResponse
from homeassistant.util import dt as dt_util
from homeassistant.util.json import JsonObjectType, JsonValueType

from ..api import Capability, Channel, SmsGatewayError, feature
from ..const import MAX_PARALLEL_REQUESTS
from ..devices import async_resolve_phone
from ..errors import (
    action_error,
    async_call_gateway,
    gateway_error,
    is_account_wide,
    validation_error,
)
from ..sending import (
    Outcome,
    OutgoingMessage,
    async_check_outgoing,
    async_send_message,
    default_channel,
    default_sender,
    default_sim,
    failure,
    normalize_recipients,
)
from .common import async_entry_of_call, require
from .schemas import (
    ATTR_ALIAS,
    ATTR_CHANNEL,
    ATTR_DATE_END,
    ATTR_DATE_START,
    ATTR_ENCRYPT,
    ATTR_GUID,
    ATTR_MEDIA_URL,
    ATTR_MESSAGE,
    ATTR_PHONE,
    ATTR_RECIPIENTS,
    ATTR_SCHEDULE,
    ATTR_SENDER,
    ATTR_SHORTEN_URLS,
    ATTR_SIM,
)

_NONE = "-"


async def async_send(call: ServiceCall) -> ServiceResponse:
    """Send one message to one or more numbers; the response lists what was queued."""
    hass = call.hass
    entry = async_entry_of_call(call)
    data = call.data
    schedule: datetime | None = data.get(ATTR_SCHEDULE)
    phone_id: str | None = None
    if ATTR_PHONE in data:
        # A provider without phones has no phone to look up: say what it cannot do instead.
        if Capability.PHONES not in entry.runtime_data.client.capabilities:
            raise validation_error("option_not_supported", option="phone", title=entry.title)
        phone_id = async_resolve_phone(hass, entry, data[ATTR_PHONE])
    outgoing = OutgoingMessage(
        text=data[ATTR_MESSAGE],
        channel=Channel(data[ATTR_CHANNEL]) if ATTR_CHANNEL in data else default_channel(entry),
        phone_id=phone_id,
        sim=data.get(ATTR_SIM) or default_sim(entry),
        schedule_at=dt_util.as_utc(schedule) if schedule is not None else None,
        shorten_urls=data[ATTR_SHORTEN_URLS],
        encrypt=data[ATTR_ENCRYPT],
        media_url=data.get(ATTR_MEDIA_URL),
        sender=(data[ATTR_SENDER] if ATTR_SENDER in data else default_sender(entry)) or None,
    )
    async_check_outgoing(entry, outgoing)
    recipients = normalize_recipients(hass, data[ATTR_RECIPIENTS])
    outcomes = await async_send_message(hass, entry, recipients, outgoing)
    error = failure(outcomes)
    # With a response asked for, a partial failure is reported in it (each recipient's status,
    # so a retry can send only the rest); with nothing sent at all, or no response, it raises.
    if error is not None and not (call.return_response and any(o.sent for o in outcomes)):
        raise error
    messages: list[JsonValueType] = [_outcome_json(outcome) for outcome in outcomes]
    return {"messages": messages}


def _outcome_json(outcome: Outcome) -> JsonObjectType:
    response: JsonObjectType = {
        "recipient": outcome.recipient,
        "guid": outcome.guid,
        "status": outcome.status,
    }
    if outcome.error is not None:
        response["error"] = outcome.error
    if outcome.parts is not None:
        response["parts"] = outcome.parts
    return response


async def async_resend(call: ServiceCall) -> None:
    """Send again a message that failed."""
    entry = async_entry_of_call(call)
    guid: str = call.data[ATTR_GUID]
    manager = require(entry, feature(entry.runtime_data.client, Capability.MANAGE_MESSAGES))
    await async_call_gateway(call.hass, entry, manager.resend(guid), "resend_failed", guid=guid)


async def async_mark_as_read(call: ServiceCall) -> None:
    """Mark received SMS as read on the service, a few at a time; say which failed."""
    hass = call.hass
    entry = async_entry_of_call(call)
    manager = require(entry, feature(entry.runtime_data.client, Capability.MANAGE_MESSAGES))
    guids: list[str] = list(dict.fromkeys(call.data[ATTR_GUID]))
    semaphore = asyncio.Semaphore(MAX_PARALLEL_REQUESTS)

    async def _mark(guid: str) -> SmsGatewayError | None:
        async with semaphore:
            try:
                await manager.mark_read(guid)
            except SmsGatewayError as err:
                return err
        entry.runtime_data.coordinator.mark_read(guid)
        return None

    errors = await asyncio.gather(*(_mark(guid) for guid in guids))
    failed = [(guid, error) for guid, error in zip(guids, errors, strict=True) if error]
    if not failed:
        return
    if account_wide := next((error for _, error in failed if is_account_wide(error)), None):
        raise gateway_error(hass, entry, account_wide, "mark_as_read_failed", {})
    raise action_error(
        "mark_as_read_failed",
        done=", ".join(guid for guid, error in zip(guids, errors, strict=True) if not error)
        or _NONE,
        failed="; ".join(f"{guid} ({error})" for guid, error in failed),
    )


async def async_set_alias(call: ServiceCall) -> None:
    """Name the sender of a received SMS (an empty alias clears it)."""
    entry = async_entry_of_call(call)
    guid: str = call.data[ATTR_GUID]
    alias: str = (call.data[ATTR_ALIAS] or "").strip()
    manager = require(entry, feature(entry.runtime_data.client, Capability.MANAGE_MESSAGES))
    await async_call_gateway(
        call.hass, entry, manager.set_alias(guid, alias), "set_alias_failed", guid=guid
    )


async def async_delete(call: ServiceCall) -> None:
    """Delete received SMS from the service's log: one, or those of a period."""
    entry = async_entry_of_call(call)
    guid: str | None = call.data.get(ATTR_GUID)
    start: date | None = call.data.get(ATTR_DATE_START)
    end: date | None = call.data.get(ATTR_DATE_END)
    manager = require(entry, feature(entry.runtime_data.client, Capability.MANAGE_MESSAGES))
    await async_call_gateway(
        call.hass,
        entry,
        manager.delete_received_sms(guid=guid, date_start=start, date_end=end),
        "delete_failed",
    )
    if guid is not None:
        entry.runtime_data.coordinator.mark_read(guid)
