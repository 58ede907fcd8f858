"""Verify and read what CALLR pushes to a webhook (no Home Assistant imports).

A delivery is a JSON ``POST``: ``{"event_id", "event_at", "hook_hash", "type", "try", "data"}``
where ``data`` is the SMS object, with the headers ``X-CALLR-EventId`` and, when the subscription
has a secret, ``X-CALLR-HmacSignature`` = base64(HMAC-SHA256(secret, raw body)). The signature
carries no timestamp: a captured delivery can be replayed, and deduplication is the defence.

Event identity, so that the integration's deduplication on ``event_id`` (and on the SMS's
``guid``) absorbs every repeat:

* ``sms.mo``: the SMS's hash. CALLR's ``event_id`` is the same on a retry (new ``try``) but
  differs when the same SMS is pushed again (another subscription, the per-SMS webhook of the
  SMS it answers): only the hash names the SMS in all of them, and it is the ``guid`` that
  polling gives the same SMS.
* ``sms.mt.status_update``: ``<hash>:<STATUS>``, one identity per status change of one SMS,
  the same on a retry or a re-push.
* anything else: CALLR's ``event_id`` (or the ``X-CALLR-EventId`` header).

``verify_signature`` raises ``WebhookSignatureError`` and ``parse_webhook``
``WebhookPayloadError``; neither raises anything else, whatever the bytes and headers.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from datetime import datetime
import hashlib
import hmac
import json
import re
from typing import Any, Final

from ..events import IgnoredEvent, MessageStatusEvent, SmsReceivedEvent, WebhookEvent
from ..exceptions import SmsGatewayError, WebhookPayloadError, WebhookSignatureError
from .const import (
    EVENT_SMS_MO,
    EVENT_SMS_MT_STATUS,
    HEADER_EVENT_ID,
    HEADER_SIGNATURE,
    MAX_WEBHOOK_BYTES,
    STATUS_EVENTS,
)
from .parsing import as_sms, clean, parse_received_sms, parse_time, sms_hash, sms_status

# Event types and ids are short printable tokens; anything else is not CALLR's.
_TOKEN: Final = re.compile(r"[A-Za-z0-9_.:-]{1,128}")


def sign(secret: str, body: bytes) -> str:
    """Return ``X-CALLR-HmacSignature`` of a raw body: base64 of HMAC-SHA256 with ``secret``."""
    digest = hmac.new(secret.encode(errors="replace"), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def header(headers: Mapping[str, str], name: str) -> str | None:
    """The first value of a header, whatever its case; None when absent or not text."""
    lowered = name.lower()
    for key, value in headers.items():
        if isinstance(key, str) and key.lower() == lowered:
            return value if isinstance(value, str) else None
    return None


def verify_signature(secret: str, headers: Mapping[str, str], body: bytes) -> None:
    """Raise ``WebhookSignatureError`` unless the raw body is signed with ``secret``.

    The header is compared with the expected value in constant time, as bytes; a missing or
    non-ASCII header is a bad signature like any other.
    """
    given = header(headers, HEADER_SIGNATURE)
    if given is None:
        raise WebhookSignatureError("missing signature header")
    try:
        given_bytes = given.strip().encode("ascii")
    except UnicodeEncodeError:
        raise WebhookSignatureError("signature mismatch") from None
    if not hmac.compare_digest(sign(secret, body).encode("ascii"), given_bytes):
        raise WebhookSignatureError("signature mismatch")


def parse_webhook(headers: Mapping[str, str], body: bytes) -> WebhookEvent:
    """Turn a delivery into one event, or raise ``WebhookPayloadError``."""
    if len(body) > MAX_WEBHOOK_BYTES:
        raise WebhookPayloadError("body too large")
    payload = _json(body)
    if payload is None:
        raise WebhookPayloadError("body is not a JSON object")
    try:
        return _event(payload, header(headers, HEADER_EVENT_ID))
    except SmsGatewayError as err:
        # The parsers' invalid-response errors name a field only (no service text).
        raise WebhookPayloadError(str(err)) from None


def _json(body: bytes) -> Mapping[str, Any] | None:
    try:
        payload: object = json.loads(body.decode("utf-8", "replace"))
    except (ValueError, RecursionError):
        return None
    return payload if isinstance(payload, Mapping) else None


def _event(payload: Mapping[str, Any], header_id: str | None) -> WebhookEvent:
    event_type = _token(payload.get("type"), "type")
    if event_type == EVENT_SMS_MO:
        sms = parse_received_sms(payload.get("data"), fallback=parse_time(payload.get("event_at")))
        return SmsReceivedEvent(event_id=sms.guid, sms=sms)
    if event_type == EVENT_SMS_MT_STATUS:
        data = as_sms(payload.get("data"), "data")
        guid = sms_hash(data, "data")
        status = sms_status(data)
        if status is None:
            raise WebhookPayloadError("missing field 'status' in data")
        event_id = f"{guid}:{_token(status, 'status')}"
        if (neutral := STATUS_EVENTS.get(status)) is None:
            return IgnoredEvent(event_id=event_id, event_type=event_type)
        return MessageStatusEvent(event_id=event_id, guid=guid, status=neutral, channel="sms")
    given: object = payload.get("event_id")
    return IgnoredEvent(
        event_id=_token(given if given is not None else header_id, "event_id"),
        event_type=event_type,
    )


def _token(value: object, name: str) -> str:
    """A short printable token (event type, id, status), or ``WebhookPayloadError``."""
    if not isinstance(value, str) or _TOKEN.fullmatch(text := clean(value).strip()) is None:
        raise WebhookPayloadError(f"missing or malformed field '{name}'")
    return text


def read(
    headers: Mapping[str, str], body: bytes, *, secret: str | None, now: datetime
) -> tuple[WebhookEvent, bool]:
    """Verify (with a secret) and parse a delivery; the event and whether it was signed.

    ``now`` is unused: CALLR's signature has no timestamp to check it against.
    """
    del now
    if len(body) > MAX_WEBHOOK_BYTES:
        raise WebhookPayloadError("body too large")
    if secret is not None:
        verify_signature(secret, headers, body)
    return parse_webhook(headers, body), secret is not None
