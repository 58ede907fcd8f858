"""Webhook URL, Home Assistant Cloud cloudhook, and the saved ledger."""

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractContextManager
from datetime import timedelta
import sys
from types import ModuleType
from typing import Any
from unittest.mock import AsyncMock, patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    async_fire_time_changed,
)
from pytest_homeassistant_custom_component.typing import (
    ClientSessionGenerator,
    WebSocketGenerator,
)

from custom_components.smsmobileapi.api import ReceivedSms
from custom_components.smsmobileapi.const import (
    CONF_CLOUDHOOK_URL,
    DOMAIN,
    EVENT_SMS_RECEIVED,
    SMS_SCAN_INTERVAL,
)
from custom_components.smsmobileapi.webhook import webhook_url
from smsmobileapi_simulator import Fault, build_legacy_body

from .conftest import ENTRY_ID, NOW, WEBHOOK_ID, Simulator
from .helpers import webhook_names


def _fake_cloud(
    *, subscribed: bool, create: AsyncMock, delete: AsyncMock
) -> AbstractContextManager[object]:
    """Stand in for Home Assistant Cloud, which cannot be imported or reached here."""
    cloud = ModuleType("homeassistant.components.cloud")
    cloud.async_active_subscription = lambda hass: subscribed  # type: ignore[attr-defined]
    cloud.async_create_cloudhook = create  # type: ignore[attr-defined]
    cloud.async_delete_cloudhook = delete  # type: ignore[attr-defined]
    return patch.dict(sys.modules, {"homeassistant.components.cloud": cloud})


async def test_webhook_url_without_any_configured_url(hass: HomeAssistant) -> None:
    """With no internal or external URL known, the path is shown (the user adds the host)."""
    with patch(
        "homeassistant.components.webhook.async_generate_url",
        side_effect=__import__(
            "homeassistant.helpers.network", fromlist=["NoURLAvailableError"]
        ).NoURLAvailableError,
    ):
        assert webhook_url(hass, "abc") == "/api/webhook/abc"
    assert webhook_url(hass, "abc", "https://hooks.nabu.casa/x") == "https://hooks.nabu.casa/x"


async def test_cloudhook_created_and_removed(
    hass: HomeAssistant, seeded: Simulator, make_entry: Callable[..., MockConfigEntry]
) -> None:
    """With an active Cloud subscription a cloudhook is made once, and deleted with the entry.

    Home Assistant Cloud cannot run here: its three calls are replaced.
    """
    hass.config.components.add("cloud")
    entry = make_entry()
    create = AsyncMock(return_value="https://hooks.nabu.casa/abc")
    delete = AsyncMock()
    with _fake_cloud(subscribed=True, create=create, delete=delete):
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
        assert entry.data[CONF_CLOUDHOOK_URL] == "https://hooks.nabu.casa/abc"
        create.assert_awaited_once_with(hass, WEBHOOK_ID)
        assert await hass.config_entries.async_reload(entry.entry_id)
        await hass.async_block_till_done()
        create.assert_awaited_once()
        assert await hass.config_entries.async_remove(entry.entry_id)
        delete.assert_awaited_once_with(hass, WEBHOOK_ID)


async def test_no_cloudhook_without_subscription(
    hass: HomeAssistant, seeded: Simulator, make_entry: Callable[..., MockConfigEntry]
) -> None:
    """Cloud set up but not subscribed: the plain webhook URL is used."""
    hass.config.components.add("cloud")
    entry = make_entry()
    with _fake_cloud(subscribed=False, create=AsyncMock(), delete=AsyncMock()):
        assert await hass.config_entries.async_setup(entry.entry_id)
    assert CONF_CLOUDHOOK_URL not in entry.data


async def test_ledger_saved_and_removed(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    seeded: Simulator,
    hass_storage: dict[str, Any],
    freezer: FrozenDateTimeFactory,
) -> None:
    """The ledger is written debounced, holds identities and cursors, and goes with the entry."""
    key = f"{DOMAIN}.{ENTRY_ID}.ledger"
    seeded.state.add_received_sms(seeded.account, number="+32470000001", message="x")
    freezer.tick(SMS_SCAN_INTERVAL)
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)
    freezer.tick(timedelta(seconds=11))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    saved = hass_storage[key]["data"]
    assert len(saved["seen"]) == 4 + 3  # 4 SMS and 3 calls
    assert saved["cursors"]["sms"] == NOW.timestamp()
    assert await hass.config_entries.async_remove(loaded_entry.entry_id)
    await hass.async_block_till_done()
    assert key not in hass_storage


