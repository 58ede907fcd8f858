"""Lenient parsers from the service's JSON to the typed models.

The service's formats vary (see the wire notes): a field may be a number or a string, a time may be
seconds, milliseconds, a compact string or separate date and hour. Unknown extra fields are ignored;
a missing required field raises ``SmsMobileApiInvalidResponseError`` naming it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
import math
import re
from typing import Any

from .exceptions import SmsMobileApiInvalidResponseError
from .models import (
    Call,
    CallType,
    Conversation,
    ConversationMessage,
    Phone,
    PhoneList,
    ReceivedSms,
    SendResult,
    SentFromMobile,
)

# A unix time above this is in milliseconds (it is year 5138 in seconds).
_MS_THRESHOLD = 100_000_000_000
_COMPACT_TIME = re.compile(r"^\d{17}$")
_DIGITS = re.compile(r"^\d+(\.\d+)?$")
_MAX_DIGITS = 20
_BATTERY = re.compile(r"^\s*(\d{1,3})(?:[.,]\d+)?\s*%?\s*$")
_TRUE_WORDS = frozenset({"1", "true", "yes", "on", "online", "connected"})
_FALSE_WORDS = frozenset({"0", "false", "no", "off", "offline", "disconnected", ""})


def _invalid(what: str) -> SmsMobileApiInvalidResponseError:
    return SmsMobileApiInvalidResponseError(what, code="invalid_response")


def as_object(value: object, where: str) -> Mapping[str, Any]:
    """Return value when it is a JSON object, else raise naming where it was expected."""
    if not isinstance(value, Mapping):
        raise _invalid(f"expected an object for '{where}'")
    return value


def as_list(value: object, where: str) -> Sequence[Any]:
    """Return value when it is a JSON array (null counts as empty), else raise."""
    if value is None:
        return ()
    if isinstance(value, list | tuple):
        return value
    raise _invalid(f"expected a list for '{where}'")


def optional_str(value: object) -> str | None:
    """Return a stripped string, or None for null and empty values."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        return value.strip() or None
    return None


def required_str(data: Mapping[str, Any], *names: str, where: str) -> str:
    """Return the first non-empty of the named fields, or raise naming the first one."""
    for name in names:
        if (value := optional_str(data.get(name))) is not None:
            return value
    raise _invalid(f"missing field '{names[0]}' in {where}")


def optional_int(value: object) -> int | None:
    """Return an int from a number or a numeric string, else None."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if math.isfinite(value) else None
    if isinstance(value, str) and _DIGITS.match(text := value.strip()):
        whole = text.partition(".")[0]
        # No real field has more digits than a millisecond timestamp; longer is nonsense.
        return int(whole) if len(whole) <= _MAX_DIGITS else None
    return None


def optional_bool(value: object) -> bool | None:
    """Return a bool from the many ways the service says yes or no, else None."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value != 0
    if isinstance(value, str):
        word = value.strip().lower()
        if word in _TRUE_WORDS:
            return True
        if word in _FALSE_WORDS:
            return False
    return None


def parse_battery(value: object) -> int | None:
    """Return a battery level 0-100 from 87, "87" or "87%"; None when absent or nonsense."""
    level: int | None
    if isinstance(value, str):
        match = _BATTERY.match(value)
        level = int(match.group(1)) if match else None
    else:
        level = optional_int(value)
    if level is None or not 0 <= level <= 100:
        return None
    return level


def from_unix(value: float) -> datetime:
    """Return an aware UTC datetime from unix seconds or milliseconds."""
    if abs(value) >= _MS_THRESHOLD:
        value /= 1000
    return datetime.fromtimestamp(value, UTC)


