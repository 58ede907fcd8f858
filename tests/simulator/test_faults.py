"""Fault injection, latency and request recording."""

import json
import random
import time
from typing import Literal

import aiohttp
import pytest

from smsmobileapi_simulator import Account, Fault, FaultPlan, SimulatorState
from smsmobileapi_simulator.faults import encode

from .helpers import API_KEY, Api


async def test_status_fault_default_body(api: Api, state: SimulatorState, account: Account) -> None:
    """A status fault answers once with the documented server_error JSON."""
    state.faults.add(Fault(kind="status", path="/getsms"))
    answer = await api.get("/getsms/")
    assert (answer.status, answer.json) == (
        500,
        {"success": False, "error": "server_error", "detail": "Simulated failure"},
    )
    assert (await api.get("/getsms/")).status == 200
    assert state.faults.faults == []


async def test_status_fault_custom_body(api: Api, state: SimulatorState, account: Account) -> None:
    """Any status, body and content type can be served."""
    state.faults.add(Fault(kind="status", status=503, body="down", content_type="text/plain"))
    answer = await api.get("/call/missed/list/")
    assert (answer.status, answer.text, answer.headers["Content-Type"]) == (
        503,
        "down",
        "text/plain",
    )


async def test_rate_limit(api: Api, state: SimulatorState, account: Account) -> None:
    """429 with Retry-After and the OpenAPI error model."""
    state.faults.add(Fault(kind="rate_limit", retry_after=7))
    answer = await api.post("/sendsms/", recipients="+1", message="x")
    assert (answer.status, answer.headers["Retry-After"]) == (429, "7")
    assert answer.json == {"error": 429, "message": "Too many requests"}
    assert state.sent == []


@pytest.mark.parametrize(("status", "expected"), [(None, 502), (200, 200)])
async def test_html_page(
    api: Api, state: SimulatorState, account: Account, status: int | None, expected: int
) -> None:
    """An HTML error page instead of JSON (502 by default)."""
    state.faults.add(Fault(kind="html", status=status))
    answer = await api.get("/gateway/mobile/list/")
    assert answer.status == expected
    assert answer.headers["Content-Type"].startswith("text/html")
    assert answer.text.startswith("<!DOCTYPE html>")


async def test_truncated_body_after_side_effect(
    api: Api, state: SimulatorState, account: Account
) -> None:
    """The real answer cut in half: the send happened but the JSON is broken."""
    state.faults.add(Fault(kind="truncated", path="/sendsms/"))
    answer = await api.post("/sendsms/", recipients="+1", message="x")
    assert answer.status == 200
    assert answer.headers["Content-Type"] == "application/json"
    assert answer.text.startswith('{"result":{"error":0')
    with pytest.raises(json.JSONDecodeError):
        _ = answer.json
    assert len(state.sent) == 1


async def test_malformed(api: Api, state: SimulatorState, account: Account) -> None:
    """Not JSON at all, though labelled JSON."""
    state.faults.add(Fault(kind="malformed"))
    answer = await api.get("/getsms/")
    assert answer.headers["Content-Type"] == "application/json"
    with pytest.raises(json.JSONDecodeError):
        _ = answer.json


async def test_timeout(api: Api, state: SimulatorState, account: Account) -> None:
    """The answer comes after ``delay``: a short client timeout gives up first."""
    state.faults.add(Fault(kind="timeout", delay=5))
    with pytest.raises(TimeoutError):
        await api.client.get(
            "/getsms/", params={"apikey": API_KEY}, timeout=aiohttp.ClientTimeout(total=0.2)
        )
    state.faults.add(Fault(kind="timeout", delay=0.05))
    started = time.monotonic()
    assert (await api.get("/getsms/")).status == 200
    assert time.monotonic() - started >= 0.05


