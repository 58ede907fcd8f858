"""``SimulatorServer``, the command line, the demo data and state helpers."""

import argparse
import asyncio
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
import re

import aiohttp
import pytest

from smsmobileapi_simulator import (
    SimulatorServer,
    SimulatorState,
    WebhookTarget,
    __main__ as cli,
    demo,
)

from .helpers import API_KEY, NOW, Clock, wait_until


def _main_in_thread(argv: list[str]) -> int:
    """Run the CLI in its own thread, so that its ``asyncio.run`` leaves this thread's loop alone.

    Older pytest-asyncio versions need the main thread's event loop to stay set.
    """
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(cli.main, argv).result()


async def test_server_lifecycle(state: SimulatorState) -> None:
    """The server binds to loopback on a free port and stops cleanly."""
    server = SimulatorServer(state)
    with pytest.raises(RuntimeError):
        _ = server.url
    async with server:
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", server.url)
        async with (
            aiohttp.ClientSession() as session,
            session.get(f"{server.url}/getsms/", params={"apikey": API_KEY}) as response,
        ):
            assert (await response.json())["result"]["sms"] == []
        await server.drain_webhooks()
    await server.stop()


def test_ipv6_url(state: SimulatorState) -> None:
    """IPv6 hosts are bracketed in the URL."""
    server = SimulatorServer(state, host="::1", port=8765)
    server._runner = object()  # type: ignore[assignment]
    assert server.url == "http://[::1]:8765"


def _args(*argv: str) -> argparse.Namespace:
    return cli.build_parser().parse_args(list(argv))


def test_build_state_with_options() -> None:
    """Arguments set the account, latency, token, webhook and demo data."""
    args = _args(
        "--api-key",
        "k",
        "--client-id",
        "c",
        "--client-secret",
        "s",
        "--latency",
        "0.05",
        "--webhook-url",
        "http://127.0.0.1:9/h",
        "--webhook-format",
        "v2",
        "--webhook-secret",
        "w",
        "--control-token",
        "t",
        "--demo",
        "--seed",
        "3",
    )
    state, account = cli.build_state(args)
    assert (account.api_key, account.client_id, account.client_secret) == ("k", "c", "s")
    assert (state.latency, state.control_token, state.record_requests) == (0.05, "t", False)
    assert state.webhook == WebhookTarget("http://127.0.0.1:9/h", "v2", "w")
    assert {phone.label: phone.battery for phone in account.phones.values()} == {
        "Kitchen phone": 82,
        "Office phone": 45,
    }
    again, _ = cli.build_state(args)
    assert [sms.guid for sms in again.accounts["k"].received] == [
        sms.guid for sms in account.received
    ]


@pytest.mark.parametrize(
    "argv",
    [
        ["--webhook-url", "http://h", "--webhook-format", "v2"],
        ["--client-id", "c"],
    ],
)
def test_cli_argument_errors(argv: list[str]) -> None:
    """Inconsistent options stop the command line."""
    with pytest.raises(SystemExit):
        _main_in_thread(argv)


def test_main_stops_on_ctrl_c(monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl+C ends the program with status 0."""

    async def interrupted(_args: argparse.Namespace) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "serve", interrupted)
    assert _main_in_thread([]) == 0


@pytest.mark.parametrize("argv", [[], ["--demo"]])
async def test_serve(capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    """``serve`` prints the URL and key, answers requests and stops when cancelled."""
    task = asyncio.create_task(cli.serve(_args("--port", "0", "--api-key", "k", *argv)))
    out = ""

    def printed() -> bool:
        nonlocal out
        out += capsys.readouterr().out
        return "API key" in out

    await wait_until(printed)
    match = re.search(r"on (http://127\.0\.0\.1:\d+)\nAPI key: k", out)
    assert match is not None
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"{match.group(1)}/gateway/mobile/list/", params={"apikey": "k"}) as response,
    ):
        assert len((await response.json())["items"]) == (2 if argv else 0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


def test_demo_tick(state: SimulatorState, clock: Clock) -> None:
    """Each tick adds an SMS, sometimes a missed call, and moves batteries."""
    account = state.accounts[API_KEY]
    demo.seed_demo(state, account)
    seeded_sms, seeded_calls = len(account.received), len(account.calls)
    clock.advance(minutes=1)
    for _ in range(20):
        demo.demo_tick(state, account)
    assert len(account.received) == seeded_sms + 20
    assert len(account.calls) > seeded_calls
    assert all(5 <= phone.battery <= 100 for phone in account.phones.values())
    assert all(phone.last_seen == NOW + timedelta(minutes=1) for phone in account.phones.values())


async def test_demo_activity_loop(state: SimulatorState, monkeypatch: pytest.MonkeyPatch) -> None:
    """The live loop keeps adding SMS until cancelled."""
    account = state.accounts[API_KEY]
    monkeypatch.setattr(demo, "MIN_INTERVAL", 0.0)
    monkeypatch.setattr(demo, "MAX_INTERVAL", 0.001)
    task = asyncio.create_task(demo.run_demo_activity(state, account))
    await wait_until(lambda: len(account.received) >= 3)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


def test_state_helpers(state: SimulatorState, clock: Clock) -> None:
    """Identifiers, duplicates, client lookups and subscriptions."""
    account = state.accounts[API_KEY]
    with pytest.raises(ValueError, match="exists"):
        state.add_account(API_KEY)
    with pytest.raises(ValueError, match="call type"):
        state.add_call(account, "dropped", "+1")  # type: ignore[arg-type]
    bare = state.add_account("bare")
    assert state.account_for_client("nobody", "x") is None
    assert bare.default_sid() == ""
    assert SimulatorState().default_account() is None
    seen: list[object] = []
    unsubscribe = state.subscribe(seen.append)
    sms = state.add_received_sms(account, "+1", "x", push=True)
    unsubscribe()
    state.add_received_sms(account, "+1", "y", push=True)
    assert seen == [sms]
    assert sms.timestamp == int(NOW.timestamp())
    assert re.fullmatch(r"[0-9a-f]{40}", state.new_message_id())
    token = state.issue_token(account)
    assert state.account_for_token(token) is account
    clock.advance(seconds=state.token_lifetime)
    assert state.account_for_token(token) is None
