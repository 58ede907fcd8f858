"""Setup, polling, devices and failure handling against the simulator."""

from collections.abc import Callable
import logging

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from syrupy.assertion import SnapshotAssertion

from custom_components.smsmobileapi.const import DOMAIN, SLOW_SCAN_INTERVAL, SMS_SCAN_INTERVAL
from smsmobileapi_simulator import Fault
from smsmobileapi_simulator.faults import FaultKind

from .conftest import API_KEY, Simulator
from .helpers import integration_states, tick


async def test_setup_creates_entities(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, snapshot: SnapshotAssertion
) -> None:
    """One account device and one device per phone, with their sensors."""
    assert loaded_entry.state is ConfigEntryState.LOADED
    states = integration_states(hass)
    assert states == snapshot
    registry = dr.async_get(hass)
    devices = dr.async_entries_for_config_entry(registry, loaded_entry.entry_id)
    assert sorted(device.name or "" for device in devices) == [
        "Kitchen phone",
        "Office phone",
        "SMSMobileAPI",
    ]


async def test_unload(hass: HomeAssistant, loaded_entry: MockConfigEntry) -> None:
    """Unloading leaves every entity unavailable and the entry unloaded."""
    assert await hass.config_entries.async_unload(loaded_entry.entry_id)
    await hass.async_block_till_done()
    assert loaded_entry.state is ConfigEntryState.NOT_LOADED
    assert hass.states.get("sensor.kitchen_phone_battery").state == STATE_UNAVAILABLE


async def test_invalid_key_starts_reauth(
    hass: HomeAssistant, seeded: Simulator, make_entry: Callable[..., MockConfigEntry]
) -> None:
    """A rejected key at setup fails setup and asks the user to sign in again."""
    entry = make_entry(api_key="revoked-key")
    assert not await hass.config_entries.async_setup(entry.entry_id)
    assert entry.state is ConfigEntryState.SETUP_ERROR
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [flow["context"]["source"] for flow in flows] == ["reauth"]


async def test_outage_at_setup_retries(
    hass: HomeAssistant, seeded: Simulator, make_entry: Callable[..., MockConfigEntry]
) -> None:
    """A server error at setup means try again later, not a broken entry."""
    seeded.state.faults.add(Fault(kind="status", status=500, times=1))
    entry = make_entry()
    await hass.config_entries.async_setup(entry.entry_id)
    assert entry.state is ConfigEntryState.SETUP_RETRY


async def test_idle_poll_reads_only_new_messages(
    hass: HomeAssistant,
    seeded: Simulator,
    make_entry: Callable[..., MockConfigEntry],
    freezer: FrozenDateTimeFactory,
) -> None:
    """After the first sync, each poll asks only for what came after the newest SMS seen."""
    entry = make_entry()
    assert await hass.config_entries.async_setup(entry.entry_id)
    first = seeded.requests_to("/getsms/")
    newest = max(sms.timestamp for sms in seeded.account.received)
    seeded.state.requests.clear()
    await tick(hass, freezer, SMS_SCAN_INTERVAL)
    polls = seeded.requests_to("/getsms/")
    assert len(polls) == 1
    assert "onlyunread" not in polls[0]
    after = int(polls[0]["after_timestamp_unix"])
    assert after == newest - 15 * 60
    assert len(first) == 2  # the incremental read and the one-time unread count
    # Phones and call logs wait for their slower cadence.
    assert seeded.requests_to("/gateway/mobile/list/") == []
    await tick(hass, freezer, SLOW_SCAN_INTERVAL)
    assert len(seeded.requests_to("/gateway/mobile/list/")) == 1
    assert len(seeded.requests_to("/call/missed/list/")) == 1