async def test_slow_body(api: Api, state: SimulatorState, account: Account) -> None:
    """The body arrives in small chunks, complete in the end."""
    expected = (await api.get("/gateway/mobile/list/")).text
    state.faults.add(Fault(kind="slow_body", chunk_size=64, chunk_delay=0.01))
    started = time.monotonic()
    answer = await api.get("/gateway/mobile/list/")
    assert answer.text == expected
    assert time.monotonic() - started >= 0.01 * (len(expected) // 64)


async def test_reset(api: Api, state: SimulatorState, account: Account) -> None:
    """The connection drops without an answer."""
    state.faults.add(Fault(kind="reset"))
    with pytest.raises(aiohttp.ClientError):
        await api.get("/getsms/")
    assert (await api.get("/getsms/")).status == 200


async def test_matching_and_counting(api: Api, state: SimulatorState, account: Account) -> None:
    """Faults hit their path only, count down, or never run out with ``times=None``."""
    state.faults.add(Fault(kind="status", path="getsms", times=2))
    assert (await api.get("/call/missed/list/")).status == 200
    assert [(await api.get("/getsms")).status for _ in range(3)] == [500, 500, 200]
    state.faults.add(Fault(kind="status", status=502, times=None))
    assert [(await api.get("/getsms/")).status for _ in range(3)] == [502, 502, 502]
    state.faults.clear()
    assert (await api.get("/getsms/")).status == 200


def test_probability_is_reproducible() -> None:
    """With a seeded plan, a probabilistic fault hits the same requests every run."""

    def hits(seed: int) -> list[bool]:
        plan = FaultPlan(random.Random(seed))  # noqa: S311  # reproducible, not secret
        plan.add(Fault(kind="status", probability=0.5, times=None))
        return [plan.take("/getsms/") is not None for _ in range(40)]

    assert hits(7) == hits(7)
    assert 5 < sum(hits(7)) < 35


@pytest.mark.parametrize(
    "kwargs",
    [
        {"kind": "explode"},
        {"kind": "status", "times": 0},
        {"kind": "status", "probability": 1.5},
        {"kind": "slow_body", "chunk_size": 0},
        {"kind": "oversized", "size": -1},
        {"kind": "status", "content_encoding": "br"},
    ],
)
def test_fault_validation(kwargs: dict[str, object]) -> None:
    """Impossible faults are refused when built."""
    with pytest.raises(ValueError, match=r"."):
        Fault(**kwargs)  # type: ignore[arg-type]


async def test_latency(api: Api, state: SimulatorState, account: Account) -> None:
    """``latency`` delays every API answer."""
    state.latency = 0.05
    started = time.monotonic()
    await api.get("/getsms/")
    assert time.monotonic() - started >= 0.05


async def test_requests_are_recorded(api: Api, state: SimulatorState, account: Account) -> None:
    """API requests are recorded with query, form and headers; control routes are not."""
    await api.request(
        "POST",
        "/sendsms",
        query={"from": "homeassistant"},
        form={"apikey": API_KEY, "recipients": "+1", "message": "x"},
        headers={"X-Test": "1"},
    )
    await api.request("GET", "/_sim/stats")
    assert len(state.requests) == 1
    recorded = state.requests[0]
    assert (recorded.method, recorded.path, recorded.query) == (
        "POST",
        "/sendsms",
        {"from": "homeassistant"},
    )
    assert recorded.form == {"apikey": API_KEY, "recipients": "+1", "message": "x"}
    assert recorded.headers["X-Test"] == "1"
    state.record_requests = False
    await api.get("/getsms/")
    assert len(state.requests) == 1


async def test_redirect_loop(api: Api, state: SimulatorState, account: Account) -> None:
    """A redirect fault points at the request's own path and query: followed, it loops."""
    state.faults.add(Fault(kind="redirect", path="/getsms/", times=None))
    async with api.client.get(
        "/getsms/", params={"apikey": API_KEY}, allow_redirects=False
    ) as response:
        assert (response.status, response.headers["Location"]) == (
            302,
            f"/getsms/?apikey={API_KEY}",
        )
    with pytest.raises(aiohttp.TooManyRedirects):
        await api.get("/getsms/")


async def test_redirect_elsewhere(api: Api, state: SimulatorState, account: Account) -> None:
    """``body`` names another place; ``status`` another 3xx."""
    state.faults.add(Fault(kind="redirect", status=307, body="https://elsewhere.example/x"))
    async with api.client.get("/getsms/", allow_redirects=False) as response:
        assert (response.status, response.headers["Location"]) == (
            307,
            "https://elsewhere.example/x",
        )


async def test_bad_http(api: Api, state: SimulatorState, account: Account) -> None:
    """A response no HTTP parser accepts, then the connection closes."""
    state.faults.add(Fault(kind="bad_http", path="/getsms/"))
    # aiohttp 3.14 says "Bad status line", 3.13 "Invalid status code".
    with pytest.raises(aiohttp.ClientResponseError, match=r"Bad status line|Invalid status code"):
        await api.get("/getsms/")
    assert (await api.get("/getsms/")).status == 200
    assert state.stats["/getsms/"].requests == 2


@pytest.mark.parametrize("encoding", ["gzip", "deflate"])
async def test_compressed_answer(
    api: Api, state: SimulatorState, account: Account, encoding: Literal["gzip", "deflate"]
) -> None:
    """``content_encoding`` compresses a canned answer or the real one (here a 0 s timeout)."""
    expected = (await api.get("/gateway/mobile/list/")).json
    state.faults.add(Fault(kind="status", status=200, body="{}", content_encoding=encoding))
    state.faults.add(Fault(kind="timeout", delay=0, content_encoding=encoding))
    async with api.client.get("/getsms/", params={"apikey": API_KEY}) as response:
        assert response.headers["Content-Encoding"] == encoding
        assert await response.json() == {}
    answer = await api.get("/gateway/mobile/list/")
    assert answer.json == expected
    assert answer.headers["Content-Encoding"] == encoding


@pytest.mark.parametrize(
    ("encoding", "size"), [(None, 4096), ("gzip", (3 << 20) + 5), ("deflate", 10)]
)
async def test_oversized_body(
    api: Api,
    state: SimulatorState,
    account: Account,
    encoding: Literal["gzip", "deflate"] | None,
    size: int,
) -> None:
    """Valid JSON padded to ``size`` decompressed bytes (at least the JSON), compressed."""
    state.faults.add(Fault(kind="oversized", size=size, content_encoding=encoding))
    async with api.client.get("/getsms/", params={"apikey": API_KEY}) as response:
        raw = await response.read()
        assert response.headers.get("Content-Encoding") == encoding
        wire_size = int(response.headers["Content-Length"])
    assert len(raw) == max(size, 46)
    assert wire_size < 20_000
    assert json.loads(raw) == {"result": {"error": 0, "sms": []}, "success": True}


def test_encode_keeps_an_encoded_body() -> None:
    """A reply already compressed (``oversized``) is not compressed twice."""
    fault = Fault(kind="oversized", size=100, content_encoding="gzip")
    reply = fault.canned_reply()
    assert reply is not None
    assert encode(reply, "deflate") is reply
    assert encode(reply, None) is reply
