"""Fault injection on CALLR routes, latency, recorded requests and per-route statistics."""

import json
import time

import aiohttp
import pytest

from smsmobileapi_simulator import Fault
from smsmobileapi_simulator.callr import CallrAccount, CallrServer, CallrState

from .helpers import LOGIN, PASSWORD, WIDE_WINDOW, CallrApi, basic

_LIST = {"type": "IN", **WIDE_WINDOW}


async def test_status_fault_envelope(api: CallrApi, state: CallrState) -> None:
    """A status fault answers once in the CALLR error envelope (JSON-RPC: -32000)."""
    state.faults.add(Fault(kind="status", path="/sms"))
    answer = await api.list()
    assert (answer.status, answer.json) == (
        500,
        {"status": "error", "data": {"code": 500, "message": "INTERNAL_ERROR"}},
    )
    assert (await api.list()).status == 200
    state.variants.error_codes = "jsonrpc"
    state.faults.add(Fault(kind="status", status=503))
    assert (await api.list()).json["data"]["code"] == -32000


async def test_status_fault_custom_body(api: CallrApi, state: CallrState) -> None:
    """A status fault's own body and content type are served as given."""
    state.faults.add(Fault(kind="status", status=502, body="down", content_type="text/plain"))
    answer = await api.get("/sms/ABCDEFGH")
    assert (answer.status, answer.text, answer.headers["Content-Type"]) == (
        502,
        "down",
        "text/plain",
    )


async def test_rate_limit(api: CallrApi, state: CallrState, account: CallrAccount) -> None:
    """429 with Retry-After, in the envelope; nothing is sent."""
    state.faults.add(Fault(kind="rate_limit", retry_after=3))
    answer = await api.post("/sms", {"to": "+33612345678", "body": "x"})
    assert (answer.status, answer.headers["Retry-After"]) == (429, "3")
    assert answer.json == {"status": "error", "data": {"code": 429, "message": "TOO_MANY_REQUESTS"}}
    assert account.outgoing == []


@pytest.mark.parametrize(("status", "expected"), [(None, 502), (504, 504)])
async def test_html_page(
    api: CallrApi, state: CallrState, status: int | None, expected: int
) -> None:
    """A proxy's HTML page instead of JSON."""
    state.faults.add(Fault(kind="html", status=status))
    answer = await api.list()
    assert answer.status == expected
    assert answer.headers["Content-Type"].startswith("text/html")
    assert f"<title>{expected} Bad Gateway</title>" in answer.text


async def test_malformed(api: CallrApi, state: CallrState) -> None:
    """Labelled JSON, but not JSON."""
    state.faults.add(Fault(kind="malformed"))
    answer = await api.list()
    assert (answer.status, answer.headers["Content-Type"]) == (200, "application/json")
    with pytest.raises(json.JSONDecodeError):
        _ = answer.json


async def test_truncated_after_side_effect(
    api: CallrApi, state: CallrState, account: CallrAccount
) -> None:
    """The send happens, but its answer is cut in half."""
    state.faults.add(Fault(kind="truncated", path="POST /sms"))
    answer = await api.post("/sms", {"to": "+33612345678", "body": "x"})
    assert answer.status == 200
    assert answer.text.startswith('{"status":"success"')
    with pytest.raises(json.JSONDecodeError):
        _ = answer.json
    assert len(account.outgoing) == 1


async def test_method_specific_fault(api: CallrApi, state: CallrState) -> None:
    """``GET /sms`` hits only the list; ``POST /sms`` passes; ``/sms/{hash}`` only the get."""
    state.faults.add(Fault(kind="status", path="GET /sms", times=None))
    state.faults.add(Fault(kind="status", status=418, path="/sms/{hash}"))
    assert (await api.post("/sms", {"to": "+33612345678", "body": "x"})).status == 200
    assert (await api.list()).status == 500
    assert (await api.get("/sms/send", to="+33612345678", body="x")).status == 200
    assert (await api.get("/sms/ABCDEFGH")).status == 418
    assert (await api.get("/sms/ABCDEFGH")).status == 400


