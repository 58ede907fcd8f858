"""A poll delivering many SMS lets the event loop run in between, and stays exactly-once.

While it pauses, a push of one of its SMS fires once; an unload (a restart) in the middle loses
nothing: the next setup reads the rest again and fires each of them once.
"""

import asyncio

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import Event, HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_capture_events
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.smsmobileapi import coordinator as coordinator_module
from custom_components.smsmobileapi.const import EVENT_SMS_RECEIVED
from smsmobileapi_simulator import build_legacy_body

from .conftest import WEBHOOK_ID, Simulator


@pytest.fixture
def pause_after_each_sms(monkeypatch: pytest.MonkeyPatch) -> None:
    """The poll pauses after every SMS it delivers."""
    monkeypatch.setattr(coordinator_module, "_DELIVERY_SLICE", -1.0)


async def _until(events: list[Event], count: int) -> None:
    for _ in range(1000):
        if len(events) >= count:
            return
        await asyncio.sleep(0)
    raise AssertionError(f"{len(events)} events, not {count}")


async def test_other_tasks_run_while_a_poll_delivers(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    seeded: Simulator,
    pause_after_each_sms: None,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """A push of an SMS the poll has not reached yet: fired once, by the push."""
    events = async_capture_events(hass, EVENT_SMS_RECEIVED)
    new = [
        seeded.state.add_received_sms(seeded.account, "+32470000005", f"New {index}")
        for index in range(5)
    ]
    poll = hass.async_create_task(loaded_entry.runtime_data.coordinator.async_refresh())
    await _until(events, 1)
    client = await hass_client_no_auth()
    response = await client.post(f"/api/webhook/{WEBHOOK_ID}", data=build_legacy_body(new[-1]))
    assert response.status == 200
    await poll
    await hass.async_block_till_done()
    guids = [event.data["guid"] for event in events]
    assert sorted(guids) == sorted(sms.guid for sms in new)


async def test_an_unload_in_the_middle_loses_nothing(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    seeded: Simulator,
    pause_after_each_sms: None,
) -> None:
    """Two of five SMS delivered, then a restart: the other three fire after it, once each."""
    events = async_capture_events(hass, EVENT_SMS_RECEIVED)
    new = [
        seeded.state.add_received_sms(seeded.account, "+32470000005", f"New {index}")
        for index in range(5)
    ]
    poll = hass.async_create_task(loaded_entry.runtime_data.coordinator.async_refresh())
    await _until(events, 2)
    assert await hass.config_entries.async_unload(loaded_entry.entry_id)
    await poll
    assert len(events) < len(new)
    assert await hass.config_entries.async_setup(loaded_entry.entry_id)
    await hass.async_block_till_done()
    assert loaded_entry.state is ConfigEntryState.LOADED
    guids = [event.data["guid"] for event in events]
    assert sorted(guids) == sorted(sms.guid for sms in new)
