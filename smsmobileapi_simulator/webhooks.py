"""Webhook pushes: the legacy "SMS received" POST and signed Webhook V2 events."""

import asyncio
from collections.abc import Callable, Mapping
from datetime import datetime
import hashlib
import hmac
import json
import uuid

import aiohttp

from . import timefmt
from .state import (
    SimCall,
    SimMessageEvent,
    SimReceivedSms,
    SimReceivedWhatsApp,
    SimulatorState,
    StateEvent,
    WebhookDelivery,
)

API_VERSION = "2026-09-22"
DELIVERY_TIMEOUT = aiohttp.ClientTimeout(total=10)


def sign_v2(secret: str, timestamp: int, body: bytes) -> str:
    """Return the ``X-SMSMobileAPI-Signature`` value: ``v1=`` + hex HMAC-SHA256.

    The signed bytes are ``"<timestamp>."`` followed by the raw body.
    """
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return "v1=" + digest.hexdigest()


def build_v2_request(
    event_type: str,
    data: Mapping[str, object],
    secret: str,
    now: datetime,
    *,
    occurred_at: datetime | None = None,
    event_id: str | None = None,
) -> tuple[dict[str, str], bytes]:
    """Build the headers and raw body of one Webhook V2 delivery.

    Args:
        event_type: for example ``sms.received`` or ``call.missed``.
        data: the event's ``data`` object.
        secret: the shared signing secret.
        now: delivery time: ``created_at`` and the signed timestamp.
        occurred_at: when the event happened (default ``now``).
        event_id: the event id (default a new uuid4); also the ``Idempotency-Key``.
    """
    event_id = event_id or str(uuid.uuid4())
    envelope = {
        "id": event_id,
        "type": event_type,
        "api_version": API_VERSION,
        "created_at": timefmt.iso_z(now),
        "occurred_at": timefmt.iso_z(occurred_at or now),
        "data": dict(data),
    }
    body = json.dumps(envelope, separators=(",", ":")).encode()
    timestamp = timefmt.unix(now)
    headers = {
        "Content-Type": "application/json",
        "X-SMSMobileAPI-Event": event_type,
        "X-SMSMobileAPI-Event-ID": event_id,
        "X-SMSMobileAPI-Timestamp": str(timestamp),
        "X-SMSMobileAPI-Signature": sign_v2(secret, timestamp, body),
        "Idempotency-Key": event_id,
    }
    return headers, body


def build_legacy_body(sms: SimReceivedSms) -> bytes:
    """Build the legacy "SMS received" payload (``date``/``hour``: when the server added it)."""
    payload = {
        "date": timefmt.day_text(sms.added_at),
        "hour": timefmt.time_text(sms.added_at),
        "time_received": timefmt.sql(sms.received_at),
        "message": sms.message,
        "number": sms.number,
        "guid": sms.guid,
    }
    return json.dumps(payload, separators=(",", ":")).encode()


def sms_event_data(sms: SimReceivedSms) -> dict[str, object]:
    """Return the ``data`` of an ``sms.received`` event."""
    return {
        "guid": sms.guid,
        "from": sms.number,
        "message": sms.message,
        "received_at": timefmt.iso_z(sms.received_at),
        "alias": sms.alias,
        "device_id": sms.sid,
    }


def call_event_data(call: SimCall) -> dict[str, object]:
    """Return the ``data`` of a ``call.missed``/``call.incoming``/``call.outgoing`` event."""
    return {
        "guid": call.guid,
        "number": call.number,
        "name": call.name,
        "duration_seconds": call.duration,
        "device_id": call.sid,
        "call_at": timefmt.sql(call.at),
    }


def whatsapp_event_data(received: SimReceivedWhatsApp) -> dict[str, object]:
    """Return the ``data`` of a ``whatsapp.received`` event (the vendor's example fields)."""
    return {
        "guid": received.guid,
        "data_id": received.data_id,
        "from": received.number,
        "contact_name": received.name,
        "message": received.message,
        "is_voice_message": received.voice,
        "received_at": timefmt.iso_z(received.received_at),
    }


def message_event_data(event: SimMessageEvent) -> dict[str, object]:
    """Return the ``data`` of a sent message's event.

    Invented: the vendor shows no example of these events' data. It names the message by
    ``guid`` (the id ``/sendsms/`` answered), as the received-message events do.
    """
    sent = event.sent
    return {
        "guid": sent.guid,
        "recipients": sent.recipients,
        "message": sent.message,
        "device_id": sent.sid,
        "at": timefmt.iso_z(event.at),
    }


def _not_subscribed() -> None:
    """Stand in for the unsubscribe function before :meth:`WebhookPusher.start`."""


class WebhookPusher:
    """Posts the configured webhook for every pushed SMS or call, in background tasks."""

    def __init__(self, state: SimulatorState) -> None:
        """Bind to a state; call :meth:`start` to begin pushing."""
        self._state = state
        self._session: aiohttp.ClientSession | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._unsubscribe: Callable[[], None] = _not_subscribed

    async def start(self) -> None:
        """Open the HTTP session and listen to the state."""
        session = aiohttp.ClientSession(timeout=DELIVERY_TIMEOUT)
        self._session = session
        self._unsubscribe = self._state.subscribe(lambda event: self._push(session, event))

    async def close(self) -> None:
        """Stop listening, cancel deliveries in flight and close the session."""
        self._unsubscribe()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def drain(self) -> None:
        """Wait until every delivery started so far has finished."""
        await asyncio.gather(*self._tasks, return_exceptions=True)

    def _push(self, session: aiohttp.ClientSession, event: StateEvent) -> None:
        request = self._build(event)
        if request is None:
            return
        task = asyncio.get_running_loop().create_task(self._deliver(session, *request))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _build(self, event: StateEvent) -> tuple[str, str, dict[str, str], bytes] | None:
        """Return (event type, url, headers, body) for the configured format, if any."""
        target = self._state.webhook
        if target is None:
            return None
        if isinstance(event, SimReceivedSms):
            event_type, data, occurred = "sms.received", sms_event_data(event), event.received_at
        elif isinstance(event, SimCall):
            event_type, data, occurred = f"call.{event.call_type}", call_event_data(event), event.at
        elif isinstance(event, SimReceivedWhatsApp):
            event_type, data = "whatsapp.received", whatsapp_event_data(event)
            occurred = event.received_at
        else:
            event_type, data, occurred = event.event_type, message_event_data(event), event.at
        if target.format == "legacy":
            if not isinstance(event, SimReceivedSms):
                return None
            headers = {"Content-Type": "application/json"}
            return event_type, target.url, headers, build_legacy_body(event)
        secret = target.secret or ""
        now = self._state.clock()
        event_id = self._state.new_guid().lower()  # seeded: reproducible like other ids
        headers, body = build_v2_request(
            event_type, data, secret, now, occurred_at=occurred, event_id=event_id
        )
        return event_type, target.url, headers, body

    async def _deliver(
        self,
        session: aiohttp.ClientSession,
        event_type: str,
        url: str,
        headers: dict[str, str],
        body: bytes,
    ) -> None:
        try:
            async with session.post(url, data=body, headers=headers) as response:
                await response.read()
                delivery = WebhookDelivery(event_type, url, response.status)
        except (aiohttp.ClientError, TimeoutError) as err:
            delivery = WebhookDelivery(event_type, url, None, repr(err))
        self._state.webhook_deliveries.append(delivery)