def parse_time(value: object) -> datetime | None:
    """Parse any time format the service uses; naive values are UTC. None when unreadable."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return _safe_unix(float(value))
    if not isinstance(value, str) or not (text := value.strip()):
        return None
    if _COMPACT_TIME.match(text):
        try:
            parsed = datetime.strptime(text, "%Y%m%d%H%M%S%f")  # noqa: DTZ007
        except ValueError:
            return None
        return parsed.replace(tzinfo=UTC)
    if _DIGITS.match(text):
        return _safe_unix(float(text))
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def _safe_unix(value: float) -> datetime | None:
    try:
        return from_unix(value)
    except OverflowError, OSError, ValueError:
        return None


def _sms_time(row: Mapping[str, Any]) -> datetime:
    for name in ("timestamp_unix", "time_received", "received_at"):
        if (parsed := parse_time(row.get(name))) is not None:
            return parsed
    date, hour = optional_str(row.get("date")), optional_str(row.get("hour"))
    if date is not None and (parsed := parse_time(f"{date} {hour or '00:00:00'}")) is not None:
        return parsed
    raise _invalid("missing field 'timestamp_unix' in sms")


def parse_received_sms(row: object) -> ReceivedSms:
    """Parse one received SMS (from /getsms/, the legacy webhook or a V2 event's data)."""
    data = as_object(row, "sms")
    return ReceivedSms(
        guid=required_str(data, "guid", "guid_message", where="sms"),
        number=required_str(data, "number", "from", "numero", where="sms"),
        message=optional_str(data.get("message")) or "",
        received_at=_sms_time(data),
        device_id=optional_str(
            data.get("sIdentifiantPhone") or data.get("device_id") or data.get("sIdentifiant")
        ),
        alias=optional_str(data.get("alias")),
        sms_id=optional_int(data.get("id")),
    )


def parse_sms_list(result: Mapping[str, Any]) -> tuple[ReceivedSms, ...]:
    """Parse the ``sms`` list of a /getsms/ result, oldest first."""
    rows = as_list(result.get("sms"), "sms")
    return tuple(sorted((parse_received_sms(row) for row in rows), key=_sms_order))


def _sms_order(sms: ReceivedSms) -> tuple[datetime, int]:
    return (sms.received_at, sms.sms_id or 0)


def parse_call(row: object, call_type: CallType) -> Call:
    """Parse one row of a call log (missed: number/name/date; others: phone_number/...)."""
    data = as_object(row, "call")
    call_at = parse_time(data.get("call_date_ms"))
    if call_at is None:
        call_at = parse_time(data.get("call_datetime_utc") or data.get("date"))
    if call_at is None:
        field_name = "date" if call_type is CallType.MISSED else "call_date_ms"
        raise _invalid(f"missing field '{field_name}' in call")
    return Call(
        call_type=call_type,
        number=required_str(data, "phone_number", "number", where="call"),
        call_at=call_at,
        name=optional_str(data.get("cached_name") or data.get("name")),
        duration=optional_int(data.get("duration_sec") or data.get("duration")),
        geo_location=optional_str(data.get("geo_location")),
    )


def parse_calls(body: Mapping[str, Any], call_type: CallType) -> tuple[Call, ...]:
    """Parse a call-log response, newest first."""
    rows = as_list(body.get("rows", body.get("data")), "rows")
    calls = (parse_call(row, call_type) for row in rows)
    return tuple(sorted(calls, key=lambda call: call.call_at, reverse=True))


def parse_phone(row: object) -> Phone:
    """Parse one connected phone, whichever of the reported shapes it has."""
    data = as_object(row, "mobile")
    return Phone(
        device_id=required_str(
            data, "sIdentifiant_pour_check", "sIdentifiant", "sid", where="mobile"
        ),
        label=optional_str(data.get("label") or data.get("nom_reference")),
        online=optional_bool(data.get("online")),
        battery=parse_battery(data.get("battery")),
        version=optional_str(data.get("version")),
        last_seen=parse_time(data.get("date") or data.get("last_seen")),
        phone_number=optional_str(data.get("phone_number")),
    )


def parse_phone_list(body: Mapping[str, Any]) -> PhoneList:
    """Parse /gateway/mobile/list/: ``items`` at the top, or ``result.mobiles``/``mobile``."""
    if "items" in body:
        rows = as_list(body["items"], "items")
    else:
        result = as_object(body.get("result", {}), "result")
        raw = result.get("mobiles", result.get("mobile"))
        rows = [raw] if isinstance(raw, Mapping) else as_list(raw, "mobiles")
    return PhoneList(
        phones=tuple(parse_phone(row) for row in rows),
        connected_limit=optional_int(body.get("connected_limit")),
        connected_now=optional_int(body.get("connected_now")),
    )


def parse_send_result(result: Mapping[str, Any]) -> SendResult:
    """Parse the ``result`` of /sendsms/."""
    encrypted = result.get("encrypted")
    encrypted_status = encrypted.get("status") if isinstance(encrypted, Mapping) else encrypted
    return SendResult(
        guid=required_str(result, "id", "guid", where="result"),
        queued_at=parse_time(result.get("datetime")),
        note=optional_str(result.get("note")),
        whatsapp=bool(optional_bool(result.get("send_with_whatsapp"))),
        encrypted=bool(optional_bool(encrypted_status)),
    )


def parse_sent_from_mobile(row: object) -> SentFromMobile:
    """Parse one row of /log/sent/frommobile/."""
    data = as_object(row, "sms")
    return SentFromMobile(
        number=required_str(data, "number", where="sms"),
        message=optional_str(data.get("message")) or "",
        sent_at=parse_time(data.get("mobile_date_ms") or data.get("mobile_date_formatted")),
        device_id=optional_str(data.get("sIdentifiant")),
        synced_at=parse_time(data.get("synchro_time")),
    )


def parse_conversations(body: Mapping[str, Any]) -> tuple[Conversation, ...]:
    """Parse /conversation/sms/list/."""
    conversations = []
    for row in as_list(body.get("conversations"), "conversations"):
        data = as_object(row, "conversation")
        messages = tuple(
            _parse_conversation_message(item) for item in as_list(data.get("messages"), "messages")
        )
        conversations.append(
            Conversation(
                number=required_str(data, "phone_number", "numero", where="conversation"),
                alias=optional_str(data.get("contact_alias")),
                messages=messages,
            )
        )
    return tuple(conversations)


def _parse_conversation_message(row: object) -> ConversationMessage:
    data = as_object(row, "message")
    return ConversationMessage(
        direction=optional_str(data.get("direction")) or "incoming",
        message=optional_str(data.get("message")) or "",
        sent_at=parse_time(data.get("timestamp_utc") or data.get("date")),
        message_id=optional_str(data.get("message_id")),
        status=optional_str(data.get("status")),
        device_id=optional_str(data.get("mobile_sid")),
    )
