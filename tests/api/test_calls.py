"""Call logs: missed calls and answered (incoming/outgoing) calls."""

from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
import json
from typing import Any, Literal

import pytest

from custom_components.smsmobileapi.api import (
    CALLS_MAX_LIMIT,
    MISSED_CALLS_MAX_LIMIT,
    Call,
    CallType,
    SmsGatewayInvalidResponseError,
    SmsMobileApiClient,
)
from smsmobileapi_simulator import Fault

from .conftest import API_KEY, NOW, NOW_UNIX, Sim, assert_no_secret, fixture_text

BASE_FIELDS = {"from": "homeassistant", "apikey": API_KEY}
type Answered = Literal[CallType.INCOMING, CallType.OUTGOING]


@pytest.fixture
def missed(sim: Sim) -> dict[str, Call]:
    """Missed calls 20 min, 5 min and 2 days ago (the 5-min one from an unknown number)."""
    state, account = sim.state, sim.account
    calls = {
        "alex": ("+32470000051", "Alex", NOW - timedelta(minutes=20)),
        "unknown": ("+32470000052", None, NOW - timedelta(minutes=5)),
        "bob": ("+32470000053", "Bob", NOW - timedelta(days=2)),
    }
    for number, name, at in calls.values():
        state.add_call(account, "missed", number, name=name, at=at)
    return {
        key: Call(call_type=CallType.MISSED, number=number, call_at=at, name=name)
        for key, (number, name, at) in calls.items()
    }


async def test_missed_calls_newest_first(
    client: SmsMobileApiClient, sim: Sim, missed: dict[str, Call]
) -> None:
    """Defaults: limit=100 is sent, offset 0 is not; names "" become None; newest first."""
    calls = await client.get_missed_calls()

    assert calls == (missed["unknown"], missed["alex"], missed["bob"])
    [request] = sim.requests_to("/call/missed/list/")
    assert request.method == "GET"
    assert request.query == {"limit": "100", **BASE_FIELDS}
    assert calls[0].key == f"missed:+32470000052:{NOW_UNIX - 300}"
    assert calls[0].call_at.utcoffset() == timedelta(0)


@pytest.mark.parametrize(
    ("kwargs", "fields", "expected"),
    [
        (
            {"date_start": date(2026, 9, 23)},
            {"limit": "100", "date_start": "2026-09-23"},
            ["unknown", "alex"],
        ),
        (
            {"date_end": date(2026, 9, 22)},
            {"limit": "100", "date_end": "2026-09-22"},
            ["bob"],
        ),
        ({"search": "alex"}, {"limit": "100", "search": "alex"}, ["alex"]),
        ({"limit": 1, "offset": 1}, {"limit": "1", "offset": "1"}, ["alex"]),
        ({"limit": MISSED_CALLS_MAX_LIMIT}, {"limit": "500"}, ["unknown", "alex", "bob"]),
    ],
)
async def test_missed_calls_filters(
    client: SmsMobileApiClient,
    sim: Sim,
    missed: dict[str, Call],
    kwargs: dict[str, Any],
    fields: dict[str, str],
    expected: list[str],
) -> None:
    """Filters and paging go out under the documented names."""
    calls = await client.get_missed_calls(**kwargs)

    assert calls == tuple(missed[name] for name in expected)
    assert sim.only_fields("/call/missed/list/") == {**fields, **BASE_FIELDS}


@pytest.mark.parametrize("limit", [0, -1, MISSED_CALLS_MAX_LIMIT + 1])
async def test_missed_calls_limit_bounds(client: SmsMobileApiClient, sim: Sim, limit: int) -> None:
    """A limit outside 1..500 raises ValueError before any request."""
    with pytest.raises(ValueError, match=r"^limit must be between 1 and 500$"):
        await client.get_missed_calls(limit=limit)

    assert sim.state.requests == []


async def test_missed_calls_documented_example(client: SmsMobileApiClient, sim: Sim) -> None:
    """The documented example parses to exact values."""
    sim.state.faults.add(
        Fault(
            "status",
            path="/call/missed/list/",
            status=200,
            body=fixture_text("docs_missed_calls.json"),
        )
    )

    assert await client.get_missed_calls() == (
        Call(
            call_type=CallType.MISSED,
            number="+123470000000",
            call_at=datetime(2026, 2, 24, 12, 49, 39, tzinfo=UTC),
            name="John Doe",
        ),
        Call(
            call_type=CallType.MISSED,
            number="+123471111111",
            call_at=datetime(2026, 2, 24, 11, 12, 9, tzinfo=UTC),
        ),
    )