async def test_stale_poll_item_is_delayed(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    seeded: Simulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """An SMS the phone synchronised 20 minutes late fires with delayed set."""
    events = async_capture_events(hass, EVENT_SMS_RECEIVED)
    freezer.tick(timedelta(minutes=25))
    seeded.state.add_received_sms(
        seeded.account, number="+1", message="late", received_at=NOW + timedelta(minutes=3)
    )
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert [(e.data["message"], e.data["delayed"]) for e in events] == [("late", True)]


async def test_first_sync_interrupted_then_retried_fires_nothing(
    hass: HomeAssistant, seeded: Simulator, make_entry: Callable[..., MockConfigEntry]
) -> None:
    """A first setup that fails after reading the SMS stays a first sync when it is retried."""
    sms_events = async_capture_events(hass, EVENT_SMS_RECEIVED)
    call_events = async_capture_events(hass, "smsmobileapi_call")
    seeded.state.faults.add(Fault(kind="status", status=500, path="/gateway/mobile/list/"))
    entry = make_entry()
    await hass.config_entries.async_setup(entry.entry_id)
    assert entry.state is ConfigEntryState.SETUP_RETRY
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    assert sms_events == []
    assert call_events == []


async def test_closed_inbox_is_inert(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, seeded: Simulator
) -> None:
    """After unload, a poll that was still running fires nothing and saves nothing."""
    inbox = loaded_entry.runtime_data.inbox
    events = async_capture_events(hass, EVENT_SMS_RECEIVED)
    assert await hass.config_entries.async_unload(loaded_entry.entry_id)
    late = ReceivedSms(guid="LATE", number="+1", message="late", received_at=NOW)
    assert not inbox.receive_sms(late, "poll", verified=True)
    assert "sms\x1fLATE" not in {key for key, _ in inbox.ledger.as_dict()["seen"]}
    assert events == []


async def test_delivery_racing_an_unload_gets_503(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    seeded: Simulator,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """A request whose body arrives while the entry unloads: 503 (retry later), no 500."""
    events = async_capture_events(hass, EVENT_SMS_RECEIVED)
    sms = seeded.state.add_received_sms(seeded.account, number="+32470000002", message="Hi")
    started, release = asyncio.Event(), asyncio.Event()

    async def _body() -> AsyncIterator[bytes]:
        yield b'{"guid": "'
        started.set()
        await release.wait()
        yield build_legacy_body(sms)[len(b'{"guid": "') :]

    client = await hass_client_no_auth()
    request = asyncio.ensure_future(client.post(f"/api/webhook/{WEBHOOK_ID}", data=_body()))
    await started.wait()
    for _ in range(50):  # let the server route the request to the handler, reading the body
        await asyncio.sleep(0)
    assert await hass.config_entries.async_unload(loaded_entry.entry_id)
    release.set()
    response = await request
    assert response.status == 503
    await hass.async_block_till_done()
    assert events == []


async def test_body_that_never_arrives_gets_408(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    hass_client_no_auth: ClientSessionGenerator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A sender that opens a request and never finishes its body is cut off after 10 s."""
    never = asyncio.Event()

    async def _body() -> AsyncIterator[bytes]:
        yield b'{"guid": '
        await never.wait()
        yield b"}"

    client = await hass_client_no_auth()
    request = asyncio.ensure_future(client.post(f"/api/webhook/{WEBHOOK_ID}", data=_body()))
    # Move the (frozen) clock past the deadline in small steps, letting the loop run between.
    for _ in range(1200):
        freezer.tick(0.01)
        await asyncio.sleep(0)
    never.set()  # the client may finish sending; the answer was given meanwhile
    response = await request
    assert response.status == 408


async def test_ledger_saved_within_a_second(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    seeded: Simulator,
    hass_client_no_auth: ClientSessionGenerator,
    hass_storage: dict[str, Any],
    freezer: FrozenDateTimeFactory,
) -> None:
    """A crash a second after a webhook was answered no longer loses its record."""
    sms = seeded.state.add_received_sms(seeded.account, number="+32470000002", message="Hi")
    client = await hass_client_no_auth()
    await client.post(f"/api/webhook/{WEBHOOK_ID}", data=build_legacy_body(sms))
    await hass.async_block_till_done()
    freezer.tick(timedelta(seconds=1.5))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    saved = hass_storage[f"{DOMAIN}.{ENTRY_ID}.ledger"]["data"]
    assert f"sms\x1f{sms.guid}" in {key for key, _ in saved["seen"]}


async def test_webhook_named_after_the_service_and_the_account(
    hass: HomeAssistant,
    seeded: Simulator,
    make_entry: Callable[..., MockConfigEntry],
    hass_ws_client: WebSocketGenerator,
) -> None:
    """Home Assistant's list of webhooks names the service once, and the account's own name."""
    entry = make_entry()
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert (await webhook_names(hass, hass_ws_client))[WEBHOOK_ID] == "SMSMobileAPI"
    hass.config_entries.async_update_entry(entry, title="Home phone")
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    names = await webhook_names(hass, hass_ws_client)
    assert names[WEBHOOK_ID] == "SMSMobileAPI Home phone"
