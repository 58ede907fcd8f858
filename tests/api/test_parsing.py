"""Pure unit tests of the parsers: lenient readers of the service's JSON."""

from datetime import UTC, datetime
import json
import math
import re
from typing import Any

import pytest

from custom_components.smsmobileapi.api import (
    Call,
    CallType,
    ConversationMessage,
    Phone,
    ReceivedSms,
    SendResult,
    SmsGatewayInvalidResponseError,
)
from custom_components.smsmobileapi.api.parsing import (
    as_list,
    as_object,
    clean_text,
    from_unix,
    optional_bool,
    optional_int,
    optional_str,
    parse_time,
    required_list,
    required_str,
)
from custom_components.smsmobileapi.api.smsmobileapi.parsing import (
    parse_battery,
    parse_call,
    parse_calls,
    parse_conversations,
    parse_phone,
    parse_received_sms,
    parse_send_result,
    parse_sent_from_mobile,
    parse_sms_list,
)

from .conftest import load_fixture

MOMENT = datetime(2025, 8, 11, 22, 24, 11, tzinfo=UTC)


# --- times ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1754951051, MOMENT),
        (1754951051000, MOMENT),
        (1754951051.5, MOMENT.replace(microsecond=500_000)),
        ("1754951051", MOMENT),
        (" 1754951051000 ", MOMENT),
        ("1754951051.25", MOMENT.replace(microsecond=250_000)),
        ("20250811222411250", MOMENT.replace(microsecond=250_000)),
        ("20250811222411000", MOMENT),
        ("2025-08-11 22:24:11", MOMENT),
        ("2025-08-11T22:24:11", MOMENT),
        ("2025-08-11T22:24:11Z", MOMENT),
        ("2025-08-12T00:24:11+02:00", MOMENT),
        ("2025-08-11T17:24:11-05:00", MOMENT),
        ("2025-08-11", datetime(2025, 8, 11, tzinfo=UTC)),
        (0, datetime(1970, 1, 1, tzinfo=UTC)),
        (99_999_999_999, datetime(5138, 11, 16, 9, 46, 39, tzinfo=UTC)),
        (100_000_000_000, datetime(1973, 3, 3, 9, 46, 40, tzinfo=UTC)),
    ],
)
def test_parse_time(value: object, expected: datetime) -> None:
    """Seconds, milliseconds, compact, ISO with or without zone: one aware UTC datetime."""
    parsed = parse_time(value)

    assert parsed == expected
    assert parsed is not None
    assert parsed.tzinfo is UTC


@pytest.mark.parametrize(
    "value",
    [
        None,
        True,
        False,
        "",
        "   ",
        "yesterday",
        "12:00",
        "-5",
        "1e9",
        "2025-13-01",
        "20251399000000000",
        "99999999999999999999",
        1e20,
        -1e20,
        math.nan,
        math.inf,
        [],
        {},
        object(),
    ],
)
def test_parse_time_garbage(value: object) -> None:
    """Anything unreadable (or out of range) is None, never an exception."""
    assert parse_time(value) is None


def test_from_unix_threshold() -> None:
    """Values from 1e11 on are milliseconds, below are seconds."""
    assert from_unix(1_754_951_051) == MOMENT
    assert from_unix(1_754_951_051_000) == MOMENT
    assert from_unix(-1_000) == datetime(1969, 12, 31, 23, 43, 20, tzinfo=UTC)