@pytest.fixture
def answered(sim: Sim) -> dict[str, Call]:
    """Incoming calls 40 and 10 min ago; an outgoing call 15 min ago."""
    state, account = sim.state, sim.account
    rows: dict[str, tuple[Answered, str, str | None, datetime, int, str | None]] = {
        "sam": (CallType.INCOMING, "+32470000061", "Sam", NOW - timedelta(minutes=40), 125, "BE"),
        "anon": (CallType.INCOMING, "+32470000062", None, NOW - timedelta(minutes=10), 30, None),
        "out": (CallType.OUTGOING, "+32470000063", "Kim", NOW - timedelta(minutes=15), 42, "FR"),
    }
    for call_type, number, name, at, duration, geo in rows.values():
        state.add_call(
            account,
            call_type.value,  # type: ignore[arg-type]
            number,
            name=name,
            at=at,
            duration=duration,
            geo_location=geo,
        )
    return {
        key: Call(
            call_type=call_type,
            number=number,
            call_at=at,
            name=name,
            duration=duration,
            geo_location=geo,
        )
        for key, (call_type, number, name, at, duration, geo) in rows.items()
    }


async def test_incoming_calls(
    client: SmsMobileApiClient, sim: Sim, answered: dict[str, Call]
) -> None:
    """Defaults: limit 50, sort by call date descending; durations and places parsed."""
    calls = await client.get_answered_calls(CallType.INCOMING)

    assert calls == (answered["anon"], answered["sam"])
    [request] = sim.requests_to("/call/incoming/list/")
    assert request.method == "GET"
    assert request.query == {
        "limit": "50",
        "sort_by": "call_date_ms",
        "sort_dir": "desc",
        **BASE_FIELDS,
    }


async def test_outgoing_calls(
    client: SmsMobileApiClient, sim: Sim, answered: dict[str, Call]
) -> None:
    """The outgoing log is its own endpoint."""
    calls = await client.get_answered_calls(CallType.OUTGOING)

    assert calls == (answered["out"],)
    assert sim.requests_to("/call/incoming/list/") == []
    assert len(sim.requests_to("/call/outgoing/list/")) == 1


async def test_answered_calls_every_parameter(
    client: SmsMobileApiClient, sim: Sim, answered: dict[str, Call]
) -> None:
    """since/until go out as UTC milliseconds, query as q; the result is still newest first."""
    calls = await client.get_answered_calls(
        CallType.INCOMING,
        limit=CALLS_MAX_LIMIT,
        offset=0,
        sort_by="duration_sec",
        sort_dir="asc",
        since=NOW - timedelta(hours=1),
        until=NOW - timedelta(minutes=10, milliseconds=1),
        query="SAM",
    )

    assert calls == (answered["sam"],)
    assert sim.only_fields("/call/incoming/list/") == {
        "limit": "200",
        "sort_by": "duration_sec",
        "sort_dir": "asc",
        "date_from_ms": str((NOW_UNIX - 3600) * 1000),
        "date_to_ms": str((NOW_UNIX - 600) * 1000 - 1),
        "q": "SAM",
        **BASE_FIELDS,
    }


async def test_answered_calls_ascending_request_newest_first_result(
    client: SmsMobileApiClient, sim: Sim, answered: dict[str, Call]
) -> None:
    """Whatever order the service answers in, the client returns newest first."""
    calls = await client.get_answered_calls(CallType.INCOMING, sort_dir="asc", offset=1, limit=1)

    assert calls == (answered["anon"],)
    assert sim.only_fields("/call/incoming/list/")["offset"] == "1"


@pytest.mark.parametrize("call_type", [CallType.INCOMING, CallType.OUTGOING])
async def test_echoed_api_key_not_returned(
    client: SmsMobileApiClient, sim: Sim, answered: dict[str, Call], call_type: Answered
) -> None:
    """The service echoes the API key in ``apikey``; it reaches no returned object."""
    calls = await client.get_answered_calls(call_type)

    assert calls
    assert_no_secret(calls, *calls, *(vars_of(call) for call in calls))


def vars_of(call: Call) -> dict[str, Any]:
    """Every field of a (slotted) call."""
    return {name: getattr(call, name) for name in Call.__slots__}


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"sort_by": "apikey"}, r"^sort_by must be one of \['cached_name', 'call_date_ms', "),
        ({"limit": 0}, "^limit must be between 1 and 200$"),
        ({"limit": CALLS_MAX_LIMIT + 1}, "^limit must be between 1 and 200$"),
    ],
)
async def test_answered_calls_validation(
    client: SmsMobileApiClient, sim: Sim, kwargs: dict[str, Any], message: str
) -> None:
    """Unknown sort fields and out-of-range limits raise ValueError before any request."""
    with pytest.raises(ValueError, match=message):
        await client.get_answered_calls(CallType.INCOMING, **kwargs)

    assert sim.state.requests == []


