"""Received SMS: listing (every time format), read flag, alias and deletion."""

from datetime import UTC, date, datetime, timedelta, timezone
import json
from typing import Any

import pytest

from custom_components.smsmobileapi.api import (
    ReceivedSms,
    SmsGatewayInvalidResponseError,
    SmsGatewayResponseError,
    SmsMobileApiClient,
)
from smsmobileapi_simulator import Fault, SimReceivedSms

from .conftest import API_KEY, NOW, NOW_UNIX, Sim

BASE_FIELDS = {"from": "homeassistant", "apikey": API_KEY}


def _expected(sms: SimReceivedSms, *, received_at: datetime | None = None) -> ReceivedSms:
    return ReceivedSms(
        guid=sms.guid,
        number=sms.number,
        message=sms.message,
        received_at=received_at or sms.received_at,
        phone_id=sms.sid,
        alias=sms.alias,
        sms_id=sms.id,
    )


@pytest.fixture
def inbox(sim: Sim) -> dict[str, SimReceivedSms]:
    """Three received SMS, stored newest first: 10 min, 30 min (read) and 50 min ago."""
    state, account = sim.state, sim.account
    third = state.add_received_sms(
        account,
        "+32470000031",
        "Third",
        received_at=NOW - timedelta(minutes=10),
        sid="phone-a",
        alias="Mum",
    )
    second = state.add_received_sms(
        account,
        "+32470000032",
        "Second",
        received_at=NOW - timedelta(minutes=30),
        sid="phone-b",
        read=True,
    )
    first = state.add_received_sms(
        account, "+32470000031", "First", received_at=NOW - timedelta(minutes=50), sid="phone-a"
    )
    return {"first": first, "second": second, "third": third}


async def test_received_sms_oldest_first(
    client: SmsMobileApiClient, sim: Sim, inbox: dict[str, SimReceivedSms]
) -> None:
    """Every SMS, oldest first, with its GUID, phone, alias and numeric id."""
    messages = await client.get_received_sms()

    assert messages == (
        _expected(inbox["first"]),
        _expected(inbox["second"]),
        _expected(inbox["third"]),
    )
    [request] = sim.requests_to("/getsms/")
    assert request.method == "GET"
    assert request.query == BASE_FIELDS


async def test_received_sms_after(
    client: SmsMobileApiClient, sim: Sim, inbox: dict[str, SimReceivedSms]
) -> None:
    """``after`` goes out as ``after_timestamp_unix`` (UTC seconds); only later SMS come back."""
    after = (NOW - timedelta(minutes=30)).astimezone(timezone(timedelta(hours=2)))

    messages = await client.get_received_sms(after=after)

    assert messages == (_expected(inbox["third"]),)
    assert sim.only_fields("/getsms/") == {
        "after_timestamp_unix": str(NOW_UNIX - 1800),
        **BASE_FIELDS,
    }


async def test_received_sms_incremental_polling(
    client: SmsMobileApiClient, sim: Sim, inbox: dict[str, SimReceivedSms]
) -> None:
    """Polling with the newest time seen returns each SMS once."""
    seen = await client.get_received_sms()
    assert await client.get_received_sms(after=seen[-1].received_at) == ()

    newer = sim.state.add_received_sms(
        sim.account, "+32470000033", "Fourth", received_at=NOW - timedelta(minutes=1)
    )

    assert await client.get_received_sms(after=seen[-1].received_at) == (_expected(newer),)


async def test_received_sms_unread_and_device(
    client: SmsMobileApiClient, sim: Sim, inbox: dict[str, SimReceivedSms]
) -> None:
    """``unread_only`` sends onlyunread=yes; ``device_id`` sends sIdentifiantPhone."""
    unread = await client.get_received_sms(unread_only=True)
    on_b = await client.get_received_sms(phone_id="phone-b")

    assert unread == (_expected(inbox["first"]), _expected(inbox["third"]))
    assert on_b == (_expected(inbox["second"]),)
    assert sim.fields_to("/getsms/") == [
        {"onlyunread": "yes", **BASE_FIELDS},
        {"sIdentifiantPhone": "phone-b", **BASE_FIELDS},
    ]


@pytest.mark.parametrize(
    "time_format", ["unix", "unix_ms", "date_hour", "time_received_ms", "time_received_compact"]
)
async def test_every_time_format_same_instant(
    client: SmsMobileApiClient, sim: Sim, time_format: str
) -> None:
    """Seconds, milliseconds, date + hour and both ``time_received`` forms: one UTC instant."""
    moment = datetime(2026, 9, 23, 11, 50, 7, tzinfo=UTC)
    sms = sim.state.add_received_sms(sim.account, "+32470000031", "Hi", received_at=moment)
    sim.state.variants.sms_time_format = time_format  # type: ignore[assignment]

    [message] = await client.get_received_sms()

    assert message == _expected(sms)
    assert message.received_at == moment
    assert message.received_at.utcoffset() == timedelta(0)


