"""Smoke run on the newest Home Assistant release: a real process driven over HTTP and websocket.

Onboarding, the API-key config flow, a webhook delivery that fires ``smsmobileapi_sms_received``,
a ``send_message`` that reaches the simulator, and a log without a warning or an error of ours.
"""

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
import uuid

import aiohttp
from homeassistant.const import __version__ as HA_VERSION  # noqa: N812
import pytest

from scripts.hass_harness import DOMAIN, HassWebSocket, Owner, Stack, log_problems, read_log

NUMBER = "+32470112233"
OUR_LOGGER = f"custom_components.{DOMAIN}"


@dataclass
class Running:
    """The module's Home Assistant, onboarded, with one entry bound to the simulator."""

    stack: Stack
    owner: Owner
    token: str
    entry_id: str


async def _prepare(stack: Stack) -> Running:
    async with aiohttp.ClientSession() as session:
        await stack.wait_until_up(session, 300)
        owner = await stack.onboard(session)
        token = await stack.login(session, owner)
        entry_id = await stack.add_api_key_entry(session, token)
        await stack.connect_simulator_webhook(session, token)
    return Running(stack, owner, token, entry_id)


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    """Start Home Assistant and the simulator once for the module; stop them whatever happens."""
    config_dir = tmp_path_factory.mktemp("smoke")
    with Stack(config_dir, output=config_dir / "console.log") as stack:
        yield asyncio.run(_prepare(stack))
    assert stack.hass is not None
    assert stack.hass.returncode is not None


async def test_onboarded_with_a_loaded_entry(running: Running) -> None:
    """The owner can log in again, the version is the recorded one, the entry is loaded."""
    stack = running.stack
    async with aiohttp.ClientSession() as session:
        token = await stack.login(session, running.owner)
        config = await stack.request(session, "GET", "/api/config", token=token)
        entries = await stack.entries(session, token)
    print(f"Home Assistant {config['version']} answered")  # noqa: T201 - the run says what ran
    assert config["version"] == HA_VERSION
    assert [(entry["entry_id"], entry["state"]) for entry in entries] == [
        (running.entry_id, "loaded")
    ]


async def test_webhook_delivery_fires_the_event(running: Running) -> None:
    """The simulator pushes an SMS to the webhook: the event arrives on the websocket, once."""
    stack = running.stack
    text = f"Smoke test {uuid.uuid4()}"
    async with (
        aiohttp.ClientSession() as session,
        await HassWebSocket.connect(session, stack.ha_url, running.token) as ws,
    ):
        events = await ws.subscribe_events(f"{DOMAIN}_sms_received")
        await stack.sim_control(session, "POST", "/_sim/sms", {"number": NUMBER, "message": text})
        async with asyncio.timeout(15):
            event = await events.get()
        data = event["data"]
        assert (data["message"], data["number"], data["source"]) == (text, NUMBER, "webhook")
        assert data["config_entry_id"] == running.entry_id
        with pytest.raises(TimeoutError):  # exactly once, not again by polling
            async with asyncio.timeout(2):
                await events.get()


async def test_send_message_reaches_the_simulator(running: Running) -> None:
    """The ``send_message`` action queues exactly that text for exactly that number."""
    stack = running.stack
    text = f"Sent by the smoke test {uuid.uuid4()}"
    async with aiohttp.ClientSession() as session:
        await stack.request(
            session,
            "POST",
            f"/api/services/{DOMAIN}/send_message?return_response",
            token=running.token,
            json_body={"recipients": [NUMBER], "message": text},
        )
        sent = await stack.sim_control(session, "GET", "/_sim/sent")
    assert [(row["recipients"], row["message"]) for row in sent] == [(NUMBER, text)]


def test_log_has_no_warning_or_error_of_ours(running: Running) -> None:
    """After all of the above, nothing of ours at WARNING or above (runs last in this module)."""
    records = running.stack.log_records()
    assert records, "Home Assistant wrote no log"
    problems = log_problems(
        records, levels=frozenset({"WARNING", "ERROR", "CRITICAL"}), logger_prefix=OUR_LOGGER
    )
    assert [str(record) for record in problems] == []


def test_log_is_read_correctly(tmp_path: Path) -> None:
    """The log reader sees the levels and loggers the checks above rely on."""
    log = tmp_path / "home-assistant.log"
    log.write_text(
        "2026-12-03 15:07:33.294+00:00 WARNING (MainThread) [custom_components.smsmobileapi] a\n"
        "Traceback (most recent call last):\n"
        "2026-12-03 15:07:34.000 ERROR (SyncWorker_0) [homeassistant.setup] b\n"
    )
    records = read_log(log)
    assert [(r.level, r.logger, r.message) for r in records] == [
        ("WARNING", OUR_LOGGER, "a"),
        ("ERROR", "homeassistant.setup", "b"),
    ]