@pytest.mark.parametrize(
    ("fixture", "call_type", "expected"),
    [
        (
            "docs_incoming_calls.json",
            CallType.INCOMING,
            Call(
                call_type=CallType.INCOMING,
                number="+123470000000",
                # call_date_ms wins over the (inconsistent) call_datetime_utc of the example.
                call_at=datetime(2025, 10, 23, 15, 29, 39, tzinfo=UTC),
                name="Matteo Css",
                duration=440,
                geo_location="Belgique",
            ),
        ),
        (
            "docs_outgoing_calls.json",
            CallType.OUTGOING,
            Call(
                call_type=CallType.OUTGOING,
                number="+123490000000",
                call_at=datetime(2025, 10, 23, 14, 50, tzinfo=UTC),
                duration=120,
                geo_location="Belgique",
            ),
        ),
    ],
)
async def test_answered_calls_documented_examples(
    client: SmsMobileApiClient, sim: Sim, fixture: str, call_type: Answered, expected: Call
) -> None:
    """The documented examples parse to exact values."""
    sim.state.faults.add(
        Fault(
            "status",
            path=f"/call/{call_type.value}/list/",
            status=200,
            body=fixture_text(fixture),
        )
    )

    assert await client.get_answered_calls(call_type) == (expected,)


@pytest.mark.parametrize(
    ("call", "body"),
    [
        (lambda c: c.get_missed_calls(), {"success": True, "offset": 0, "count": 0}),
        (lambda c: c.get_answered_calls(CallType.INCOMING), {"success": True, "rows": None}),
    ],
    ids=["missed", "incoming"],
)
async def test_calls_unknown_layout(
    client: SmsMobileApiClient,
    sim: Sim,
    call: Callable[[SmsMobileApiClient], Awaitable[object]],
    body: dict[str, Any],
) -> None:
    """A call list without its rows is an unknown layout, never "no calls"."""
    sim.state.faults.add(Fault("status", status=200, body=json.dumps(body)))

    with pytest.raises(SmsGatewayInvalidResponseError, match=r"^missing field 'rows' in response$"):
        await call(client)


@pytest.mark.parametrize(
    ("call_type", "field"), [(CallType.MISSED, "date"), (CallType.INCOMING, "call_date_ms")]
)
async def test_call_without_time(
    client: SmsMobileApiClient, sim: Sim, call_type: CallType, field: str
) -> None:
    """A row without a readable time raises, naming the field of that log."""
    sim.state.faults.add(
        Fault(
            "status",
            path=f"/call/{call_type.value}/list/",
            status=200,
            body='{"success":true,"rows":[{"phone_number":"+1","call_date_ms":"never"}]}',
        )
    )

    listing = (
        client.get_missed_calls()
        if call_type is CallType.MISSED
        else client.get_answered_calls(CallType.INCOMING)
    )

    with pytest.raises(SmsGatewayInvalidResponseError, match=f"^missing field '{field}' in call$"):
        await listing


async def test_zero_second_call_keeps_its_duration(client: SmsMobileApiClient, sim: Sim) -> None:
    """A call of 0 seconds has a duration of 0, not an unknown one."""
    sim.state.add_call(sim.account, "outgoing", "+32470000064", at=NOW, duration=0)

    [call] = await client.get_answered_calls(CallType.OUTGOING)

    assert call.duration == 0


@pytest.mark.parametrize(
    ("row", "call_at"),
    [
        ({"date": "2026-02-24 12:49:39"}, datetime(2026, 2, 24, 12, 49, 39, tzinfo=UTC)),
        ({"date": " 2026-02-24 12:49:39 "}, datetime(2026, 2, 24, 12, 49, 39, tzinfo=UTC)),
        (
            {"date": "2026-02-24 12:49:39", "call_date_ms": 1771937379000},
            datetime(2026, 2, 24, 12, 49, 39, tzinfo=UTC),
        ),
        ({"date": "2026-02-24T12:49:39+02:00"}, None),
        ({"date": "2026-02-24 12:49"}, None),
        ({"date": "1771937379000"}, None),
        ({"date": "2026-02-30 12:49:39"}, None),
    ],
    ids=["documented", "padded", "epoch-first", "offset", "no-seconds", "epoch-text", "no-day"],
)
async def test_missed_call_date_format(
    client: SmsMobileApiClient, sim: Sim, row: dict[str, Any], call_at: datetime | None
) -> None:
    """The missed list's ``date`` is read in its documented format only, as UTC.

    Its zone is not documented; the vendor's Webhook V2 example of the same format is UTC.
    Another shape (an offset, a number) is not this field: the row is invalid.
    """
    body = {"success": True, "data": [{"number": "+1", "name": "", **row}]}
    sim.state.faults.add(
        Fault("status", path="/call/missed/list/", status=200, body=json.dumps(body))
    )

    if call_at is None:
        with pytest.raises(SmsGatewayInvalidResponseError, match=r"^missing field 'date' in call$"):
            await client.get_missed_calls()
    else:
        assert await client.get_missed_calls() == (
            Call(call_type=CallType.MISSED, number="+1", call_at=call_at),
        )
