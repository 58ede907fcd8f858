"""Received SMS: the UTC window as sent, the SMS object's mapping, order and list variants."""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
import json
from typing import Any

from freezegun.api import FrozenDateTimeFactory
import pytest

from custom_components.smsmobileapi.api import (
    CallrClient,
    ReceivedSms,
    SmsGatewayInvalidResponseError,
)
from smsmobileapi_simulator import Fault

from .conftest import NOW, NOW_TEXT, CallrSim, fixture

SENDER = "+33612345678"


def _serve(callr: CallrSim, data: object) -> None:
    """Answer the next list request with a success envelope around ``data``."""
    body = json.dumps({"status": "success", "data": data})
    callr.state.faults.add(Fault("status", path="GET /sms", status=200, body=body))


async def test_default_window(client: CallrClient, callr: CallrSim) -> None:
    """Without ``after``: ``type=IN`` over the last seven days, UTC, to the second."""
    assert await client.get_received_sms() == ()

    request = callr.only("GET /sms")
    assert request.query == {"type": "IN", "from": "2026-09-16 12:00:00", "to": NOW_TEXT}
    assert request.path == "/rest/v1.1/sms"
    assert request.headers["Authorization"] == ("Basic " + client.credentials.basic_token)


@pytest.mark.parametrize(
    ("after", "expected"),
    [
        (datetime(2026, 9, 23, 11, 45, 30, 999_999, tzinfo=UTC), "2026-09-23 11:45:30"),
        (
            datetime(2026, 9, 23, 13, 45, 30, tzinfo=timezone(timedelta(hours=2))),
            "2026-09-23 11:45:30",
        ),
        (datetime(2026, 9, 23, 11, 45, 30), "2026-09-23 11:45:30"),  # noqa: DTZ001  # naive is UTC
        (NOW + timedelta(minutes=5), NOW_TEXT),  # in the future: clamped to now
        (datetime(999, 1, 2, 3, 4, 5, tzinfo=UTC), "0999-01-02 03:04:05"),
    ],
    ids=["utc-fraction", "offset", "naive", "future", "year-999"],
)
async def test_window_from_after(
    client: CallrClient, callr: CallrSim, after: datetime, expected: str
) -> None:
    """``from`` is ``after`` in UTC, floored to the second; ``to`` is now."""
    await client.get_received_sms(after=after)

    assert callr.only("GET /sms").query == {"type": "IN", "from": expected, "to": NOW_TEXT}


async def test_window_follows_the_clock(
    make_client: Callable[..., CallrClient], callr: CallrSim
) -> None:
    """``to`` and the default ``from`` come from the injected clock."""
    client = make_client(clock=lambda: datetime(2026, 1, 2, 3, 4, 5, 600_000, tzinfo=UTC))

    await client.get_received_sms()

    assert callr.only("GET /sms").query == {
        "type": "IN",
        "from": "2025-12-26 03:04:05",
        "to": "2026-01-02 03:04:05",
    }


async def test_maps_the_sms_object(client: CallrClient, callr: CallrSim) -> None:
    """The hash is the guid, from the number, text the message, date_received the time."""
    sms = callr.state.add_incoming(
        callr.account, SENDER, "Hello from my phone", received_at=NOW - timedelta(minutes=3)
    )

    received = await client.get_received_sms()

    assert received == (
        ReceivedSms(
            guid=sms.hash,
            number=SENDER,
            message="Hello from my phone",
            received_at=NOW - timedelta(minutes=3),
        ),
    )


async def test_maps_the_fixture(client: CallrClient, callr: CallrSim) -> None:
    """The shipped incoming SMS object reads as documented (unknown members ignored)."""
    _serve(callr, [fixture("sms-in.json")])

    assert await client.get_received_sms() == (
        ReceivedSms(
            guid="ZK4Q2W7M",
            number="+33612345678",
            message="Hello from my phone",
            received_at=datetime(2025, 3, 31, 15, 42, tzinfo=UTC),
        ),
    )


async def test_inclusive_window(
    client: CallrClient, callr: CallrSim, frozen_time: FrozenDateTimeFactory
) -> None:
    """An SMS of the very second of ``after`` is listed again: the caller deduplicates."""
    at = NOW - timedelta(minutes=10)
    first = callr.state.add_incoming(callr.account, SENDER, "one", received_at=at)
    callr.state.add_incoming(callr.account, SENDER, "old", received_at=at - timedelta(seconds=1))

    listed = await client.get_received_sms(after=at + timedelta(microseconds=500_000))

    assert [sms.guid for sms in listed] == [first.hash]


async def test_oldest_first_whatever_the_service_order(
    client: CallrClient, callr: CallrSim
) -> None:
    """With ``list_newest_first`` the client still returns the oldest first."""
    callr.state.variants.list_newest_first = True
    hashes = [
        callr.state.add_incoming(
            callr.account, SENDER, f"sms {minutes}", received_at=NOW - timedelta(minutes=minutes)
        ).hash
        for minutes in (1, 30, 5)
    ]

    listed = await client.get_received_sms()

    assert [sms.guid for sms in listed] == [hashes[1], hashes[2], hashes[0]]


