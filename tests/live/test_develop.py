"""The development launcher (scripts/develop runs ``python -m scripts.dev_run`` by exec).

Each test starts the launcher as a process with its own config directory and free ports:
``HA_PORT`` must move Home Assistant itself, the first run must push demo SMS by webhook (the
webhook found through Home Assistant's APIs) with a log free of ERROR lines, beside it a CALLR
demo entry must receive CALLR's signed pushes (and refuse a wrongly signed one), and the launcher
must stop everything on SIGTERM or Ctrl-C (SIGINT) and exit when Home Assistant exits.
"""

import asyncio
from collections.abc import Iterator
import os
from pathlib import Path
import queue
import signal
import subprocess
import sys
import threading
import time
from typing import Any
import uuid

import aiohttp
import pytest

from scripts.dev_run import READY
from scripts.hass_harness import (
    DOMAIN,
    PROVIDER_CALLR,
    PROVIDER_SMSMOBILEAPI,
    ROOT,
    HassWebSocket,
    Stack,
    free_port,
    log_problems,
    read_log,
)
from smsmobileapi_simulator.demo import KITCHEN_SID
from tests.live.processes import processes_mentioning

START_SECONDS = 300
STOP_SECONDS = 60


class Launcher:
    """The launcher process, its output read line by line in a thread."""

    def __init__(
        self,
        config_dir: Path,
        *,
        ha_port: int | None = None,
        sim_port: int | None = None,
        callr_port: int | None = None,
        args: tuple[str, ...] = (),
    ) -> None:
        """Start it on the given ports (free ones where not given), with extra arguments."""
        self.config_dir = config_dir
        self.ha_port = ha_port or free_port()
        self.sim_port = sim_port or free_port()
        self.callr_port = callr_port or free_port()
        env = {
            **os.environ,
            "HA_PORT": str(self.ha_port),
            "SIMULATOR_PORT": str(self.sim_port),
            "CALLR_SIMULATOR_PORT": str(self.callr_port),
            "SMSMOBILEAPI_API_KEY": "",
            "SMSMOBILEAPI_CALLR": "",
        }
        self.process = subprocess.Popen(  # noqa: S603 - our interpreter, our module
            [sys.executable, "-m", "scripts.dev_run", "--config", str(config_dir), *args],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.output: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line)

    def wait_for_line(self, text: str, seconds: float) -> str:
        """Wait for an output line containing ``text``; fail on the launcher's exit or error."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.5)
            except queue.Empty:
                if self.process.poll() is not None and self.lines.empty():
                    break
                continue
            self.output.append(line)
            assert "[develop]" not in line or "error:" not in line, line
            if text in line:
                return line
        tail = "".join(self.output[-30:])
        pytest.fail(f"no line with {text!r} (exit status {self.process.poll()}):\n{tail}")

    def stack(self) -> Stack:
        """A harness view of the launcher's Home Assistant, for its HTTP helpers (not started)."""
        return Stack(
            self.config_dir,
            ha_port=self.ha_port,
            sim_port=self.sim_port,
            callr_port=self.callr_port,
        )

    def wait_exit(self, seconds: float = STOP_SECONDS) -> int:
        """Wait for the launcher's exit; returns its status."""
        return self.process.wait(seconds)


@pytest.fixture
def launch(no_leftovers: Path) -> Iterator[type[Launcher]]:
    """Start launchers; each is killed at the end if still running."""
    started: list[Launcher] = []

    class Tracked(Launcher):
        def __init__(self, config_dir: Path, **kwargs: Any) -> None:  # noqa: ANN401
            super().__init__(config_dir, **kwargs)
            started.append(self)

    yield Tracked
    for launcher in started:
        if launcher.process.poll() is None:
            launcher.process.kill()
            launcher.process.wait()
        # Its children die with it (parent-death signal): give them a moment to go.
        deadline = time.monotonic() + STOP_SECONDS
        while processes_mentioning(str(launcher.config_dir)) and time.monotonic() < deadline:
            time.sleep(0.2)


