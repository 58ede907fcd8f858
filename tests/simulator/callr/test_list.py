"""``GET /sms`` (date windows, types, variants) and ``GET /sms/<hash>``."""

from datetime import timedelta

import pytest

from smsmobileapi_simulator.callr import CallrAccount, CallrState
from tests.simulator.helpers import NOW, Clock

from .helpers import WIDE_WINDOW, CallrApi, basic, fixture


def _window(start: str, end: str) -> dict[str, str]:
    return {"from": start, "to": end}


async def test_incoming_window_bounds_included(
    api: CallrApi, state: CallrState, account: CallrAccount
) -> None:
    """IN rows are those received within [from, to], both bounds included, oldest first."""
    for minutes in (30, 10, 20, 0):
        state.add_incoming(
            account,
            "+33612345678",
            f"{minutes} min ago",
            received_at=NOW - timedelta(minutes=minutes),
        )
    answer = await api.list("IN", _window("2026-09-23 11:40:00", "2026-09-23 11:50:00"))
    assert answer.status == 200
    assert [row["text"] for row in answer.json["data"]] == ["20 min ago", "10 min ago"]
    assert all(list(row) == list(fixture("sms-in.json")) for row in answer.json["data"])
    point = await api.list("IN", _window("2026-09-23 12:00:00", "2026-09-23 12:00:00"))
    assert [row["text"] for row in point.json["data"]] == ["0 min ago"]
    outside = await api.list("IN", _window("2026-09-23 12:00:01", "2026-09-24 00:00:00"))
    assert outside.json == {"status": "success", "data": []}


async def test_listed_date_ignores_milliseconds(
    api: CallrApi, state: CallrState, account: CallrAccount
) -> None:
    """A row at 12:00:00.900 is in a window ending 12:00:00 (dates are to the second)."""
    state.add_incoming(account, "+1", "late", received_at=NOW + timedelta(milliseconds=900))
    answer = await api.list("IN", _window("2026-09-23 12:00:00", "2026-09-23 12:00:00"))
    assert len(answer.json["data"]) == 1


async def test_outgoing_filtered_on_creation(
    api: CallrApi, state: CallrState, account: CallrAccount, clock: Clock
) -> None:
    """OUT rows are selected by ``date_creation``, whatever happened to them later; types apart."""
    old = await api.send(body="old")
    clock.advance(hours=1)
    recent = await api.send(body="recent")
    sms = account.find(old)
    assert sms is not None
    state.deliver(sms)  # status changes an hour after its creation
    state.add_incoming(account, "+33612345678", "incoming")
    answer = await api.list("OUT", _window("2026-09-23 12:30:00", "2026-09-23 13:30:00"))
    assert [row["hash"] for row in answer.json["data"]] == [recent]
    everything = await api.list("OUT")
    assert [row["hash"] for row in everything.json["data"]] == [old, recent]
    assert everything.json["data"][0]["status"] == "RECEIVED"


async def test_accounts_do_not_see_each_other(
    api: CallrApi, state: CallrState, account: CallrAccount
) -> None:
    """Another account's SMS are neither listed nor readable."""
    other = state.add_account("other", "pw")
    foreign = state.add_incoming(other, "+33612345678", "not yours")
    assert (await api.list("IN")).json["data"] == []
    answer = await api.get(f"/sms/{foreign.hash}")
    assert (answer.status, answer.json["data"]["message"]) == (400, "PROPERTY_VALUE_ERROR [id]")
    mine = await api.get(f"/sms/{foreign.hash}", headers=basic("other", "pw"))
    assert mine.json["data"]["text"] == "not yours"


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"from": "2026-09-23 12:00:00", "to": "2026-09-23 11:59:59"}, "TO_BEFORE_FROM"),
        ({"type": "in"}, "PROPERTY_VALUE_ERROR [type]"),
        ({"type": None}, "PROPERTY_VALUE_ERROR [type]"),
        ({"type": "ALL"}, "PROPERTY_VALUE_ERROR [type]"),
        ({"from": "2026-09-23"}, "INVALID_PARAM_FORMAT [from]"),
        ({"from": "2026-09-23T12:00:00"}, "INVALID_PARAM_FORMAT [from]"),
        ({"from": "2026-9-23 12:00:00"}, "INVALID_PARAM_FORMAT [from]"),
        ({"from": None}, "INVALID_PARAM_FORMAT [from]"),
        ({"to": "2026-13-01 00:00:00"}, "INVALID_PARAM_FORMAT [to]"),
        ({"to": None}, "INVALID_PARAM_FORMAT [to]"),
    ],
)
async def test_list_errors(api: CallrApi, params: dict[str, str | None], message: str) -> None:
    """A reversed window, a bad type or a bad date: 400 and the error envelope."""
    merged = {"type": "IN", **WIDE_WINDOW, **params}
    query = {key: value for key, value in merged.items() if value is not None}
    answer = await api.get("/sms", query)
    assert (answer.status, answer.json) == (
        400,
        {"status": "error", "data": {"code": 400, "message": message}},
    )


