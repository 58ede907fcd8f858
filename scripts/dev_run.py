"""Run Home Assistant with the integration, the simulator, and first-run onboarding.

Started by ``scripts/develop`` inside the newest-release environment, as
``python -m scripts.dev_run``. Home Assistant listens on ``HA_PORT`` (8123), the simulator on
``SIMULATOR_PORT`` (8765), CALLR's simulator on ``CALLR_SIMULATOR_PORT`` (8766). On the first
run it creates the owner account (credentials printed) and an entry bound to the simulator, then
connects the simulator's webhook to that entry (on every run: the simulator forgets it).

Beside it runs a CALLR demo: CALLR's simulator with live demo traffic, a CALLR entry bound to it
(made when the configuration has none), and on every run a new webhook secret in that entry's
options with the simulator's signed ``sms.mo`` and ``sms.mt.status_update`` webhooks subscribed
to the entry's webhook. ``--no-callr`` or ``SMSMOBILEAPI_CALLR=0`` leaves CALLR out.

It stops everything on Ctrl-C, SIGTERM or SIGHUP, and exits when Home Assistant exits (it starts
it again when Home Assistant asks for a restart).
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Sequence
import os
from pathlib import Path
import signal
import sys

import aiohttp

from scripts.hass_harness import (
    DEMO_API_KEY,
    PROVIDER_CALLR,
    RESTART_EXIT_CODE,
    ROOT,
    HarnessError,
    Owner,
    Stack,
)

FIRST_START_TIMEOUT = 900
"""Seconds to wait for Home Assistant's HTTP server (a first start may install packages)."""
READY = "Home Assistant runs on"


def log(message: str) -> None:
    """Print a line of the launcher."""
    print(f"\033[1;34m[develop]\033[0m {message}", flush=True)


def build_parser() -> argparse.ArgumentParser:
    """Return the command-line parser."""
    parser = argparse.ArgumentParser(prog="scripts/develop", description=__doc__)
    parser.add_argument("--no-simulator", action="store_true", help="do not start the simulators")
    parser.add_argument(
        "--no-callr",
        action="store_true",
        help="no CALLR demo (no CALLR simulator, entry or webhooks); also SMSMOBILEAPI_CALLR=0",
    )
    parser.add_argument(
        "--config", type=Path, default=ROOT / "config", help="configuration directory"
    )
    return parser


async def wait_exit(stack: Stack) -> int:
    """Wait until the Home Assistant process exits; returns its status."""
    while True:
        hass = stack.hass
        code = hass.returncode if hass is not None else None
        if code is not None:
            return code
        await asyncio.sleep(0.5)


async def set_up_callr(stack: Stack, session: aiohttp.ClientSession, token: str) -> None:
    """Make the CALLR entry if there is none, then connect CALLR's simulator to its webhook."""
    hooks = await stack.entry_webhooks(session, token)
    if not any(hook.provider == PROVIDER_CALLR for hook in hooks):
        await stack.add_callr_entry(session, token)
        log(f"CALLR entry created against {stack.callr_url} (login {stack.callr_login})")
    await stack.connect_callr_webhooks(session, token)
    log("the CALLR simulator pushes new SMS and delivery reports to the CALLR entry's webhook")


async def set_up(stack: Stack, base_url: str | None, *, use_simulator: bool) -> None:
    """Wait for Home Assistant; first run: owner and entry; then the simulators' webhooks.

    ``base_url`` None: no SMSMobileAPI entry (no simulator and no real API key). The CALLR
    demo runs when the stack has CALLR's simulator.
    """
    local_url = f"http://localhost:{stack.ha_port}"
    created = "owner account created: log in at"
    async with aiohttp.ClientSession() as session:
        log("waiting for Home Assistant (a first start can take minutes)")
        await stack.wait_until_up(session, FIRST_START_TIMEOUT)
        owner: Owner | None = None
        if not await stack.onboarding_done(session):
            owner = await stack.onboard(session)
            log(f"{created} {local_url} as {owner.username} / {owner.password}")
            if base_url is not None:
                token = await stack.login(session, owner)
                await stack.add_api_key_entry(session, token, base_url=base_url)
                log(f"config entry created against {base_url}")
        elif stack.credentials_path.exists():
            owner = stack.saved_owner()
            log(f"log in at {local_url} as {owner.username} / {owner.password}")
        if use_simulator or stack.callr_port is not None:
            token = await stack.login(session, owner or stack.saved_owner())
        if use_simulator:
            await stack.connect_simulator_webhook(session, token)
            log("the simulator pushes new SMS to the entry's webhook")
        if stack.callr_port is not None:
            await set_up_callr(stack, session, token)
    log(f"{READY} {local_url}; Ctrl-C stops everything")


async def supervise(stack: Stack, base_url: str | None, *, use_simulator: bool) -> int:
    """Run until a signal or Home Assistant's exit; returns the exit status."""
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        loop.add_signal_handler(sig, stop.set)
    stack.start()
    setup = asyncio.ensure_future(set_up(stack, base_url, use_simulator=use_simulator))
    stopper = asyncio.ensure_future(stop.wait())
    try:
        while True:
            exited = asyncio.ensure_future(wait_exit(stack))
            pending = {exited, stopper} | ({setup} if not setup.done() else set())
            done, _ = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
            if setup in done:
                setup.result()  # raises HarnessError when a step failed
            if stopper in done:
                log("stopping")
                return 0
            if exited in done:
                code = exited.result()
                if code != RESTART_EXIT_CODE:
                    log(f"Home Assistant exited with status {code}")
                    return code
                log("Home Assistant asked for a restart")
                stack.start_hass()
            else:
                exited.cancel()
    finally:
        setup.cancel()
        stopper.cancel()
        stack.stop()


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the arguments, run everything, stop everything; returns the exit status."""
    args = build_parser().parse_args(argv)
    real_key = os.environ.get("SMSMOBILEAPI_API_KEY") or ""
    use_simulator = not real_key and not args.no_simulator
    use_callr = not (
        args.no_simulator or args.no_callr or os.environ.get("SMSMOBILEAPI_CALLR") == "0"
    )
    sim_port = int(os.environ.get("SIMULATOR_PORT") or 8765)
    callr_port = int(os.environ.get("CALLR_SIMULATOR_PORT") or 8766)
    stack = Stack(
        config_dir=args.config.resolve(),
        ha_port=int(os.environ.get("HA_PORT") or 8123),
        sim_port=sim_port if use_simulator else None,
        callr_port=callr_port if use_callr else None,
        api_key=real_key or DEMO_API_KEY,
        demo=True,
        output=None,
        # A developer may add any integration in the UI: let Home Assistant install what it needs.
        skip_pip=False,
    )
    base_url: str | None = None
    if use_simulator:
        base_url = stack.sim_url
    elif real_key:
        base_url = os.environ.get("SMSMOBILEAPI_BASE_URL") or "https://api.smsmobileapi.com"
    try:
        return asyncio.run(supervise(stack, base_url, use_simulator=use_simulator))
    except HarnessError as err:
        log(f"\033[1;31merror:\033[0m {err}")
        return 1
    finally:
        stack.stop()


if __name__ == "__main__":
    sys.exit(main())
