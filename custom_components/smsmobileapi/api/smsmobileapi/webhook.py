"""Parse and verify what SMSMobileAPI pushes to a webhook (no Home Assistant imports).

Two formats arrive at the same URL:

* the legacy "SMS received" webhook: unsigned JSON ``{date, hour, time_received, message,
  number, guid}``;
* Webhook V2: an envelope ``{id, type, api_version, created_at, occurred_at, data}`` with the
  headers ``X-SMSMobileAPI-Event``, ``-Event-ID``, ``-Timestamp`` and ``-Signature: v1=<hex>``,
  where the signature is HMAC-SHA256 with the shared secret over ``b"<timestamp>." + raw_body``.

``parse_webhook`` turns any request into one typed event or raises ``WebhookPayloadError``;
``verify_signature`` raises ``WebhookSignatureError``. Neither ever raises anything else.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
import hashlib
import hmac
import json
from typing import Final

from ..events import (
    CallEvent,
    IgnoredEvent,
    MessageStatusEvent,
    SmsReceivedEvent,
    WebhookEvent,
    WhatsAppEvent,
)
from ..exceptions import SmsGatewayError, WebhookPayloadError, WebhookSignatureError
from ..models import Call, CallType
from ..parsing import as_object, optional_int, optional_str, parse_time, required_str
from .parsing import parse_received_sms

HEADER_EVENT: Final = "X-SMSMobileAPI-Event"
HEADER_EVENT_ID: Final = "X-SMSMobileAPI-Event-ID"
HEADER_TIMESTAMP: Final = "X-SMSMobileAPI-Timestamp"
HEADER_SIGNATURE: Final = "X-SMSMobileAPI-Signature"
SIGNATURE_TOLERANCE: Final = 300

_STATUS_TYPES: Final = {
    "sms.sent": ("sent", "sms"),
    "sms.failed": ("failed", "sms"),
    "whatsapp.sent": ("sent", "whatsapp"),
    "whatsapp.failed": ("failed", "whatsapp"),
}
# Events that carry a status only when they name a message: the API accepted a submission
# (queued, not yet on its way), or the phone sent an SMS (it may be one sent by hand, without
# an id of ours). The vendor shows no example of their data; without a guid they are ignored.
_OPTIONAL_STATUS_TYPES: Final = {
    "sms.api.submitted": ("queued", "sms"),
    "whatsapp.submitted": ("queued", "whatsapp"),
    "sms.mobile.sent": ("sent", "sms"),
}
_CALL_TYPES: Final = {
    "call.missed": CallType.MISSED,
    "call.incoming": CallType.INCOMING,
    "call.outgoing": CallType.OUTGOING,
}


def _header(headers: Mapping[str, str], name: str) -> str | None:
    lowered = name.lower()
    for key, value in headers.items():
        if key.lower() == lowered:
            return value
    return None


def is_signed(headers: Mapping[str, str]) -> bool:
    """Whether the request carries a V2 signature."""
    return _header(headers, HEADER_SIGNATURE) is not None


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """Return the ``v1=<hex>`` signature of a body, as the service computes it."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"v1={digest.hexdigest()}"


def verify_signature(
    secret: str, headers: Mapping[str, str], body: bytes, *, now: datetime
) -> None:
    """Raise ``WebhookSignatureError`` unless the body is signed with ``secret``, recently."""
    timestamp = optional_int(_header(headers, HEADER_TIMESTAMP))
    signature = _header(headers, HEADER_SIGNATURE)
    if timestamp is None or signature is None:
        raise WebhookSignatureError("missing signature headers")
    if abs(now.timestamp() - timestamp) > SIGNATURE_TOLERANCE:
        raise WebhookSignatureError("stale or future timestamp")
    expected = sign(secret, timestamp, body).encode()
    # Several signatures may be listed (secret rotation): any one valid is enough. Compared as
    # bytes: compare_digest raises TypeError on a str that is not ASCII (any header value may
    # come, lone surrogates included).
    candidates = [part.strip().encode("utf-8", "surrogatepass") for part in signature.split(",")]
    if not any(hmac.compare_digest(expected, candidate) for candidate in candidates):
        raise WebhookSignatureError("signature mismatch")