# --- scalars ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (87, 87),
        ("87", 87),
        ("87%", 87),
        (" 87 % ", 87),
        ("87.5%", 87),
        ("87,5", 87),
        (87.9, 87),
        (0, 0),
        ("0%", 0),
        (100, 100),
        ("100%", 100),
        (None, None),
        ("abc", None),
        ("", None),
        (101, None),
        ("101%", None),
        (-1, None),
        ("-1", None),
        ("1000", None),
        (True, None),
        (math.nan, None),
        ([87], None),
    ],
)
def test_parse_battery(value: object, expected: int | None) -> None:
    """A level 0-100 from a number or a string with an optional %; else None."""
    assert parse_battery(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (True, True),
        (False, False),
        (1, True),
        (2, True),
        (0, False),
        (0.0, False),
        ("1", True),
        ("TRUE", True),
        (" yes ", True),
        ("on", True),
        ("Online", True),
        ("connected", True),
        ("0", False),
        ("false", False),
        ("No", False),
        ("off", False),
        ("OFFLINE", False),
        ("disconnected", False),
        ("", False),
        ("  ", False),
        ("maybe", None),
        ("2", None),
        (None, None),
        ([], None),
    ],
)
def test_optional_bool(value: object, expected: bool | None) -> None:
    """The many words for yes and no; anything else is unknown."""
    assert optional_bool(value) is expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (5, 5),
        (-5, -5),
        (5.9, 5),
        (-2.5, -2),
        ("42", 42),
        (" 42 ", 42),
        ("42.7", 42),
        (None, None),
        (True, None),
        (math.nan, None),
        (math.inf, None),
        ("-3", None),
        ("4e2", None),
        ("abc", None),
        ("", None),
        ([], None),
    ],
)
def test_optional_int(value: object, expected: int | None) -> None:
    """An int from numbers and numeric strings; booleans and anything else are None."""
    assert optional_int(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (" x ", "x"),
        (5, "5"),
        (2.5, "2.5"),
        ("", None),
        ("   ", None),
        (None, None),
        (True, None),
        (False, None),
        ([], None),
        ({}, None),
    ],
)
def test_optional_str(value: object, expected: str | None) -> None:
    """A stripped string; numbers as text; empty, booleans and containers are None."""
    assert optional_str(value) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("plain", "plain"),
        ("Café 😀", "Café 😀"),
        ("cut \ud83d", "cut \ufffd"),
        ("\ude00 tail", "\ufffd tail"),
        ("\ud83d\ude00", "\ufffd\ufffd"),
        ("\udcff", "\ufffd"),
    ],
    ids=["ascii", "emoji", "high-half", "low-half", "unpaired-pair", "escaped-byte"],
)
def test_clean_text(text: str, expected: str) -> None:
    """A lone surrogate becomes U+FFFD; the result always encodes as UTF-8."""
    assert clean_text(text) == expected
    clean_text(text).encode()


def test_optional_str_cleans_lone_surrogates() -> None:
    """A truncated emoji from a response (a lone half escaped in JSON) leaves as U+FFFD."""
    data = json.loads('{"guid": "G\\ud83d", "text": " Hi \\ud83d "}')

    assert optional_str(data["text"]) == "Hi \ufffd"
    assert required_str(data, "guid", where="x") == "G\ufffd"


def test_required_str() -> None:
    """The first non-empty of the names; when none, the error names the first."""
    data = {"a": "", "b": "  ", "c": 7, "d": "x"}

    assert required_str(data, "a", "b", "c", where="thing") == "7"
    assert required_str(data, "d", "c", where="thing") == "x"
    with pytest.raises(SmsGatewayInvalidResponseError, match=r"^missing field 'a' in thing$"):
        required_str(data, "a", "b", where="thing")


def test_containers() -> None:
    """Objects and lists are checked; null is no list."""
    assert as_object({"a": 1}, "x") == {"a": 1}
    assert as_list([1], "x") == [1]
    assert as_list((1,), "x") == (1,)
    with pytest.raises(SmsGatewayInvalidResponseError, match=r"^expected an object for 'x'$"):
        as_object([], "x")
    with pytest.raises(SmsGatewayInvalidResponseError, match=r"^expected a list for 'y'$"):
        as_list({"a": 1}, "y")
    with pytest.raises(SmsGatewayInvalidResponseError) as caught:
        as_list("abc", "y")
    assert caught.value.code == "invalid_response"
    with pytest.raises(SmsGatewayInvalidResponseError, match=r"^expected a list for 'y'$"):
        as_list(None, "y")


def test_required_list() -> None:
    """The first of the names present; a missing (or null) list is an unknown layout."""
    assert required_list({"a": None, "b": [], "c": [1]}, "a", "b", where="x") == []
    assert required_list({"c": [1]}, "a", "c", where="x") == [1]
    with pytest.raises(SmsGatewayInvalidResponseError, match=r"^missing field 'a' in x$"):
        required_list({"a": None, "z": [1]}, "a", "b", where="x")
    with pytest.raises(SmsGatewayInvalidResponseError, match=r"^expected a list for 'b'$"):
        required_list({"b": {}}, "a", "b", where="x")


