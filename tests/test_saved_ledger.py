"""The saved record of delivered items: corrupt files, older versions, items from the future.

Whatever the file holds, setup works and nothing fires twice: an unusable file starts a fresh
record as a silent first sync; a version-1 file is migrated; an item dated in the future never
stops polling.
"""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_capture_events

from custom_components.smsmobileapi.const import DOMAIN, EVENT_SMS_RECEIVED, SMS_SCAN_INTERVAL

from .conftest import ENTRY_ID, NOW, Simulator
from .helpers import tick

KEY = f"{DOMAIN}.{ENTRY_ID}.ledger"


def _saved(data: object, *, version: int = 2) -> dict[str, Any]:
    return {"version": version, "minor_version": 1, "key": KEY, "data": data}


@pytest.mark.parametrize(
    "data",
    [
        [],
        {"seen": {}, "cursors": {}, "synced_at": NOW.timestamp()},
        {"seen": [["sms\x1fA", 1e300]], "cursors": {}, "synced_at": NOW.timestamp()},
        {"seen": [], "cursors": {"sms": 4e10}, "synced_at": NOW.timestamp()},
        {"seen": [], "cursors": {}, "synced_at": "yesterday"},
        {"seen": [], "cursors": {}, "synced_at": (NOW + timedelta(days=30)).timestamp()},
    ],
    ids=["list", "wrong_shape", "absurd_time", "future_cursor", "bad_synced_at", "future_synced"],
)
async def test_unusable_file_starts_a_silent_first_sync(
    hass: HomeAssistant,
    seeded: Simulator,
    make_entry: Callable[..., MockConfigEntry],
    hass_storage: dict[str, Any],
    freezer: FrozenDateTimeFactory,
    data: object,
) -> None:
    """Nothing of the inbox's history fires; new messages after it do, once."""
    hass_storage[KEY] = _saved(data)
    events = async_capture_events(hass, EVENT_SMS_RECEIVED)
    entry = make_entry()
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    assert events == []
    seeded.state.add_received_sms(seeded.account, number="+32470000001", message="New")
    await tick(hass, freezer, SMS_SCAN_INTERVAL)
    assert [event.data["message"] for event in events] == ["New"]


@pytest.mark.parametrize(
    "saved",
    [
        # Written by a future version (a downgrade): not trusted.
        _saved({"anything": True}, version=99),
        # A version-1 file that is not an object: nothing to migrate.
        _saved(["not", "a", "ledger"], version=1),
    ],
    ids=["newer_version", "version_1_not_an_object"],
)
async def test_untrusted_version_starts_a_silent_first_sync(
    hass: HomeAssistant,
    seeded: Simulator,
    make_entry: Callable[..., MockConfigEntry],
    hass_storage: dict[str, Any],
    saved: dict[str, Any],
) -> None:
    """A file of another version that cannot be used: setup works, the history fires nothing."""
    hass_storage[KEY] = saved
    events = async_capture_events(hass, EVENT_SMS_RECEIVED)
    entry = make_entry()
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    assert events == []


async def test_version_1_file_is_migrated(
    hass: HomeAssistant,
    seeded: Simulator,
    make_entry: Callable[..., MockConfigEntry],
    hass_storage: dict[str, Any],
) -> None:
    """A version-1 record (synced: true) keeps its history: only what is new fires, once."""
    received = seeded.account.received
    cursor = max(sms.received_at for sms in received)
    hass_storage[KEY] = _saved(
        {
            "seen": [[f"sms\x1f{sms.guid}", int(sms.received_at.timestamp())] for sms in received],
            "cursors": {"sms": cursor.timestamp()},
            "synced": True,
            "webhook_seen": False,
        },
        version=1,
    )
    new = seeded.state.add_received_sms(
        seeded.account, number="+32470000009", message="While away", received_at=NOW
    )
    events = async_capture_events(hass, EVENT_SMS_RECEIVED)
    entry = make_entry()
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert [(event.data["guid"], event.data["delayed"]) for event in events] == [(new.guid, False)]


async def test_future_dated_sms_does_not_freeze_polling(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    seeded: Simulator,
    freezer: FrozenDateTimeFactory,
    hass_storage: dict[str, Any],
) -> None:
    """One SMS dated a year ahead fires once; the normal ones after it still arrive."""
    events = async_capture_events(hass, EVENT_SMS_RECEIVED)
    seeded.state.add_received_sms(
        seeded.account,
        number="+32470000001",
        message="From 2027",
        received_at=NOW + timedelta(days=365),
    )
    await tick(hass, freezer, SMS_SCAN_INTERVAL)
    for minute in range(3):
        seeded.state.add_received_sms(
            seeded.account, number="+32470000002", message=f"Normal {minute}"
        )
        await tick(hass, freezer, SMS_SCAN_INTERVAL)
    assert [event.data["message"] for event in events] == [
        "From 2027",
        "Normal 0",
        "Normal 1",
        "Normal 2",
    ]
    # Nor across a restart: the saved cursor is no further than a few minutes ahead.
    assert await hass.config_entries.async_reload(loaded_entry.entry_id)
    await hass.async_block_till_done()
    seeded.state.add_received_sms(seeded.account, number="+32470000002", message="After restart")
    await tick(hass, freezer, SMS_SCAN_INTERVAL)
    assert events[-1].data["message"] == "After restart"
    cursor = hass_storage[KEY]["data"]["cursors"]["sms"]
    assert cursor <= (NOW + timedelta(minutes=10)).timestamp()
