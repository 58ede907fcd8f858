"""SMSMobileAPI's JSON to the typed models.

The service's formats vary (see the wire notes): a time may be seconds, milliseconds, a compact
string or separate date and hour; a phone list has two envelopes. Unknown extra fields are ignored;
a missing required field raises ``SmsGatewayInvalidResponseError`` naming it.
"""

from __future__ import annotations

from collections.abc import Container, Mapping, Sequence
from datetime import UTC, datetime
import re
from typing import Any

from ..exceptions import SmsGatewayInvalidResponseError
from ..models import (
    Call,
    CallType,
    Conversation,
    ConversationMessage,
    Phone,
    PhoneList,
    ReceivedSms,
    SendFailure,
    SendResult,
    SentFromMobile,
    SentMessage,
)
from ..parsing import (
    as_object,
    invalid,
    optional_bool,
    optional_int,
    optional_str,
    parse_time,
    required_list,
    required_str,
)
from ..slices import SKIP, Skip

_BATTERY = re.compile(r"^\s*(\d{1,3})(?:[.,]\d+)?\s*%?\s*$")
_MISSED_CALL_TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}")


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


def _sms_time(row: Mapping[str, Any]) -> datetime:
    return time_of(row, ("timestamp_unix", "time_received", "received_at"), where="sms")


def time_of(row: Mapping[str, Any], names: tuple[str, ...], *, where: str) -> datetime:
    """The first readable time among ``names``, else ``date`` with ``hour``, else an error."""
    for name in names:
        if (parsed := parse_time(row.get(name))) is not None:
            return parsed
    date, hour = optional_str(row.get("date")), optional_str(row.get("hour"))
    if date is not None and (parsed := parse_time(f"{date} {hour or '00:00:00'}")) is not None:
        return parsed
    raise invalid(f"missing field '{names[0]}' in {where}")


def parse_received_sms(row: object) -> ReceivedSms:
    """Parse one received SMS (from /getsms/, the legacy webhook or a V2 event's data)."""
    data = as_object(row, "sms")
    return ReceivedSms(
        guid=required_str(data, "guid", "guid_message", where="sms"),
        number=required_str(data, "number", "from", "numero", where="sms"),
        message=optional_str(data.get("message")) or "",
        received_at=_sms_time(data),
        phone_id=optional_str(
            data.get("sIdentifiantPhone") or data.get("device_id") or data.get("sIdentifiant")
        ),
        alias=optional_str(data.get("alias")),
        sms_id=optional_int(data.get("id")),
    )


def parse_wanted_sms(wanted: Container[str], row: object) -> ReceivedSms | Skip:
    """``parse_received_sms`` of a row whose GUID is ``wanted``; ``SKIP`` for any other row.

    A ``ModelRows`` reader for a lookup: the rows not looked for never become models.
    """
    data = as_object(row, "sms")
    if required_str(data, "guid", "guid_message", where="sms") not in wanted:
        return SKIP
    return parse_received_sms(data)


def parse_sms_list(result: Mapping[str, Any]) -> tuple[ReceivedSms, ...]:
    """Parse the ``sms`` list of a /getsms/ result, oldest first."""
    rows = required_list(result, "sms", where="result")
    return tuple(sorted((parse_received_sms(row) for row in rows), key=sms_order))


class SmsTimes:
    """The GUID and reception time of each SMS of a /getsms/ list, without a model per SMS.

    ``read`` takes one row (a ``Rows`` reader: it never raises) and keeps its GUID and time,
    each row checked as ``parse_received_sms`` checks it (an object with a GUID, a number and a
    time); ``result`` returns them, or raises the error of the first row that failed, as
    ``parse_sms_list`` would. The dict holds strings and datetimes only, which the garbage
    collector does not walk.
    """

    __slots__ = ("_failure", "_times")

    def __init__(self) -> None:
        """Nothing read yet."""
        self._times: dict[str, datetime] = {}
        self._failure: SmsGatewayInvalidResponseError | None = None

    def read(self, row: object) -> None:
        """Keep one row's GUID and time (or the first failure)."""
        if self._failure is not None:
            return
        try:
            data = as_object(row, "sms")
            guid = required_str(data, "guid", "guid_message", where="sms")
            required_str(data, "number", "from", "numero", where="sms")
            self._times[guid] = _sms_time(data)
        except SmsGatewayInvalidResponseError as err:
            self._failure = err

    def result(self, result: Mapping[str, Any]) -> dict[str, datetime]:
        """The times read from ``result`` (whose list is checked as ``parse_sms_list`` does)."""
        required_list(result, "sms", where="result")
        if self._failure is not None:
            raise self._failure
        return self._times


def sms_order(sms: ReceivedSms) -> tuple[datetime, int]:
    """How /getsms/ rows are ordered: by time, then by the service's id."""
    return (sms.received_at, sms.sms_id or 0)


