"""A source polled for the first time after the setup: its history stays silent, news fires once.

An option turned on later (WhatsApp, SMS polling) or a call log readable at last starts to be
read from when it became wanted (minus the overlap): what it holds from before is recorded,
never fired, and that holds across a restart; what arrives after fires exactly once.
"""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_capture_events

from custom_components.smsmobileapi.const import (
    CONF_POLL_SMS,
    CONF_POLL_WHATSAPP,
    DOMAIN,
    EVENT_CALL,
    EVENT_SMS_RECEIVED,
    EVENT_WHATSAPP_RECEIVED,
    SMS_SCAN_INTERVAL,
)
from custom_components.smsmobileapi.ledger_store import LedgerStore

from .conftest import ENTRY_ID, NOW, Simulator
from .helpers import tick

KEY = f"{DOMAIN}.{ENTRY_ID}.ledger"


async def _set_options(hass: HomeAssistant, entry: MockConfigEntry, **options: object) -> None:
    """Change the options and reload, as the options flow does."""
    hass.config_entries.async_update_entry(entry, options={**entry.options, **options})
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()


async def test_whatsapp_turned_on_later_fires_only_what_comes_after(
    hass: HomeAssistant,
    seeded: Simulator,
    make_entry: Callable[..., MockConfigEntry],
    freezer: FrozenDateTimeFactory,
) -> None:
    """Messages from before the option was turned on are history, even within the overlap."""
    account = seeded.account
    seeded.state.add_received_whatsapp(account, "+32470000011", "Before setup", received_at=NOW)
    entry = make_entry()
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    events = async_capture_events(hass, EVENT_WHATSAPP_RECEIVED)
    freezer.tick(timedelta(hours=2))
    turned_on = NOW + timedelta(hours=2)
    just_before = seeded.state.add_received_whatsapp(
        account, "+32470000012", "Just before", received_at=turned_on - timedelta(minutes=5)
    )
    await _set_options(hass, entry, **{CONF_POLL_WHATSAPP: True})
    assert events == []
    # The one within the overlap before the option was turned on is recorded as history.
    assert f"received:{just_before.guid}" in entry.runtime_data.inbox.ledger.items("whatsapp")
    freezer.tick(30)
    new = seeded.state.add_received_whatsapp(account, "+32470000013", "After")
    await tick(hass, freezer, SMS_SCAN_INTERVAL)
    await tick(hass, freezer, SMS_SCAN_INTERVAL)
    assert [event.data["guid"] for event in events] == [new.guid]
    # A restart replays nothing and keeps the history silent.
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert [event.data["guid"] for event in events] == [new.guid]


async def test_sms_polling_turned_on_later_keeps_the_history_silent(
    hass: HomeAssistant,
    seeded: Simulator,
    make_entry: Callable[..., MockConfigEntry],
    freezer: FrozenDateTimeFactory,
) -> None:
    """Webhook only at first; an SMS the webhook never brought, from before, is not news."""
    entry = make_entry()
    hass.config_entries.async_update_entry(entry, options={CONF_POLL_SMS: False})
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    events = async_capture_events(hass, EVENT_SMS_RECEIVED)
    freezer.tick(timedelta(hours=1))
    turned_on = NOW + timedelta(hours=1)
    old = seeded.state.add_received_sms(
        seeded.account, "+32470000001", "Not pushed", received_at=turned_on - timedelta(minutes=3)
    )
    await _set_options(hass, entry, **{CONF_POLL_SMS: True})
    assert events == []
    assert entry.runtime_data.inbox.knows_sms(old.guid)
    freezer.tick(30)
    new = seeded.state.add_received_sms(seeded.account, "+32470000002", "Polled")
    await tick(hass, freezer, SMS_SCAN_INTERVAL)
    assert [(event.data["guid"], event.data["source"]) for event in events] == [(new.guid, "poll")]


async def test_file_without_since_and_read_fires_what_is_new(
    hass: HomeAssistant,
    seeded: Simulator,
    make_entry: Callable[..., MockConfigEntry],
    hass_storage: dict[str, Any],
    freezer: FrozenDateTimeFactory,
) -> None:
    """A file of the previous release (no ``since``, no ``read``): a source with a cursor was read.

    The SMS and the missed call that came while Home Assistant was stopped fire once each; the
    history in the file fires nothing.
    """
    entry = make_entry()
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert await hass.config_entries.async_unload(entry.entry_id)
    saved = hass_storage[KEY]["data"]
    assert saved["read"]
    del saved["since"], saved["read"]
    freezer.tick(timedelta(minutes=10))
    sms = seeded.state.add_received_sms(seeded.account, "+32470000009", "While away")
    call = seeded.state.add_call(seeded.account, "missed", "+32470000008")
    sms_events = async_capture_events(hass, EVENT_SMS_RECEIVED)
    call_events = async_capture_events(hass, EVENT_CALL)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert [event.data["guid"] for event in sms_events] == [sms.guid]
    assert [(event.data["call_type"], event.data["number"]) for event in call_events] == [
        ("missed", call.number)
    ]


async def test_idle_polls_write_nothing(
    hass: HomeAssistant,
    seeded: Simulator,
    make_entry: Callable[..., MockConfigEntry],
    freezer: FrozenDateTimeFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Once every source was read, a poll that finds nothing new schedules no save of the file."""
    entry = make_entry()
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    await tick(hass, freezer, SMS_SCAN_INTERVAL)
    saves: list[object] = []
    original = LedgerStore.async_delay_save

    def counted(store: LedgerStore, data: Callable[[], dict[str, Any]], delay: float = 0) -> None:
        saves.append(delay)
        original(store, data, delay)

    monkeypatch.setattr(LedgerStore, "async_delay_save", counted)
    for _ in range(3):
        await tick(hass, freezer, SMS_SCAN_INTERVAL)
    assert saves == []
    seeded.state.add_received_sms(seeded.account, "+32470000002", "New")
    await tick(hass, freezer, SMS_SCAN_INTERVAL)
    assert len(saves) == 1