async def _webhook_event(stack: Stack) -> dict[str, object]:
    """Push an SMS from the simulator (to a demo phone); return the event Home Assistant fires."""
    text = f"Launcher test {uuid.uuid4()}"
    async with aiohttp.ClientSession() as session:
        token = await stack.login(session, stack.saved_owner())
        async with await HassWebSocket.connect(session, stack.ha_url, token) as ws:
            events = await ws.subscribe_events(f"{DOMAIN}_sms_received")
            await stack.sim_control(
                session,
                "POST",
                "/_sim/sms",
                {"number": "+32470998877", "message": text, "sid": KITCHEN_SID},
            )
            async with asyncio.timeout(15):
                while True:
                    data: dict[str, object] = (await events.get())["data"]
                    if data["message"] == text:  # the demo may push its own SMS meanwhile
                        return data


async def _callr_webhook_event(
    stack: Stack, *, bad_signature_first: bool = False
) -> dict[str, Any]:
    """Push an SMS from CALLR's simulator and return the event Home Assistant fires for it.

    ``bad_signature_first``: CALLR's simulator signs its next attempt with a wrong key (it
    retries a second later, rightly signed); the attempt must be refused with 401.
    """
    text = f"Launcher test through CALLR {uuid.uuid4()}"
    async with aiohttp.ClientSession() as session:
        token = await stack.login(session, stack.saved_owner())
        async with await HassWebSocket.connect(session, stack.ha_url, token) as ws:
            events = await ws.subscribe_events(f"{DOMAIN}_sms_received")
            if bad_signature_first:
                await stack.callr_control(
                    session, "PATCH", "/_sim/webhook_policy", {"bad_signatures": 1}
                )
            await stack.callr_control(
                session, "POST", "/_sim/incoming", {"from": "+33612345678", "text": text}
            )
            async with asyncio.timeout(20):
                while True:
                    data: dict[str, Any] = (await events.get())["data"]
                    if data["message"] == text:  # the demo may push its own SMS meanwhile
                        break
            if bad_signature_first:
                deliveries = await stack.callr_control(session, "GET", "/_sim/deliveries")
                refused = [item["status"] for item in deliveries if item["bad_signature"]]
                assert refused == [401], deliveries
    return data


def _entry_providers(stack: Stack) -> list[str]:
    async def providers() -> list[str]:
        async with aiohttp.ClientSession() as session:
            token = await stack.login(session, stack.saved_owner())
            return sorted(hook.provider for hook in await stack.entry_webhooks(session, token))

    return asyncio.run(providers())


def test_first_run_pushes_by_webhook_with_a_clean_log(
    launch: type[Launcher], no_leftovers: Path
) -> None:
    """First run: owner, both entries, webhooks connected, no ERROR logged.

    SMS arrive by push from both simulators; CALLR's pushes are signed, a wrong signature is
    refused.
    """
    launcher = launch(no_leftovers / "config")
    launcher.wait_for_line("owner account created", START_SECONDS)
    launcher.wait_for_line("the simulator pushes new SMS", 120)
    launcher.wait_for_line("CALLR entry created", 60)
    launcher.wait_for_line("the CALLR simulator pushes", 60)
    launcher.wait_for_line(f"{READY} http://localhost:{launcher.ha_port}", 30)
    stack = launcher.stack()
    event = asyncio.run(_webhook_event(stack))
    assert event["source"] == "webhook"
    callr_event = asyncio.run(_callr_webhook_event(stack, bad_signature_first=True))
    assert (callr_event["provider"], callr_event["source"]) == ("callr", "webhook")
    assert callr_event["number"] == "+33612345678"
    launcher.process.send_signal(signal.SIGTERM)
    assert launcher.wait_exit() == 0
    records = read_log(launcher.config_dir / "home-assistant.log")
    assert any(r.logger == "homeassistant.setup" for r in records), "no log read"
    errors = log_problems(records, levels=frozenset({"ERROR", "CRITICAL"}))
    assert [str(record) for record in errors] == []
    ours = log_problems(
        records, levels=frozenset({"WARNING"}), logger_prefix=f"custom_components.{DOMAIN}"
    )
    assert [str(record) for record in ours] == []
    assert processes_mentioning(str(launcher.config_dir)) == []


