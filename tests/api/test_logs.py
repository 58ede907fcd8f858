"""Sent-message logs: ``get_sent_messages`` (typed rows) and ``get_sent_from_mobile``."""

from collections.abc import Callable
from datetime import date, timedelta
import json
from typing import Any

import pytest

from custom_components.smsmobileapi.api import (
    SENT_FROM_MOBILE_MAX_LIMIT,
    SendFailure,
    SentFromMobile,
    SentMessage,
    SmsGatewayInvalidResponseError,
    SmsMobileApiClient,
)
from smsmobileapi_simulator import Fault, SimSentSms

from .conftest import API_KEY, NOW, Sim

BASE_FIELDS = {"from": "homeassistant", "apikey": API_KEY}


def _row(sent: SimSentSms, *, hours_ago: int, failure: SendFailure | None) -> SentMessage:
    """The typed row the client must return for a message the simulator lists."""
    port = sent.fields.get("port")
    return SentMessage(
        guid=sent.guid,
        recipients=sent.recipients,
        message=sent.message,
        status=sent.status,
        sent_at=NOW - timedelta(hours=hours_ago),
        phone_id=sent.sid,
        sim=int(port) if port else None,
        whatsapp=False,
        failure=failure,
    )


@pytest.fixture
def sent_log(sim: Sim) -> dict[str, SentMessage]:
    """Three sent messages: queued (3 h ago), API error (2 h), mobile error (1 h)."""
    state, account = sim.state, sim.account
    queued = state.add_sent_sms(
        account,
        recipients="+32470000011",
        message="Invoice ready",
        created_at=NOW - timedelta(hours=3),
        sid="phone-a",
        fields={"port": "1"},
    )
    api_error = state.add_sent_sms(
        account,
        recipients="+32470000012",
        message="Door open",
        status="error",
        error_source="api",
        created_at=NOW - timedelta(hours=2),
    )
    mobile_error = state.add_sent_sms(
        account,
        recipients="+32470000011",
        message="Reminder",
        status="error",
        created_at=NOW - timedelta(hours=1),
    )
    return {
        "queued": _row(queued, hours_ago=3, failure=None),
        "api_error": _row(api_error, hours_ago=2, failure="api"),
        "mobile_error": _row(mobile_error, hours_ago=1, failure="mobile"),
    }


async def test_sent_log_rows_typed(
    client: SmsMobileApiClient, sim: Sim, sent_log: dict[str, SentMessage]
) -> None:
    """Every row comes back as a typed ``SentMessage``, newest first."""
    rows = await client.get_sent_messages()

    assert rows == (sent_log["mobile_error"], sent_log["api_error"], sent_log["queued"])
    [request] = sim.requests_to("/log/sent/sms/")
    assert request.method == "GET"
    assert request.query == BASE_FIELDS


async def test_sent_log_keyword(
    client: SmsMobileApiClient, sim: Sim, sent_log: dict[str, SentMessage]
) -> None:
    """``keyword`` goes out under the service's parameter name and is applied."""
    rows = await client.get_sent_messages(keyword="+32470000011")

    assert rows == (sent_log["mobile_error"], sent_log["queued"])
    assert sim.only_fields("/log/sent/sms/") == {"keyword": "+32470000011", **BASE_FIELDS}


async def test_sent_log_errors_only(
    client: SmsMobileApiClient, sim: Sim, sent_log: dict[str, SentMessage]
) -> None:
    """The log filters one error source per request: both are asked for and merged."""
    rows = await client.get_sent_messages(errors_only=True)

    assert rows == (sent_log["mobile_error"], sent_log["api_error"])
    requests = sim.requests_to("/log/sent/sms/")
    assert sorted((request.query for request in requests), key=str) == [
        {"error_api": "1", **BASE_FIELDS},
        {"error_mobile": "1", **BASE_FIELDS},
    ]


async def test_sent_log_since(
    client: SmsMobileApiClient, sim: Sim, sent_log: dict[str, SentMessage]
) -> None:
    """``since`` keeps the newer messages (the log itself has no such filter)."""
    rows = await client.get_sent_messages(since=NOW - timedelta(minutes=150))

    assert rows == (sent_log["mobile_error"], sent_log["api_error"])
    assert sim.only_fields("/log/sent/sms/") == BASE_FIELDS


async def test_sent_log_by_guid(
    client: SmsMobileApiClient, sim: Sim, sent_log: dict[str, SentMessage]
) -> None:
    """``guid`` filters on ``guid_message``."""
    guid = sent_log["api_error"].guid
    assert guid is not None

    rows = await client.get_sent_messages(guid=guid)

    assert rows == (sent_log["api_error"],)
    assert sim.only_fields("/log/sent/sms/") == {"guid_message": guid, **BASE_FIELDS}


