"""CALLR's SMS object to the provider-neutral models, and the text and time readers they share.

The SMS object (see the wire notes): ``hash`` (the SMS's id), ``type`` (``IN``/``OUT``), ``from``,
``to``, ``text``, ``status`` and the dates ``date_creation``, ``date_sent``, ``date_received`` as
UTC ``YYYY-MM-DD HH:MM:SS``, where ``0000-00-00 00:00:00`` means none. Unknown members (the older
``push_*`` ones, for instance) are ignored. A required member that is missing or unusable raises
``SmsGatewayInvalidResponseError`` naming it; the webhook reader turns that into
``WebhookPayloadError``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
import re
from typing import Any, Final

from ..models import ReceivedSms, SendResult, SentMessage
from ..parsing import invalid, optional_int
from .const import FAILED_STATUSES

# CALLR's hashes are 8 upper-case letters and digits; read them a little more widely.
_HASH: Final = re.compile(r"[A-Za-z0-9_-]{1,64}")
_SURROGATE: Final = re.compile(r"[\ud800-\udfff]")
# Longer than any ISO 8601 date with microseconds and an offset: not a date.
_MAX_TIME_LENGTH: Final = 40


def clean(text: str) -> str:
    """Return ``text`` with every lone surrogate replaced (JSON escapes of surrogates make them).

    A well-formed pair left as two code points is joined into its character.
    """
    if _SURROGATE.search(text) is None:
        return text
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def is_hash(value: str) -> bool:
    """Tell whether a string can be a CALLR SMS hash."""
    return _HASH.fullmatch(value) is not None


def text_of(value: object) -> str | None:
    """A string member as is (cleaned); numbers as text; None for anything else."""
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return None


def word_of(value: object) -> str | None:
    """A string member stripped, None when empty or not text."""
    text = text_of(value)
    if text is None:
        return None
    return text.strip() or None


def parse_time(value: object) -> datetime | None:
    """Read a CALLR date (naive means UTC); None for ``0000-00-00 00:00:00`` or no date."""
    if not isinstance(value, str) or len(text := value.strip()) > _MAX_TIME_LENGTH:
        return None
    try:
        parsed = datetime.fromisoformat(text)
        return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
    except (ValueError, OverflowError):
        return None


def format_time(moment: datetime) -> str:
    """Format as CALLR's ``YYYY-MM-DD HH:MM:SS`` in UTC (naive means UTC)."""
    utc = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return (
        f"{utc.year:04d}-{utc.month:02d}-{utc.day:02d} "
        f"{utc.hour:02d}:{utc.minute:02d}:{utc.second:02d}"
    )


def sms_hash(data: Mapping[str, Any], where: str) -> str:
    """The SMS's ``hash``: a string shaped like one (a number is not), required."""
    value = data.get("hash")
    if not isinstance(value, str) or not is_hash(value := value.strip()):
        raise invalid(f"missing or malformed field 'hash' in {where}")
    return value


def sms_status(data: Mapping[str, Any]) -> str | None:
    """The SMS's ``status``, upper case (None when absent)."""
    status = word_of(data.get("status"))
    return status.upper() if status is not None else None


def as_sms(value: object, where: str = "sms") -> Mapping[str, Any]:
    """Return the SMS object, or raise when it is not a JSON object."""
    if not isinstance(value, Mapping):
        raise invalid(f"expected an object for '{where}'")
    return value


def as_rows(value: object) -> Sequence[object]:
    """The list of ``GET /sms``: a JSON array and nothing else (null is not an empty list)."""
    if not isinstance(value, list):
        raise invalid("expected a list for 'data'")
    return value


def is_type(data: Mapping[str, Any], sms_type: str) -> bool:
    """Tell whether an SMS object is of a type (``IN``/``OUT``); one without a type is."""
    value = word_of(data.get("type"))
    return value is None or value.upper() == sms_type


def parse_received_sms(value: object, *, fallback: datetime | None = None) -> ReceivedSms:
    """Parse an incoming SMS object (``GET /sms?type=IN`` row, or an ``sms.mo`` event's data).

    ``received_at`` is ``date_received``, else ``date_creation``, else ``fallback``; an SMS
    without any of them cannot be placed in time and is refused.
    """
    data = as_sms(value)
    received_at = (
        parse_time(data.get("date_received")) or parse_time(data.get("date_creation")) or fallback
    )
    if received_at is None:
        raise invalid("missing field 'date_received' in sms")
    number = word_of(data.get("from"))
    if number is None:
        raise invalid("missing field 'from' in sms")
    return ReceivedSms(
        guid=sms_hash(data, "sms"),
        number=number,
        message=text_of(data.get("text")) or "",
        received_at=received_at,
    )


def parse_sent_message(value: object) -> SentMessage:
    """Parse an outgoing SMS object (``GET /sms?type=OUT`` row or ``GET /sms/<hash>``)."""
    data = as_sms(value)
    status = sms_status(data)
    return SentMessage(
        guid=sms_hash(data, "sms"),
        recipients=word_of(data.get("to")),
        message=text_of(data.get("text")) or "",
        status=status.lower() if status is not None else None,
        sent_at=parse_time(data.get("date_sent")) or parse_time(data.get("date_creation")),
        failure="api" if status in FAILED_STATUSES else None,
    )


def parse_send_result(value: object) -> SendResult:
    """Parse ``POST /sms``'s ``data``: the new SMS's hash (or an SMS object, read leniently)."""
    if isinstance(value, Mapping):
        parts = optional_int(value.get("parts"))
        return SendResult(
            guid=sms_hash(value, "data"), parts=parts if parts is not None and parts > 0 else None
        )
    return SendResult(guid=sms_hash({"hash": value}, "data"))