# --- received SMS -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (
            {
                "id": "17",
                "guid": "G1",
                "number": "+1",
                "message": " Hi ",
                "timestamp_unix": 1754951051,
                "sIdentifiantPhone": "SID",
                "alias": "",
                "unknown": [1, 2, 3],
            },
            ReceivedSms(
                guid="G1",
                number="+1",
                message="Hi",
                received_at=MOMENT,
                phone_id="SID",
                sms_id=17,
            ),
        ),
        (
            # The legacy webhook payload: time_received wins over date + hour.
            {
                "date": "2025-01-20",
                "hour": "10:15:00",
                "time_received": "2025-01-20 10:14:50",
                "message": "Hello, this is a test.",
                "number": "+123456789",
                "guid": "abcde12345",
            },
            ReceivedSms(
                guid="abcde12345",
                number="+123456789",
                message="Hello, this is a test.",
                received_at=datetime(2025, 1, 20, 10, 14, 50, tzinfo=UTC),
            ),
        ),
        (
            {"guid_message": "G2", "from": "+2", "date": "2025-01-20", "device_id": "D"},
            ReceivedSms(
                guid="G2",
                number="+2",
                message="",
                received_at=datetime(2025, 1, 20, tzinfo=UTC),
                phone_id="D",
            ),
        ),
        (
            {
                "guid": "G3",
                "numero": "+3",
                "timestamp_unix": "garbage",
                "received_at": "2025-08-11T22:24:11Z",
                "sIdentifiant": "S",
                "alias": "Bob",
            },
            ReceivedSms(
                guid="G3",
                number="+3",
                message="",
                received_at=MOMENT,
                phone_id="S",
                alias="Bob",
            ),
        ),
        (
            {"guid": "G4", "number": "+4", "date": "2025-08-11", "hour": "22:24:11"},
            ReceivedSms(guid="G4", number="+4", message="", received_at=MOMENT),
        ),
    ],
    ids=["openapi", "legacy-webhook", "alternative-names", "received-at", "date-hour"],
)
def test_parse_received_sms(row: dict[str, Any], expected: ReceivedSms) -> None:
    """Every documented or reported field name and time format; unknown fields ignored."""
    assert parse_received_sms(row) == expected


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ({"number": "+1", "timestamp_unix": 1}, "missing field 'guid' in sms"),
        ({"guid": "G", "timestamp_unix": 1}, "missing field 'number' in sms"),
        ({"guid": "G", "number": "+1"}, "missing field 'timestamp_unix' in sms"),
        (
            {"guid": "G", "number": "+1", "date": "x", "hour": "y"},
            "missing field 'timestamp_unix' in sms",
        ),
        ("G", "expected an object for 'sms'"),
    ],
)
def test_parse_received_sms_invalid(row: object, message: str) -> None:
    """A missing required field raises, naming the field."""
    with pytest.raises(SmsGatewayInvalidResponseError, match=f"^{re.escape(message)}$"):
        parse_received_sms(row)


def test_parse_sms_list_oldest_first() -> None:
    """Sorted by time, then by numeric id (missing id first)."""
    rows = [
        {"id": 2, "guid": "B", "number": "+1", "timestamp_unix": 20},
        {"id": 1, "guid": "C", "number": "+1", "timestamp_unix": 20},
        {"guid": "D", "number": "+1", "timestamp_unix": 20},
        {"id": 9, "guid": "A", "number": "+1", "timestamp_unix": 10},
    ]

    assert [sms.guid for sms in parse_sms_list({"sms": rows})] == ["A", "D", "C", "B"]
    assert parse_sms_list({"sms": []}) == ()
    with pytest.raises(SmsGatewayInvalidResponseError, match=r"^missing field 'sms' in result$"):
        parse_sms_list({"error": ""})


# --- calls, phones, sends, conversations ----------------------------------------------------


def test_parse_call_alternatives() -> None:
    """``call_datetime_utc`` stands in for ``call_date_ms``; ``name``/``duration`` alternatives."""
    row = {
        "number": "+1",
        "call_datetime_utc": "2025-08-11 22:24:11",
        "cached_name": "",
        "name": "Ann",
        "duration": "12",
        "geo_location": "",
    }

    assert parse_call(row, CallType.OUTGOING) == Call(
        call_type=CallType.OUTGOING, number="+1", call_at=MOMENT, name="Ann", duration=12
    )