@pytest.mark.parametrize(
    ("time_format", "expected"),
    [
        ("unix", datetime(2026, 9, 23, 11, 50, 7, tzinfo=UTC)),
        ("unix_ms", datetime(2026, 9, 23, 11, 50, 7, 250_000, tzinfo=UTC)),
        ("date_hour", datetime(2026, 9, 23, 11, 50, 7, tzinfo=UTC)),
        ("time_received_ms", datetime(2026, 9, 23, 11, 50, 7, 250_000, tzinfo=UTC)),
        ("time_received_compact", datetime(2026, 9, 23, 11, 50, 7, 250_000, tzinfo=UTC)),
    ],
)
async def test_time_format_precision(
    client: SmsMobileApiClient, sim: Sim, time_format: str, expected: datetime
) -> None:
    """Millisecond formats keep the milliseconds; second formats drop them."""
    moment = datetime(2026, 9, 23, 11, 50, 7, 250_000, tzinfo=UTC)
    sim.state.add_received_sms(sim.account, "+32470000031", "Hi", received_at=moment)
    sim.state.variants.sms_time_format = time_format  # type: ignore[assignment]

    [message] = await client.get_received_sms()

    assert message.received_at == expected


async def test_received_sms_sorted_by_client(client: SmsMobileApiClient, sim: Sim) -> None:
    """Rows out of order are sorted oldest first (same second: by numeric id)."""
    rows = [
        {"id": 3, "timestamp_unix": NOW_UNIX, "number": "+1", "guid": "C", "message": "c"},
        {"id": 2, "timestamp_unix": NOW_UNIX, "number": "+1", "guid": "B", "message": "b"},
        {"id": 1, "timestamp_unix": NOW_UNIX - 60, "number": "+1", "guid": "A", "message": "a"},
        {"timestamp_unix": NOW_UNIX, "number": "+1", "guid": "Z", "message": "z"},
    ]
    body = json.dumps({"result": {"error": "", "sms": rows}})
    sim.state.faults.add(Fault("status", path="/getsms/", status=200, body=body))

    messages = await client.get_received_sms()

    assert [message.guid for message in messages] == ["A", "Z", "B", "C"]


async def test_received_sms_documented_example(client: SmsMobileApiClient, sim: Sim) -> None:
    """The OpenAPI example parses to the documented values (unknown fields ignored)."""
    body = {
        "result": {
            "error": "",
            "sms": [
                {
                    "id": 123,
                    "sIdentifiantPhone": "SID",
                    "timestamp_unix": 1754951051,
                    "message": "...",
                    "number": "+15551234567",
                    "guid": "D55A32B7-DEA9-4BB5-A49F-6ECE2FDB4439",
                    "alias": None,
                    "some_future_field": {"x": 1},
                }
            ],
        }
    }
    sim.state.faults.add(Fault("status", path="/getsms/", status=200, body=json.dumps(body)))

    assert await client.get_received_sms() == (
        ReceivedSms(
            guid="D55A32B7-DEA9-4BB5-A49F-6ECE2FDB4439",
            number="+15551234567",
            message="...",
            received_at=datetime(2025, 8, 11, 22, 24, 11, tzinfo=UTC),
            phone_id="SID",
            alias=None,
            sms_id=123,
        ),
    )


@pytest.mark.parametrize(
    ("result", "message"),
    [
        ({"error": ""}, "missing field 'sms' in result"),
        ({"error": "", "sms": None}, "missing field 'sms' in result"),
        ({"error": "", "messages": [{"guid": "G"}]}, "missing field 'sms' in result"),
    ],
)
async def test_received_sms_unknown_layout(
    client: SmsMobileApiClient, sim: Sim, result: dict[str, object], message: str
) -> None:
    """A result without its ``sms`` list is an unknown layout, never an empty inbox."""
    sim.state.faults.add(
        Fault("status", path="/getsms/", status=200, body=json.dumps({"result": result}))
    )

    with pytest.raises(SmsGatewayInvalidResponseError, match=f"^{message}$"):
        await client.get_received_sms()


async def test_received_sms_lone_surrogates(client: SmsMobileApiClient, sim: Sim) -> None:
    """A truncated emoji (a lone UTF-16 half escaped in JSON) in any text comes back as U+FFFD."""
    body = (
        '{"result":{"error":"","sms":[{"guid":"G\\ud83d","number":"+1\\ude00",'
        '"message":"See you \\ud83d","alias":"\\udcff","timestamp_unix":1790164800}]}}'
    )
    sim.state.faults.add(Fault("status", path="/getsms/", status=200, body=body))

    [sms] = await client.get_received_sms()

    assert (sms.guid, sms.number, sms.message, sms.alias) == (
        "G\ufffd",
        "+1\ufffd",
        "See you \ufffd",
        "\ufffd",
    )