@pytest.mark.parametrize("rows_key", ["sms", "messages", "data"])
async def test_sent_log_strips_secrets(client: SmsMobileApiClient, sim: Sim, rows_key: str) -> None:
    """Undocumented rows are read field by field: a credential the service echoes never leaves."""
    row = {
        "guid": "abc",
        "apikey": API_KEY,
        "api_key": API_KEY,
        "access_token": "echoed-bearer",
        "client_secret": "echoed-secret",
        "extra": {"nested": [1, 2]},
    }
    body = {"result": {"error": 0, rows_key: [row]}}
    sim.state.faults.add(Fault("status", path="/log/sent/sms/", status=200, body=json.dumps(body)))

    rows = await client.get_sent_messages()

    assert rows == (SentMessage(guid="abc", recipients=None, message=""),)
    assert API_KEY not in repr(rows)


@pytest.mark.parametrize(
    "body",
    [{"result": {"error": 0, "sms": []}}, {"result": {"data": []}}, {"success": True, "data": []}],
)
async def test_sent_log_empty(client: SmsMobileApiClient, sim: Sim, body: dict[str, Any]) -> None:
    """An empty list, wherever the log keeps it, is an empty log."""
    sim.state.faults.add(Fault("status", path="/log/sent/sms/", status=200, body=json.dumps(body)))

    assert await client.get_sent_messages() == ()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"success": True}, "missing field 'result' in response"),
        ({"result": []}, "expected an object for 'result'"),
        ({"result": {"error": 0, "sms": {"guid": "abc"}}}, "expected a list for 'sms'"),
        ({"result": {"error": 0, "sms": ["abc"]}}, "expected an object for 'sms'"),
        ({"result": {"error": 0}}, "missing field 'sms' in result"),
        ({"result": {"error": 0, "sms": None}}, "missing field 'sms' in result"),
    ],
)
async def test_sent_log_unexpected_shapes(
    client: SmsMobileApiClient, sim: Sim, body: dict[str, Any], message: str
) -> None:
    """A body without the envelope or without rows raises InvalidResponseError naming the part.

    No rows at all is an unknown layout, never an empty log.
    """
    sim.state.faults.add(Fault("status", path="/log/sent/sms/", status=200, body=json.dumps(body)))

    with pytest.raises(SmsGatewayInvalidResponseError, match=f"^{message}$") as caught:
        await client.get_sent_messages()

    assert caught.value.code == "invalid_response"


# --- sent from the phones themselves -----------------------------------------------------------


@pytest.fixture
def from_mobile(sim: Sim) -> dict[str, SentFromMobile]:
    """Three SMS sent from the phones: 1 h ago, yesterday and 8 days ago (out of history)."""
    state, account = sim.state, sim.account
    state.add_sent_from_mobile(
        account, "+32470000021", "On my way", sent_at=NOW - timedelta(hours=1), sid="phone-a"
    )
    state.add_sent_from_mobile(
        account,
        "+32470000022",
        "Call me back",
        sent_at=NOW - timedelta(days=1, hours=1),
        sid="phone-b",
        synchro_time=NOW - timedelta(hours=20),
    )
    state.add_sent_from_mobile(
        account, "+32470000023", "Too old", sent_at=NOW - timedelta(days=8), sid="phone-a"
    )
    return {
        "recent": SentFromMobile(
            number="+32470000021",
            message="On my way",
            sent_at=NOW - timedelta(hours=1),
            phone_id="phone-a",
            synced_at=NOW - timedelta(hours=1) + timedelta(seconds=5),
        ),
        "yesterday": SentFromMobile(
            number="+32470000022",
            message="Call me back",
            sent_at=NOW - timedelta(days=1, hours=1),
            phone_id="phone-b",
            synced_at=NOW - timedelta(hours=20),
        ),
    }


async def test_sent_from_mobile(
    client: SmsMobileApiClient, sim: Sim, from_mobile: dict[str, SentFromMobile]
) -> None:
    """The last 7 days, newest first, parsed with aware UTC times."""
    rows = await client.get_sent_from_mobile()

    assert rows == (from_mobile["recent"], from_mobile["yesterday"])
    assert rows[0].sent_at is not None
    assert rows[0].sent_at.utcoffset() == timedelta(0)
    [request] = sim.requests_to("/log/sent/frommobile/")
    assert request.method == "GET"
    assert request.query == BASE_FIELDS