def parse_call(row: object, call_type: CallType) -> Call:
    """Parse one row of a call log (missed: number/name/date; others: phone_number/...)."""
    data = as_object(row, "call")
    call_at = parse_time(data.get("call_date_ms"))
    if call_at is None and call_type is CallType.MISSED:
        call_at = _missed_call_time(data.get("date"))
    elif call_at is None:
        call_at = parse_time(data.get("call_datetime_utc") or data.get("date"))
    if call_at is None:
        field_name = "date" if call_type is CallType.MISSED else "call_date_ms"
        raise invalid(f"missing field '{field_name}' in call")
    return Call(
        call_type=call_type,
        number=required_str(data, "phone_number", "number", where="call"),
        call_at=call_at,
        name=optional_str(data.get("cached_name") or data.get("name")),
        # A call of 0 seconds lasted 0 seconds: not "unknown".
        duration=optional_int(_first_present(data, "duration_sec", "duration")),
        geo_location=optional_str(data.get("geo_location")),
    )


def _missed_call_time(value: object) -> datetime | None:
    """The missed-call list's ``date``, in its documented format ``YYYY-MM-DD HH:MM:SS``.

    Its zone is not documented ("a formatted datetime string derived from a milliseconds
    timestamp"), and the doc's examples cannot tell (their times contradict each other). The
    only vendor example of this format beside a zoned time is Webhook V2's ``call.missed``
    (``call_at`` "2026-09-23 13:10:00", ``occurred_at`` "2026-09-23T13:10:00Z"): UTC. So it is
    read as UTC, unverified; were the service to format it in the phone's zone, missed calls
    would be shifted by that zone's offset. Any other shape is not this field.
    """
    text = optional_str(value)
    if text is None or not _MISSED_CALL_TIME.fullmatch(text):
        return None
    try:
        return datetime.strptime(text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
    except ValueError:
        return None


def _first_present(data: Mapping[str, Any], *names: str) -> object:
    """The value of the first of ``names`` that is not null (0 and "" included)."""
    return next((data[name] for name in names if data.get(name) is not None), None)


def parse_calls(body: Mapping[str, Any], call_type: CallType) -> tuple[Call, ...]:
    """Parse a call-log response, newest first (rows in ``rows``, or ``data`` for missed calls)."""
    rows = required_list(body, "rows", "data", where="response")
    calls = (parse_call(row, call_type) for row in rows)
    return tuple(sorted(calls, key=lambda call: call.call_at, reverse=True))


def parse_phone(row: object) -> Phone:
    """Parse one connected phone, whichever of the reported shapes it has."""
    data = as_object(row, "mobile")
    return Phone(
        phone_id=required_str(
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
    if "items" in body or "result" not in body:
        rows = required_list(body, "items", where="response")
    else:
        result = as_object(body["result"], "result")
        raw = result.get("mobiles", result.get("mobile"))
        rows = (
            [raw]
            if isinstance(raw, Mapping)
            else required_list(result, "mobiles", "mobile", where="result")
        )
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


def parse_sent_message(row: object) -> SentMessage:
    """Parse one row of /log/sent/sms/ (undocumented: every field is optional)."""
    data = as_object(row, "sms")
    failure: SendFailure | None = None
    if optional_bool(data.get("error_api")):
        failure = "api"
    elif optional_bool(data.get("error_mobile")):
        failure = "mobile"
    return SentMessage(
        guid=optional_str(data.get("guid") or data.get("guid_message") or data.get("id")),
        recipients=optional_str(data.get("recipients") or data.get("number")),
        message=optional_str(data.get("message")) or "",
        status=optional_str(data.get("status")),
        sent_at=parse_time(data.get("timestamp_unix") or data.get("date")),
        phone_id=optional_str(data.get("sIdentifiant")),
        sim=optional_int(data.get("port")),
        whatsapp=bool(optional_bool(data.get("send_with_whatsapp"))),
        failure=failure,
    )


def parse_log_rows(body: Mapping[str, Any]) -> Sequence[Any]:
    """The rows of a sent log (/log/sent/sms/, /log/sent/frommobile/).

    No vendor source shows where the rows are: top-level ``data`` or ``rows``, or ``sms``,
    ``messages`` or ``data`` inside ``result`` are read. Without one of them the answer is an
    unknown layout (an invalid response), never an empty log.
    """
    if body.get("data") is not None or body.get("rows") is not None:
        return required_list(body, "data", "rows", where="response")
    if "result" not in body:
        raise invalid("missing field 'result' in response")
    result = as_object(body["result"], "result")
    return required_list(result, "sms", "messages", "data", where="result")


def parse_sent_from_mobile(row: object) -> SentFromMobile:
    """Parse one row of /log/sent/frommobile/."""
    data = as_object(row, "sms")
    return SentFromMobile(
        number=required_str(data, "number", where="sms"),
        message=optional_str(data.get("message")) or "",
        sent_at=parse_time(data.get("mobile_date_ms") or data.get("mobile_date_formatted")),
        phone_id=optional_str(data.get("sIdentifiant")),
        synced_at=parse_time(data.get("synchro_time")),
    )


def parse_conversations(body: Mapping[str, Any]) -> tuple[Conversation, ...]:
    """Parse /conversation/sms/list/."""
    conversations = []
    for row in required_list(body, "conversations", where="response"):
        data = as_object(row, "conversation")
        messages = tuple(
            _parse_conversation_message(item)
            for item in required_list(data, "messages", where="conversation")
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
        phone_id=optional_str(data.get("mobile_sid")),
    )