def test_call_key() -> None:
    """A call is identified by type, number and unix second (the missed log has no id)."""
    call = Call(call_type=CallType.MISSED, number="+1", call_at=MOMENT.replace(microsecond=900))

    assert call.key == "missed:+1:1754951051"


def test_parse_calls_documented_examples() -> None:
    """The documented missed-call example, newest first."""
    calls = parse_calls(load_fixture("docs_missed_calls.json"), CallType.MISSED)

    assert [(call.number, call.name) for call in calls] == [
        ("+123470000000", "John Doe"),
        ("+123471111111", None),
    ]
    assert parse_calls({"data": []}, CallType.MISSED) == ()
    with pytest.raises(SmsGatewayInvalidResponseError, match=r"^missing field 'rows' in response$"):
        parse_calls({"success": True, "count": 0}, CallType.MISSED)
    with pytest.raises(SmsGatewayInvalidResponseError, match=r"^missing field 'phone_number'"):
        parse_calls({"rows": [{"call_date_ms": 1}]}, CallType.INCOMING)


def test_parse_phone_alternatives() -> None:
    """``sid`` stands in for the SID; ``last_seen`` for ``date``; unknown battery is None."""
    row = {"sid": "S", "label": "", "nom_reference": "Ref", "last_seen": "2025-08-11 22:24:11"}

    assert parse_phone(row) == Phone(phone_id="S", label="Ref", last_seen=MOMENT)


@pytest.mark.parametrize(
    ("result", "expected"),
    [
        (
            load_fixture("docs_sendsms.json")["result"],
            SendResult(
                guid="c319d3b35e8f8712cde20dae39ac3c19f86eda25",
                queued_at=datetime(2026, 3, 20, 21, 7, 44, tzinfo=UTC),
                note="sent by mobile",
            ),
        ),
        (
            {"guid": "G", "encrypted": "1", "send_with_whatsapp": 1},
            SendResult(guid="G", whatsapp=True, encrypted=True),
        ),
        (
            {"id": 12345, "encrypted": {"status": "yes"}, "datetime": "garbage"},
            SendResult(guid="12345", encrypted=True),
        ),
    ],
)
def test_parse_send_result(result: dict[str, Any], expected: SendResult) -> None:
    """The documented acknowledgement and its variants (encrypted flat or nested)."""
    assert parse_send_result(result) == expected


def test_parse_send_result_without_id() -> None:
    """An acknowledgement without an id cannot be resent or tracked: invalid."""
    with pytest.raises(SmsGatewayInvalidResponseError, match=r"^missing field 'id' in result$"):
        parse_send_result({"error": 0, "sent": "1"})


def test_parse_sent_from_mobile_requires_number() -> None:
    """A row without a number raises, naming the field."""
    with pytest.raises(SmsGatewayInvalidResponseError, match=r"^missing field 'number' in sms$"):
        parse_sent_from_mobile({"message": "x"})


def test_parse_conversations_invalid() -> None:
    """Conversations and messages must be a list of objects."""
    assert parse_conversations({"conversations": []}) == ()
    with pytest.raises(
        SmsGatewayInvalidResponseError, match=r"^missing field 'conversations' in response$"
    ):
        parse_conversations({"success": True})
    with pytest.raises(
        SmsGatewayInvalidResponseError, match=r"^missing field 'messages' in conversation$"
    ):
        parse_conversations({"conversations": [{"phone_number": "+1", "messages": None}]})
    with pytest.raises(
        SmsGatewayInvalidResponseError, match=r"^expected a list for 'conversations'$"
    ):
        parse_conversations({"conversations": {"a": 1}})
    with pytest.raises(SmsGatewayInvalidResponseError, match=r"^expected an object for 'message'$"):
        parse_conversations({"conversations": [{"phone_number": "+1", "messages": ["hi"]}]})


def test_conversation_message_prefers_utc_timestamp() -> None:
    """``timestamp_utc`` wins over the display ``date`` (which may be shifted)."""
    [conversation] = parse_conversations(
        {
            "conversations": [
                {
                    "phone_number": "+1",
                    "messages": [
                        {
                            "direction": "outgoing",
                            "date": "2025-08-12 00:24:11",
                            "timestamp_utc": "2025-08-11T22:24:11Z",
                            "message": "x",
                        }
                    ],
                }
            ]
        }
    )

    assert conversation.messages == (
        ConversationMessage(direction="outgoing", message="x", sent_at=MOMENT),
    )
