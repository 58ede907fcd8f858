"""``--provider callr`` on the command line, and the CALLR demo."""

import argparse
import asyncio
from concurrent.futures import ThreadPoolExecutor
import re

import aiohttp
import pytest

from smsmobileapi_simulator import __main__ as cli
from smsmobileapi_simulator.callr import CallrAccount, CallrState, cli as callr_cli, demo
from tests.simulator.helpers import wait_until

from .helpers import WIDE_WINDOW, basic


def _args(*argv: str) -> argparse.Namespace:
    return cli.build_parser().parse_args(list(argv))


def test_default_provider_unchanged() -> None:
    """Without ``--provider`` the SMSMobileAPI simulator runs, as before."""
    args = _args()
    assert (args.provider, args.login, args.password, args.base_path) == (
        "smsmobileapi",
        "demo",
        "demo-password",
        "/rest/v1.1",
    )


def test_build_state_with_options() -> None:
    """Login, password, latency, token, webhooks (both types, signed) and reproducible demo data."""
    args = _args(
        "--provider",
        "callr",
        "--login",
        "me",
        "--password",
        "pw",
        "--latency",
        "0.05",
        "--control-token",
        "t",
        "--webhook-url",
        "http://127.0.0.1:9/h",
        "--webhook-secret",
        "s",
        "--demo",
        "--seed",
        "3",
    )
    state, account = callr_cli.build_state(args)
    assert (account.login, account.password) == ("me", "pw")
    assert (state.latency, state.control_token, state.record_requests) == (0.05, "t", False)
    hooks = sorted(
        (hook.type, hook.endpoint, hook.hmac_secret) for hook in account.webhooks.values()
    )
    assert hooks == [
        ("sms.mo", "http://127.0.0.1:9/h", "s"),
        ("sms.mt.status_update", "http://127.0.0.1:9/h", "s"),
    ]
    assert len(account.incoming) == 5
    assert [sms.status for sms in account.outgoing] == ["RECEIVED"] * 3
    assert state.webhooks.events == []  # seeding pushes nothing
    again, _ = callr_cli.build_state(args)
    assert list(again.accounts["me"].sms) == list(account.sms)


@pytest.mark.parametrize("argv", [[], ["--demo"]])
async def test_serve(capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    """``serve`` prints the base URL and credentials, answers CALLR requests, stops on cancel."""
    args = _args("--provider", "callr", "--port", "0", "--login", "u", "--password", "p", *argv)
    task = asyncio.create_task(callr_cli.serve(args))
    out = ""

    def printed() -> bool:
        nonlocal out
        out += capsys.readouterr().out
        return "Password" in out

    await wait_until(printed)
    match = re.search(r"on (http://127\.0\.0\.1:\d+/rest/v1\.1)\nLogin: u\nPassword: p", out)
    assert match is not None
    async with (
        aiohttp.ClientSession(headers=basic("u", "p")) as session,
        session.get(f"{match.group(1)}/sms", params={"type": "IN", **WIDE_WINDOW}) as response,
    ):
        assert len((await response.json())["data"]) == (5 if argv else 0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


def test_main_dispatches_to_callr(monkeypatch: pytest.MonkeyPatch) -> None:
    """``main`` runs the CALLR server for ``--provider callr`` only."""
    served: list[str] = []

    async def fake_callr(args: argparse.Namespace) -> None:
        served.append(f"callr:{args.login}")

    async def fake_smsmobileapi(args: argparse.Namespace) -> None:
        served.append(f"smsmobileapi:{args.api_key}")

    monkeypatch.setattr(callr_cli, "serve", fake_callr)
    monkeypatch.setattr(cli, "serve", fake_smsmobileapi)
    with ThreadPoolExecutor(max_workers=1) as pool:
        assert pool.submit(cli.main, ["--provider", "callr", "--login", "x"]).result() == 0
        assert pool.submit(cli.main, []).result() == 0
    assert served == ["callr:x", "smsmobileapi:demo-key"]


def test_demo_tick(state: CallrState, account: CallrAccount) -> None:
    """A tick adds an incoming SMS (pushed) and moves every unfinished outgoing SMS."""
    demo.seed_demo(state, account)
    in_flight = state.send_sms(account, "+33612345678", "x")
    seeded = len(account.incoming)
    state.webhooks.subscribe(account, "sms.mo", "http://127.0.0.1:9/h")
    for _ in range(12):
        demo.demo_tick(state, account)
    assert len(account.incoming) == seeded + 12
    assert len(state.webhooks.events) == 12
    assert in_flight.is_final
    assert in_flight.history[0].new_status == "PENDING"


def test_demo_failures(
    state: CallrState, account: CallrAccount, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With a certain failure, a sent SMS ends FAILED after its first step."""
    monkeypatch.setattr(demo, "FAILURE_CHANCE", 1.0)
    sms = state.send_sms(account, "+33612345678", "x")
    demo.demo_tick(state, account)
    demo.demo_tick(state, account)
    assert [change.new_status for change in sms.history] == ["PENDING", "FAILED"]


async def test_demo_activity_loop(
    state: CallrState, account: CallrAccount, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The live loop keeps adding SMS until cancelled."""
    monkeypatch.setattr(demo, "MIN_INTERVAL", 0.0)
    monkeypatch.setattr(demo, "MAX_INTERVAL", 0.001)
    task = asyncio.create_task(demo.run_demo_activity(state, account))
    await wait_until(lambda: len(account.incoming) >= 3)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