async def test_new_sms_updates_sensors(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    seeded: Simulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A new SMS becomes the last SMS and counts as unread."""
    assert hass.states.get("sensor.smsmobileapi_unread_sms").state == "3"
    seeded.state.add_received_sms(seeded.account, number="+32470000007", message="New one")
    await tick(hass, freezer, SMS_SCAN_INTERVAL)
    last = hass.states.get("sensor.smsmobileapi_last_sms_received")
    assert last.attributes["message"] == "New one"
    assert last.attributes["number"] == "+32470000007"
    assert hass.states.get("sensor.smsmobileapi_unread_sms").state == "4"


async def test_outage_and_recovery(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    seeded: Simulator,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Entities go unavailable during an outage and come back, with one log line each way."""
    seeded.state.faults.add(Fault(kind="status", status=500, times=3))
    await tick(hass, freezer, SMS_SCAN_INTERVAL)
    assert hass.states.get("sensor.smsmobileapi_unread_sms").state == STATE_UNAVAILABLE
    await tick(hass, freezer, SMS_SCAN_INTERVAL)
    await tick(hass, freezer, SMS_SCAN_INTERVAL)
    assert hass.states.get("sensor.smsmobileapi_unread_sms").state == STATE_UNAVAILABLE
    await tick(hass, freezer, SMS_SCAN_INTERVAL)
    assert hass.states.get("sensor.smsmobileapi_unread_sms").state == "3"
    errors = [r for r in caplog.records if "Error fetching" in r.getMessage()]
    recoveries = [
        r for r in caplog.records if "Fetching" in r.getMessage() and "recovered" in r.getMessage()
    ]
    assert len(errors) == 1
    assert len(recoveries) == 1


@pytest.mark.parametrize(
    ("fault", "translation_key"),
    [
        (Fault(kind="rate_limit", retry_after=120), "rate_limited"),
        (Fault(kind="expired"), "subscription_expired"),
        (Fault(kind="html", status=502), "update_failed"),
    ],
    ids=["rate_limited", "subscription_expired", "html_page"],
)
async def test_poll_failures_are_translated(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    seeded: Simulator,
    freezer: FrozenDateTimeFactory,
    fault: Fault,
    translation_key: str,
) -> None:
    """Each kind of failure makes the update fail with its own translated message."""
    seeded.state.faults.add(fault)
    await tick(hass, freezer, SMS_SCAN_INTERVAL)
    coordinator = loaded_entry.runtime_data.coordinator
    assert not coordinator.last_update_success
    assert coordinator.last_exception.translation_key == translation_key
    if translation_key == "rate_limited":
        assert coordinator.last_exception.retry_after == 120


async def test_runtime_auth_failure_starts_reauth(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    seeded: Simulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A key revoked while running starts a reauth flow."""
    seeded.state.rotate_api_key(seeded.account, "rotated")
    await tick(hass, freezer, SMS_SCAN_INTERVAL)
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [flow["context"]["source"] for flow in flows] == ["reauth"]


async def test_phones_come_and_go(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    seeded: Simulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A new phone gets a device and entities; a removed phone's device goes away."""
    registry = dr.async_get(hass)
    seeded.state.add_phone(seeded.account, sid="phone-garage", label="Garage", battery=99)
    seeded.state.delete_phone(seeded.account, "phone-office")
    seeded.account.phones["phone-kitchen"].label = "Kitchen"
    await tick(hass, freezer, SLOW_SCAN_INTERVAL)
    assert hass.states.get("sensor.garage_battery").state == "99"
    names = sorted(
        device.name or ""
        for device in dr.async_entries_for_config_entry(registry, loaded_entry.entry_id)
    )
    assert names == ["Garage", "Kitchen", "SMSMobileAPI"]
    assert hass.states.get("sensor.office_phone_battery") is None


async def test_remove_stale_device(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    seeded: Simulator,
) -> None:
    """Only a device whose phone is gone may be deleted by the user."""
    registry = dr.async_get(hass)
    devices = {
        identifier: device
        for device in dr.async_entries_for_config_entry(registry, loaded_entry.entry_id)
        for _, identifier in device.identifiers
    }
    kitchen = devices["phone_phone-kitchen"]
    account = devices[f"account_{loaded_entry.entry_id}"]
    stale = registry.async_get_or_create(
        config_entry_id=loaded_entry.entry_id, identifiers={(DOMAIN, "phone_gone")}
    )
    module = __import__("custom_components.smsmobileapi", fromlist=["x"])
    assert not await module.async_remove_config_entry_device(hass, loaded_entry, kitchen)
    assert await module.async_remove_config_entry_device(hass, loaded_entry, stale)
    assert not await module.async_remove_config_entry_device(hass, loaded_entry, account)


@pytest.mark.parametrize("kind", ["redirect", "bad_http", "malformed", "truncated", "html"])
async def test_no_api_key_in_the_debug_log(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    seeded: Simulator,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
    kind: FaultKind,
) -> None:
    """A failing poll logs its error (with Home Assistant's "Full error" at DEBUG): no key in it.

    aiohttp's own errors carry the request's URL, with the key in its query.
    """
    caplog.set_level(logging.DEBUG)
    seeded.state.faults.add(Fault(kind=kind, path="/getsms/", times=None))
    await tick(hass, freezer, SMS_SCAN_INTERVAL)
    assert hass.states.get("sensor.smsmobileapi_last_sms_received").state == STATE_UNAVAILABLE
    assert "Error fetching" in caplog.text or "Error requesting" in caplog.text
    assert API_KEY not in caplog.text