@pytest.mark.parametrize("newest_first", [False, True])
async def test_row_cap(client: CallrClient, callr: CallrSim, newest_first: bool) -> None:
    """A capped list is returned as served (the client cannot page: none is documented)."""
    callr.state.variants.list_row_cap = 2
    callr.state.variants.list_newest_first = newest_first
    sms = [
        callr.state.add_incoming(
            callr.account, SENDER, f"sms {n}", received_at=NOW - timedelta(minutes=10 - n)
        )
        for n in range(4)
    ]

    listed = await client.get_received_sms()

    kept = sms[2:] if newest_first else sms[:2]
    assert [item.guid for item in listed] == [item.hash for item in kept]


async def test_legacy_push_fields_ignored(client: CallrClient, callr: CallrSim) -> None:
    """Older payloads' ``push_*`` members change nothing."""
    callr.state.variants.legacy_push_fields = True
    sms = callr.state.add_incoming(callr.account, SENDER, "Hi")

    [received] = await client.get_received_sms()

    assert (received.guid, received.message, received.received_at) == (sms.hash, "Hi", NOW)


def _row(**changes: Any) -> dict[str, Any]:  # noqa: ANN401
    row = fixture("sms-in.json")
    row.update(changes)
    return {key: value for key, value in row.items() if value is not ...}


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (
            _row(date_received="0000-00-00 00:00:00", date_creation="2025-03-31 15:41:00"),
            datetime(2025, 3, 31, 15, 41, tzinfo=UTC),
        ),
        (
            _row(date_received=..., date_creation="2025-03-31T15:41:00.250Z"),
            datetime(2025, 3, 31, 15, 41, 0, 250_000, tzinfo=UTC),
        ),
        (
            _row(date_received="2025-03-31 17:42:00+02:00"),
            datetime(2025, 3, 31, 15, 42, tzinfo=UTC),
        ),
    ],
    ids=["no-date-received", "iso-creation", "offset"],
)
async def test_received_at_fallbacks(
    client: CallrClient, callr: CallrSim, row: dict[str, Any], expected: datetime
) -> None:
    """``0000-00-00 00:00:00`` means none: ``date_creation`` is used; other forms are read."""
    _serve(callr, [row])

    [sms] = await client.get_received_sms()

    assert sms.received_at == expected


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (_row(text=None), ""),
        (_row(text=...), ""),
        (_row(text="  spaced\n"), "  spaced\n"),
        (_row(text="bad \udc80 surrogate"), "bad \ufffd surrogate"),
        (_row(text=12), "12"),
    ],
    ids=["null", "absent", "verbatim", "surrogate", "number"],
)
async def test_message_text(
    client: CallrClient, callr: CallrSim, row: dict[str, Any], expected: str
) -> None:
    """The text is kept verbatim (lone surrogates replaced); none is an empty message."""
    _serve(callr, [row])

    [sms] = await client.get_received_sms()

    assert sms.message == expected


async def test_rows_of_the_other_type_are_skipped(client: CallrClient, callr: CallrSim) -> None:
    """A row typed ``OUT`` in the ``IN`` list is not read as received; a row without type is."""
    _serve(callr, [fixture("sms-out.json"), _row(type=...)])

    [sms] = await client.get_received_sms()

    assert sms.guid == "ZK4Q2W7M"


@pytest.mark.parametrize(
    ("data", "match"),
    [
        (None, "expected a list for 'data'"),
        ({}, "expected a list for 'data'"),
        ("", "expected a list for 'data'"),
        (["ZK4Q2W7M"], "expected an object for 'sms'"),
        ([_row(hash=...)], "'hash'"),
        ([_row(hash="ZK4Q 2W7M")], "'hash'"),
        ([_row(hash=12345678)], "'hash'"),
        ([_row(**{"from": ""})], "'from'"),
        ([_row(**{"from": None})], "'from'"),
        ([_row(date_received="0000-00-00 00:00:00", date_creation=...)], "'date_received'"),
        ([_row(date_received="yesterday", date_creation="0000-00-00 00:00:00")], "'date_received'"),
        ([_row(date_received=1743435720, date_creation=...)], "'date_received'"),
        ([_row(date_received="9" * 50, date_creation=...)], "'date_received'"),
    ],
    ids=[
        "null",
        "object",
        "string",
        "row-not-object",
        "no-hash",
        "bad-hash",
        "numeric-hash",
        "empty-from",
        "null-from",
        "no-dates",
        "unreadable-dates",
        "unix-date",
        "long-date",
    ],
)
async def test_invalid_lists(
    client: CallrClient, callr: CallrSim, data: object, match: str
) -> None:
    """A list that is not one, or a row without what identifies it: invalid, never "nothing"."""
    _serve(callr, data)

    with pytest.raises(SmsGatewayInvalidResponseError, match=match) as caught:
        await client.get_received_sms()

    assert caught.value.code == "invalid_response"


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [({"phone_id": "phone-a"}, "phone_id"), ({"unread_only": True}, "unread_only")],
)
async def test_unsupported_filters(
    client: CallrClient, callr: CallrSim, kwargs: dict[str, Any], match: str
) -> None:
    """CALLR has neither phones nor read status: ``ValueError`` before any request."""
    with pytest.raises(ValueError, match=match):
        await client.get_received_sms(**kwargs)

    assert callr.requests() == []
