"""CALLR webhook deliveries: the signed JSON POST, retries, forced duplicates and bad signatures."""

import asyncio
import base64
from collections.abc import Callable
from dataclasses import replace
import hashlib
import hmac
import json

import aiohttp

from .model import CallrDelivery, WebhookEvent
from .sms import iso_ms
from .state import CallrState

EVENT_ID_HEADER = "X-CALLR-EventId"
SIGNATURE_HEADER = "X-CALLR-HmacSignature"
_WRONG_KEY_SUFFIX = "-not-the-secret"


def sign(secret: str, body: bytes) -> str:
    """Return ``X-CALLR-HmacSignature``: base64 of HMAC-SHA256 over the raw body."""
    digest = hmac.new(secret.encode(), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def verify(secret: str, body: bytes, signature: str) -> bool:
    """Tell whether a signature matches the raw body (constant-time comparison)."""
    return hmac.compare_digest(sign(secret, body), signature)


def delivery_body(event: WebhookEvent, try_number: int = 0) -> bytes:
    """Return the raw JSON body of one attempt, compact and in the fixtures' member order."""
    envelope = {
        "event_id": event.event_id,
        "event_at": iso_ms(event.event_at),
        "hook_hash": event.hook_hash,
        "type": event.event_type,
        "try": try_number,
        "data": event.data,
    }
    return json.dumps(envelope, separators=(",", ":")).encode()


def build_delivery(
    event: WebhookEvent, try_number: int = 0, *, bad_signature: bool = False
) -> tuple[dict[str, str], bytes]:
    """Return the headers and raw body of one delivery attempt of an event.

    The signature header is present when the webhook has a secret, or when
    ``bad_signature`` asks for a signature made with a wrong key.
    """
    body = delivery_body(event, try_number)
    headers = {"Content-Type": "application/json", EVENT_ID_HEADER: event.event_id}
    if bad_signature:
        headers[SIGNATURE_HEADER] = sign((event.hmac_secret or "") + _WRONG_KEY_SUFFIX, body)
    elif event.hmac_secret is not None:
        headers[SIGNATURE_HEADER] = sign(event.hmac_secret, body)
    return headers, body


def _not_listening() -> None:
    """Stand in for the stop function before :meth:`CallrWebhookPusher.start`."""


class CallrWebhookPusher:
    """Posts every webhook event of a state in a background task, retrying failures."""

    def __init__(self, state: CallrState) -> None:
        """Bind to a state; call :meth:`start` to begin delivering."""
        self._state = state
        self._session: aiohttp.ClientSession | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._stop_listening: Callable[[], None] = _not_listening

    async def start(self) -> None:
        """Open the HTTP session and listen to the state's events."""
        session = aiohttp.ClientSession()
        self._session = session
        self._stop_listening = self._state.webhooks.listen(lambda event: self._push(session, event))

    async def close(self) -> None:
        """Stop listening, cancel deliveries in flight (and their retries), close the session."""
        self._stop_listening()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def drain(self) -> None:
        """Wait until every delivery started so far has finished, retries included."""
        while self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    def _push(self, session: aiohttp.ClientSession, event: WebhookEvent) -> None:
        task = asyncio.get_running_loop().create_task(self._deliver(session, event))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _deliver(self, session: aiohttp.ClientSession, event: WebhookEvent) -> None:
        """Try until a 2xx answer or ``max_tries`` attempts; then the forced duplicate, if any."""
        hub = self._state.webhooks
        duplicate = hub.take_duplicate()
        for try_number in range(hub.policy.max_tries):
            if try_number > 0:
                await asyncio.sleep(hub.policy.delay(try_number - 1))
            bad_signature = hub.take_bad_signature()
            headers, body = build_delivery(event, try_number, bad_signature=bad_signature)
            status, error = await self._post(session, event.url, headers, body)
            delivery = CallrDelivery(
                event.event_id,
                event.event_type,
                event.url,
                event.hook_hash,
                try_number,
                status,
                error,
                bad_signature=bad_signature,
            )
            hub.deliveries.append(delivery)
            if delivery.ok:
                if duplicate:
                    status, error = await self._post(session, event.url, headers, body)
                    hub.deliveries.append(
                        replace(delivery, status=status, error=error, duplicate=True)
                    )
                return

    async def _post(
        self, session: aiohttp.ClientSession, url: str, headers: dict[str, str], body: bytes
    ) -> tuple[int | None, str | None]:
        """POST once: the HTTP status, or ``None`` and the error."""
        timeout = aiohttp.ClientTimeout(total=self._state.webhooks.policy.timeout)
        try:
            async with session.post(url, data=body, headers=headers, timeout=timeout) as response:
                await response.read()
        except (aiohttp.ClientError, TimeoutError) as err:
            return None, repr(err)
        return response.status, None