@pytest.mark.parametrize(
    ("kwargs", "fields", "expected"),
    [
        ({"day": date(2026, 9, 22)}, {"date": "2026-09-22"}, ["yesterday"]),
        ({"date_from": date(2026, 9, 23)}, {"date_from": "2026-09-23"}, ["recent"]),
        ({"date_to": date(2026, 9, 22)}, {"date_to": "2026-09-22"}, ["yesterday"]),
        ({"period": "today"}, {"period": "today"}, ["recent"]),
        ({"period": "yesterday"}, {"period": "yesterday"}, ["yesterday"]),
        ({"number": "+32470000022"}, {"number": "+32470000022"}, ["yesterday"]),
        ({"phone_id": "phone-a"}, {"sIdentifiant": "phone-a"}, ["recent"]),
        ({"search": "call me"}, {"search": "call me"}, ["yesterday"]),
        ({"limit": 1}, {"limit": "1"}, ["recent"]),
        ({"limit": SENT_FROM_MOBILE_MAX_LIMIT}, {"limit": "200"}, ["recent", "yesterday"]),
    ],
)
async def test_sent_from_mobile_filters(
    client: SmsMobileApiClient,
    sim: Sim,
    from_mobile: dict[str, SentFromMobile],
    kwargs: dict[str, Any],
    fields: dict[str, str],
    expected: list[str],
) -> None:
    """Each filter goes out under the documented name and the service applies it."""
    rows = await client.get_sent_from_mobile(**kwargs)

    assert rows == tuple(from_mobile[name] for name in expected)
    assert sim.only_fields("/log/sent/frommobile/") == {**fields, **BASE_FIELDS}


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"limit": 0}, "limit must be between 1 and 200"),
        ({"limit": 201}, "limit must be between 1 and 200"),
        (
            {"period": "last_month"},
            (
                r"period must be one of \['last_24h', 'last_3days', 'last_7days', 'today', "
                r"'yesterday'\]"
            ),
        ),
    ],
)
async def test_sent_from_mobile_validation(
    client: SmsMobileApiClient, sim: Sim, kwargs: dict[str, Any], message: str
) -> None:
    """Out-of-range limits and unknown periods raise ValueError before any request."""
    with pytest.raises(ValueError, match=f"^{message}$"):
        await client.get_sent_from_mobile(**kwargs)

    assert sim.state.requests == []


_ROW = {
    "sIdentifiant": "phone-a",
    "number": "+32470000021",
    "message": "Hi",
    "mobile_date_formatted": "2026-09-23 11:00:00",
    "synchro_time": "garbage",
}
_PARSED = SentFromMobile(
    number="+32470000021",
    message="Hi",
    sent_at=NOW - timedelta(hours=1),
    phone_id="phone-a",
    synced_at=None,
)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"success": True, "data": [_ROW]}, (_PARSED,)),
        ({"success": True, "rows": [_ROW]}, (_PARSED,)),
        ({"result": {"error": 0, "data": [_ROW]}}, (_PARSED,)),
        ({"result": {"error": 0, "sms": [_ROW]}}, (_PARSED,)),
        ({"result": {"error": 0, "messages": []}}, ()),
    ],
)
async def test_sent_from_mobile_shapes(
    make_client: Callable[..., SmsMobileApiClient],
    sim: Sim,
    body: dict[str, Any],
    expected: tuple[SentFromMobile, ...],
) -> None:
    """Rows are read from ``data``, ``rows``, ``result.sms`` or ``result.data``."""
    sim.state.faults.add(
        Fault("status", path="/log/sent/frommobile/", status=200, body=json.dumps(body))
    )

    assert await make_client().get_sent_from_mobile() == expected


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"result": {"error": 0}}, "missing field 'sms' in result"),
        ({"result": "nothing"}, "expected an object for 'result'"),
        ({"success": True}, "missing field 'result' in response"),
        ({"success": True, "data": None}, "missing field 'result' in response"),
        ({"success": True, "rows": {}}, "expected a list for 'rows'"),
    ],
)
async def test_sent_from_mobile_unknown_layout(
    client: SmsMobileApiClient, sim: Sim, body: dict[str, Any], message: str
) -> None:
    """No rows anywhere is an unknown layout (an invalid response), never "nothing sent"."""
    sim.state.faults.add(
        Fault("status", path="/log/sent/frommobile/", status=200, body=json.dumps(body))
    )

    with pytest.raises(SmsGatewayInvalidResponseError, match=f"^{message}$"):
        await client.get_sent_from_mobile()