UNTESTED_CUSTOM_INTEGRATION = "We found a custom integration"
"""Home Assistant's loader warns so about every custom integration: not something we can fix."""


def test_first_run_logs_no_warning_about_our_integration(
    launch: type[Launcher], no_leftovers: Path
) -> None:
    """Not only our own loggers: Home Assistant's warnings about us count too (deprecations).

    The demo's SMS arrive on the phones' devices, which the integration looks up.
    """
    launcher = launch(no_leftovers / "config")
    launcher.wait_for_line(READY, START_SECONDS)
    assert asyncio.run(_webhook_event(launcher.stack()))["source"] == "webhook"
    launcher.process.send_signal(signal.SIGTERM)
    assert launcher.wait_exit() == 0
    records = read_log(launcher.config_dir / "home-assistant.log")
    about_us = [
        str(record)
        for record in log_problems(records, levels=frozenset({"WARNING", "ERROR", "CRITICAL"}))
        if (f"'{DOMAIN}'" in record.message or record.logger.startswith("custom_components"))
        and not record.message.startswith(UNTESTED_CUSTOM_INTEGRATION)
    ]
    assert about_us == []


def test_second_run_reconnects_and_ctrl_c_stops_everything(
    launch: type[Launcher], no_leftovers: Path
) -> None:
    """A second run, on another HA_PORT, finds both entries' webhooks again; SIGINT stops it all.

    No entry is made again.
    """
    config_dir = no_leftovers / "config"
    first = launch(config_dir)
    first.wait_for_line(READY, START_SECONDS)
    first.process.send_signal(signal.SIGTERM)
    assert first.wait_exit() == 0
    # HA_PORT moves an existing config too; the simulators keep their ports (the entries' URLs).
    second = launch(
        config_dir, ha_port=free_port(), sim_port=first.sim_port, callr_port=first.callr_port
    )
    second.wait_for_line("log in at", START_SECONDS)
    second.wait_for_line(f"{READY} http://localhost:{second.ha_port}", 120)
    assert not any("entry created" in line for line in second.output)
    stack = second.stack()
    assert asyncio.run(_webhook_event(stack))["source"] == "webhook"
    assert asyncio.run(_callr_webhook_event(stack))["source"] == "webhook"
    assert _entry_providers(stack) == sorted([PROVIDER_CALLR, PROVIDER_SMSMOBILEAPI])
    second.process.send_signal(signal.SIGINT)
    assert second.wait_exit() == 0
    assert processes_mentioning(str(config_dir)) == []


def test_exits_when_home_assistant_exits(launch: type[Launcher], no_leftovers: Path) -> None:
    """Home Assistant stopped from its own API: the launcher stops the simulator and exits.

    With ``--no-callr``: no CALLR simulator and no CALLR entry.
    """
    launcher = launch(no_leftovers / "config", args=("--no-callr",))
    launcher.wait_for_line(READY, START_SECONDS)
    stack = launcher.stack()
    assert _entry_providers(stack) == [PROVIDER_SMSMOBILEAPI]
    assert processes_mentioning(f"--port {launcher.callr_port}") == []

    async def stop_home_assistant() -> None:
        async with aiohttp.ClientSession() as session:
            token = await stack.login(session, stack.saved_owner())
            await stack.request(
                session, "POST", "/api/services/homeassistant/stop", token=token, json_body={}
            )

    asyncio.run(stop_home_assistant())
    launcher.wait_for_line("Home Assistant exited with status 0", STOP_SECONDS)
    assert launcher.wait_exit() == 0
    assert processes_mentioning(str(launcher.config_dir)) == []
    assert processes_mentioning(f"--port {launcher.sim_port}") == []


def test_signal_while_waiting_for_home_assistant(
    launch: type[Launcher], no_leftovers: Path
) -> None:
    """SIGTERM before Home Assistant is even up still stops everything at once."""
    launcher = launch(no_leftovers / "config")
    launcher.wait_for_line("waiting for Home Assistant", 60)
    launcher.process.send_signal(signal.SIGTERM)
    assert launcher.wait_exit() == 0
    assert processes_mentioning(str(launcher.config_dir)) == []
    assert processes_mentioning(f"--port {launcher.callr_port}") == []