async def test_row_cap_and_order_variants(
    api: CallrApi, state: CallrState, account: CallrAccount
) -> None:
    """By default every row, oldest first; a cap keeps the first rows of the chosen order."""
    for index in range(5):
        state.add_incoming(
            account, "+1", f"m{index}", received_at=NOW - timedelta(minutes=5 - index)
        )

    async def texts() -> list[str]:
        answer = await api.list("IN")
        return [row["text"] for row in answer.json["data"]]

    assert await texts() == ["m0", "m1", "m2", "m3", "m4"]
    state.variants.list_row_cap = 2
    assert await texts() == ["m0", "m1"]
    state.variants.list_newest_first = True
    assert await texts() == ["m4", "m3"]
    state.variants.list_row_cap = None
    assert await texts() == ["m4", "m3", "m2", "m1", "m0"]


async def test_get_one(api: CallrApi, state: CallrState, account: CallrAccount) -> None:
    """``GET /sms/<hash>`` serves one object; the hash is case-sensitive."""
    sms = state.add_incoming(account, "+33612345678", "Hello from my phone")
    answer = await api.get(f"/sms/{sms.hash}")
    assert (answer.status, answer.json["status"]) == (200, "success")
    assert answer.json["data"] == state.sms_json(sms)
    lower = await api.get(f"/sms/{sms.hash.lower()}")
    assert lower.status == 400


async def test_unknown_hash_404_variant(api: CallrApi, state: CallrState) -> None:
    """``unknown_hash_status=404``: the same message with 404 (code -32602 in JSON-RPC)."""
    state.variants.unknown_hash_status = 404
    answer = await api.get("/sms/ZZZZZZZZ")
    assert (answer.status, answer.json["data"]) == (
        404,
        {"code": 404, "message": "PROPERTY_VALUE_ERROR [id]"},
    )
    state.variants.error_codes = "jsonrpc"
    assert (await api.get("/sms/ZZZZZZZZ")).json["data"]["code"] == -32602


async def test_legacy_push_fields_served(
    api: CallrApi, state: CallrState, account: CallrAccount
) -> None:
    """The ``legacy_push_fields`` variant shows in list and get answers."""
    state.variants.legacy_push_fields = True
    sms = state.add_incoming(account, "+1", "x")
    row = (await api.list("IN")).json["data"][0]
    assert {"push_url", "push_status", "push_date"} <= set(row)
    assert "push_date" in (await api.get(f"/sms/{sms.hash}")).json["data"]


async def test_unprefixed_routes(api: CallrApi, state: CallrState, account: CallrAccount) -> None:
    """The endpoints also answer without ``/rest/v1.1``; statistics do not tell them apart."""
    answer = await api.request("GET", "/sms", query={"type": "OUT", **WIDE_WINDOW})
    assert answer.json == {"status": "success", "data": []}
    sent = await api.request("GET", "/sms/send", query={"to": "+33612345678", "body": "x"})
    fetched = await api.request("GET", f"/sms/{sent.json['data']}")
    assert fetched.json["data"]["text"] == "x"
    await api.list("OUT")
    assert state.path_stats("GET /sms").requests == 2
    assert [request.path for request in state.requests_for("GET /sms")] == [
        "/sms",
        "/rest/v1.1/sms",
    ]