async def test_received_sms_missing_time(client: SmsMobileApiClient, sim: Sim) -> None:
    """A row without any readable time raises InvalidResponseError naming the field."""
    body = {"result": {"error": "", "sms": [{"guid": "A", "number": "+1", "date": "soon"}]}}
    sim.state.faults.add(Fault("status", path="/getsms/", status=200, body=json.dumps(body)))

    with pytest.raises(
        SmsGatewayInvalidResponseError, match=r"^missing field 'timestamp_unix' in sms$"
    ):
        await client.get_received_sms()


async def test_mark_read(
    client: SmsMobileApiClient, sim: Sim, inbox: dict[str, SimReceivedSms]
) -> None:
    """``mark_read`` sets the API-side read flag through ``guid_message``."""
    guid = inbox["first"].guid

    await client.mark_read(guid)

    [request] = sim.requests_to("/getsms/set-read/")
    assert request.method == "GET"
    assert request.query == {"guid_message": guid, **BASE_FIELDS}
    assert inbox["first"].read is True
    assert await client.get_received_sms(unread_only=True) == (_expected(inbox["third"]),)


async def test_mark_read_unknown(client: SmsMobileApiClient, sim: Sim) -> None:
    """An unknown GUID is the service's ``not_found`` error."""
    with pytest.raises(SmsGatewayResponseError) as caught:
        await client.mark_read("NOPE")

    assert caught.value.code == "not_found"
    assert str(caught.value) == (
        "/getsms/set-read/ failed with error not_found: No received SMS has this GUID"
    )


@pytest.mark.parametrize(("alias", "stored"), [("Plumber", "Plumber"), ("", None)])
async def test_set_alias(
    client: SmsMobileApiClient,
    sim: Sim,
    inbox: dict[str, SimReceivedSms],
    alias: str,
    stored: str | None,
) -> None:
    """An alias is set; an empty alias is still sent, and clears it."""
    sms = inbox["third"]

    await client.set_alias(sms.guid, alias)

    [request] = sim.requests_to("/getsms/update/")
    assert request.method == "POST"
    assert request.form == {"guid": sms.guid, "alias": alias, **BASE_FIELDS}
    assert sms.alias == stored
    [_, _, third] = await client.get_received_sms()
    assert third.alias == stored


@pytest.fixture
def days(sim: Sim) -> dict[str, SimReceivedSms]:
    """One SMS on each of 21, 22 and 23 September."""
    state, account = sim.state, sim.account
    return {
        day: state.add_received_sms(
            account, "+32470000031", day, received_at=datetime(2026, 9, int(day), 10, tzinfo=UTC)
        )
        for day in ("21", "22", "23")
    }


@pytest.mark.parametrize(
    ("kwargs", "fields", "left"),
    [
        ({"date_start": date(2026, 9, 22)}, {"date_start": "2026-09-22"}, ["21", "23"]),
        (
            {"date_start": date(2026, 9, 21), "date_end": date(2026, 9, 22)},
            {"date_start": "2026-09-21", "date_end": "2026-09-22"},
            ["23"],
        ),
    ],
)
async def test_delete_by_dates(
    client: SmsMobileApiClient,
    sim: Sim,
    days: dict[str, SimReceivedSms],
    kwargs: dict[str, Any],
    fields: dict[str, str],
    left: list[str],
) -> None:
    """One day, or a period of days, is deleted from the service's log."""
    await client.delete_received_sms(**kwargs)

    [request] = sim.requests_to("/deletesms/")
    assert request.method == "GET"
    assert request.query == {**fields, **BASE_FIELDS}
    assert [sms.message for sms in sim.account.received] == left


async def test_delete_by_guid(
    client: SmsMobileApiClient, sim: Sim, days: dict[str, SimReceivedSms]
) -> None:
    """One SMS is deleted by its GUID."""
    await client.delete_received_sms(guid=days["22"].guid)

    assert sim.only_fields("/deletesms/") == {"guid_message": days["22"].guid, **BASE_FIELDS}
    assert [sms.message for sms in sim.account.received] == ["21", "23"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({}, "give a guid or a date_start"), ({"date_end": date(2026, 9, 22)}, "give a guid")],
)
async def test_delete_needs_a_target(
    client: SmsMobileApiClient, sim: Sim, kwargs: dict[str, Any], message: str
) -> None:
    """Without a GUID or a start day nothing is sent: ValueError."""
    with pytest.raises(ValueError, match=f"^{message}"):
        await client.delete_received_sms(**kwargs)

    assert sim.state.requests == []


async def test_delete_end_without_start(client: SmsMobileApiClient, sim: Sim) -> None:
    """An end day needs a start day, even with a GUID."""
    with pytest.raises(ValueError, match=r"^date_end needs date_start$"):
        await client.delete_received_sms(guid="ABC", date_end=date(2026, 9, 22))

    assert sim.state.requests == []