def parse_webhook(headers: Mapping[str, str], body: bytes, *, signed: bool = False) -> WebhookEvent:
    """Turn a webhook request into one event, or raise ``WebhookPayloadError``.

    ``signed``: the body's signature was verified. A V2 event then needs its own ``id``: the
    ``Event-ID`` header is not signed, so a dedupe key taken from it could be anything.
    Unsigned, the header stands in for a missing ``id`` (neither is trusted anyway).
    """
    try:
        payload = json.loads(body)
    except (ValueError, RecursionError) as err:
        raise WebhookPayloadError("body is not JSON") from err
    if not isinstance(payload, Mapping):
        raise WebhookPayloadError("body is not a JSON object")
    try:
        if "type" in payload and "data" in payload:
            header_id = None if signed else optional_str(_header(headers, HEADER_EVENT_ID))
            return _parse_v2(payload, header_id)
        return SmsReceivedEvent(event_id=None, sms=parse_received_sms(payload))
    except WebhookPayloadError:
        raise
    except SmsGatewayError as err:
        raise WebhookPayloadError(str(err)) from err


def _parse_v2(payload: Mapping[str, object], header_id: str | None) -> WebhookEvent:
    event_type = required_str(payload, "type", where="webhook")
    event_id = optional_str(payload.get("id")) or header_id
    if event_id is None:
        raise WebhookPayloadError("missing field 'id' in webhook")
    data = as_object(payload.get("data"), "data")
    occurred = parse_time(payload.get("occurred_at"))
    if event_type == "sms.received":
        sms_data = dict(data)
        if not any(k in sms_data for k in ("received_at", "timestamp_unix", "time_received")):
            sms_data["received_at"] = payload.get("occurred_at")
        return SmsReceivedEvent(event_id=event_id, sms=parse_received_sms(sms_data))
    if (call_type := _CALL_TYPES.get(event_type)) is not None:
        return _parse_call(event_id, call_type, data, occurred)
    if event_type in ("whatsapp.received", "whatsapp.voice.transcribed"):
        return _parse_whatsapp(event_id, event_type, data, occurred)
    if (status := _STATUS_TYPES.get(event_type)) is not None:
        return MessageStatusEvent(
            event_id=event_id,
            guid=required_str(data, "guid", "id", where="data"),
            status=status[0],
            channel=status[1],
        )
    status = _OPTIONAL_STATUS_TYPES.get(event_type)
    guid = optional_str(data.get("guid")) or optional_str(data.get("id"))
    if status is not None and guid is not None:
        return MessageStatusEvent(event_id=event_id, guid=guid, status=status[0], channel=status[1])
    return IgnoredEvent(event_id=event_id, event_type=event_type)


def _parse_call(
    event_id: str, call_type: CallType, data: Mapping[str, object], occurred: datetime | None
) -> CallEvent:
    call_at = parse_time(data.get("call_at")) or occurred
    if call_at is None:
        raise WebhookPayloadError("missing field 'call_at' in data")
    return CallEvent(
        event_id=event_id,
        call=Call(
            call_type=call_type,
            number=required_str(data, "number", "phone_number", where="data"),
            call_at=call_at,
            name=optional_str(data.get("name")),
            duration=optional_int(data.get("duration_seconds", data.get("duration"))),
        ),
        phone_id=optional_str(data.get("device_id")),
    )


def _parse_whatsapp(
    event_id: str, event_type: str, data: Mapping[str, object], occurred: datetime | None
) -> WhatsAppEvent:
    voice_transcript = event_type == "whatsapp.voice.transcribed"
    text_field = "transcript" if voice_transcript else "message"
    return WhatsAppEvent(
        event_id=event_id,
        kind="voice_transcribed" if voice_transcript else "received",
        guid=required_str(data, "guid", "data_id", where="data"),
        number=required_str(data, "from", "number", where="data"),
        name=optional_str(data.get("contact_name")),
        text=optional_str(data.get(text_field)) or "",
        at=parse_time(data.get("received_at")) or occurred,
        voice=voice_transcript or data.get("is_voice_message") is True,
    )