async def test_forced_auth_faults(api: CallrApi, state: CallrState) -> None:
    """``invalid_key`` answers the configured authentication failure; ``expired`` a 403."""
    state.faults.add(Fault(kind="invalid_key"))
    state.faults.add(Fault(kind="expired"))
    first = await api.list()
    second = await api.list()
    assert (first.status, first.json["data"]["message"]) == (401, "AUTHENTICATION_FAILED")
    assert (second.status, second.json["data"]["message"]) == (403, "FORBIDDEN")


async def test_timeout_reset_and_slow_body(state: CallrState, account: CallrAccount) -> None:
    """Over a real server: a late answer, a TCP reset and a body sent in slow chunks.

    aiohttp retries an idempotent request once after a reset: the reset hits twice.
    """
    state.faults.add(Fault(kind="timeout", delay=0.3))
    state.faults.add(Fault(kind="reset", times=2))
    state.faults.add(Fault(kind="slow_body", chunk_size=20, chunk_delay=0.05))
    async with CallrServer(state) as server:
        url = f"{server.base_url}/sms"
        short = aiohttp.ClientTimeout(total=0.1)
        async with aiohttp.ClientSession(headers=basic()) as session:
            with pytest.raises(TimeoutError):
                async with session.get(url, params=_LIST, timeout=short) as response:
                    await response.read()
        async with aiohttp.ClientSession(headers=basic()) as session:
            with pytest.raises(aiohttp.ClientError):
                async with session.get(url, params=_LIST) as response:
                    await response.read()
        started = time.monotonic()
        async with (
            aiohttp.ClientSession(headers=basic()) as session,
            session.get(url, params=_LIST) as response,
        ):
            payload = await response.json()
        assert payload == {"status": "success", "data": []}
        assert time.monotonic() - started >= 0.05
    assert state.faults.faults == []
    # Two resets and the slow body: the timed-out request was cancelled before answering.
    assert state.path_stats("GET /sms").requests == 3
    assert state.path_stats("GET /sms").bytes_sent == len(b'{"status":"success","data":[]}')


async def test_latency(api: CallrApi, state: CallrState) -> None:
    """``latency`` delays every answer."""
    state.latency = 0.1
    started = time.monotonic()
    await api.list()
    assert time.monotonic() - started >= 0.1


async def test_recorded_requests_and_stats(
    api: CallrApi, state: CallrState, account: CallrAccount
) -> None:
    """Method, path, route, query, JSON body, headers and raw body are kept; bytes are counted."""
    sent = await api.post("/sms", {"to": "+33612345678", "body": "x", "options": None})
    listed = await api.list()
    await api.get(f"/sms/{sent.json['data']}")
    post = state.requests_for("POST /sms")[0]
    assert (post.method, post.path, post.route, post.query) == (
        "POST",
        "/rest/v1.1/sms",
        "POST /sms",
        {},
    )
    assert post.json == {"to": "+33612345678", "body": "x", "options": None}
    assert post.headers["Authorization"] == basic(LOGIN, PASSWORD)["Authorization"]
    assert json.loads(post.body) == post.json
    get = state.requests_for("GET /sms")[0]
    assert (get.query, get.json, get.body) == (_LIST, None, b"")
    assert [request.route for request in state.requests] == [
        "POST /sms",
        "GET /sms",
        "GET /sms/{hash}",
    ]
    assert state.path_stats("GET /sms").bytes_sent == len(listed.text.encode())
    assert state.path_stats("POST /sms").bytes_sent == len(sent.text.encode())
    assert state.path_stats("GET /sms/send").requests == 0
    assert state.total_requests == 3
    assert state.total_bytes_sent == sum(stats.bytes_sent for stats in state.stats.values())
    state.record_requests = False
    await api.list()
    assert len(state.requests) == 3
    assert state.total_requests == 4


async def test_idle_poll_bytes_grow_with_rows(
    api: CallrApi, state: CallrState, account: CallrAccount
) -> None:
    """An empty poll costs the bare envelope; each row adds its object's bytes."""
    await api.list()
    empty = state.path_stats("GET /sms").bytes_sent
    assert empty == len(b'{"status":"success","data":[]}')
    sms = state.add_incoming(account, "+1", "x")
    await api.list()
    row = json.dumps(state.sms_json(sms), separators=(",", ":")).encode()
    assert state.path_stats("GET /sms").bytes_sent == 2 * empty + len(row)
