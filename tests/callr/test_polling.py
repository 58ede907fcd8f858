"""Receiving by polling: GET /sms read incrementally, each new SMS fired exactly once."""

from collections.abc import Callable
from datetime import timedelta

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_capture_events

from custom_components.smsmobileapi.const import EVENT_SMS_RECEIVED, SMS_SCAN_INTERVAL
from tests.conftest import NOW
from tests.helpers import tick

from .conftest import CALLR_ENTRY_ID, CallrSim, setup_entry

LAST_SMS = "sensor.callr_last_sms_received"
TODAY = "sensor.callr_sms_received_today"
EVENT_ENTITY = "event.callr_sms"


async def test_first_setup_fires_nothing(
    hass: HomeAssistant, callr_history: CallrSim, make_callr_entry: Callable[..., MockConfigEntry]
) -> None:
    """The history found at the first setup is recorded and shown, never fired."""
    events = async_capture_events(hass, EVENT_SMS_RECEIVED)
    await setup_entry(hass, make_callr_entry())
    assert events == []
    # The first sync reads the overlap and five minutes more, then the rest of today (local
    # midnight, for the count of SMS received today): never a week of SMS.
    assert callr_history.windows() == [
        ("2026-09-23 11:40:00", "2026-09-23 12:00:00"),
        ("2026-09-23 07:00:00", "2026-09-23 12:00:00"),
    ]
    last = hass.states.get(LAST_SMS)
    assert last.state == "2026-09-23T11:40:00+00:00"
    assert last.attributes["message"] == "Earlier reply"
    assert last.attributes["number"] == "+33698765432"
    assert hass.states.get(TODAY).state == "2"
    assert hass.states.get(EVENT_ENTITY).state == "unknown"


async def test_new_sms_fires_once_with_the_contract_data(
    hass: HomeAssistant,
    callr_entry: MockConfigEntry,
    callr_sim: CallrSim,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A new SMS found by polling fires once, however often it is read again."""
    events = async_capture_events(hass, EVENT_SMS_RECEIVED)
    sms = callr_sim.incoming("+33612345678", "Door open")
    for _ in range(3):
        await tick(hass, freezer, SMS_SCAN_INTERVAL)
    assert [event.data for event in events] == [
        {
            "config_entry_id": CALLR_ENTRY_ID,
            "device_id": None,
            "guid": sms.hash,
            "number": "+33612345678",
            "number_type": "mobile",
            "message": "Door open",
            "alias": None,
            "received_at": "2026-09-23T12:00:00+00:00",
            "source": "poll",
            "delayed": False,
            "verified": True,
            "provider": "callr",
        }
    ]
    last = hass.states.get(LAST_SMS)
    assert last.state == "2026-09-23T12:00:00+00:00"
    assert last.attributes["guid"] == sms.hash
    assert hass.states.get(TODAY).state == "3"
    event_state = hass.states.get(EVENT_ENTITY)
    assert event_state.attributes["event_type"] == "received"
    assert event_state.attributes["guid"] == sms.hash
    assert event_state.attributes["provider"] == "callr"


async def test_sender_name_has_no_number_type(
    hass: HomeAssistant,
    callr_entry: MockConfigEntry,
    callr_sim: CallrSim,
    freezer: FrozenDateTimeFactory,
) -> None:
    """An SMS from a sender name (a bank, say) fires with no number type: nothing replies to it."""
    events = async_capture_events(hass, EVENT_SMS_RECEIVED)
    callr_sim.incoming("MyBank", "Your code is 123456")
    await tick(hass, freezer, SMS_SCAN_INTERVAL)
    assert [(e.data["number"], e.data["number_type"]) for e in events] == [("MyBank", None)]


async def test_polls_read_only_the_overlap(
    hass: HomeAssistant,
    callr_entry: MockConfigEntry,
    callr_sim: CallrSim,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Each poll starts at the newest SMS seen minus 15 minutes, and ends now (UTC)."""
    await tick(hass, freezer, SMS_SCAN_INTERVAL)
    # Idle: from the newest SMS of the history (11:40) minus the overlap.
    assert callr_sim.windows()[-1] == ("2026-09-23 11:25:00", "2026-09-23 12:01:00")
    freezer.tick(timedelta(seconds=30))
    callr_sim.incoming("+33612345678", "New")
    await tick(hass, freezer, timedelta(seconds=30))
    assert callr_sim.windows()[-1] == ("2026-09-23 11:25:00", "2026-09-23 12:02:00")
    await tick(hass, freezer, SMS_SCAN_INTERVAL)
    await tick(hass, freezer, SMS_SCAN_INTERVAL)
    # The cursor moved to the new SMS (12:01:30): idle polls now re-read from 11:46:30.
    assert callr_sim.windows()[-2:] == [
        ("2026-09-23 11:46:30", "2026-09-23 12:03:00"),
        ("2026-09-23 11:46:30", "2026-09-23 12:04:00"),
    ]
    assert all(request.query["type"] == "IN" for request in callr_sim.requests("GET /sms"))
    assert callr_sim.requests("POST /sms") == []


async def test_restart_replays_nothing_and_catches_up(
    hass: HomeAssistant,
    callr_entry: MockConfigEntry,
    callr_sim: CallrSim,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A reload fires nothing already seen; what arrived while unloaded fires once, delayed."""
    events = async_capture_events(hass, EVENT_SMS_RECEIVED)
    seen = callr_sim.incoming("+33612345678", "Before the restart")
    await tick(hass, freezer, SMS_SCAN_INTERVAL)
    assert [e.data["guid"] for e in events] == [seen.hash]
    assert await hass.config_entries.async_reload(callr_entry.entry_id)
    await hass.async_block_till_done()
    assert [e.data["guid"] for e in events] == [seen.hash]
    assert await hass.config_entries.async_unload(callr_entry.entry_id)
    await hass.async_block_till_done()
    freezer.tick(timedelta(minutes=20))
    missed = callr_sim.incoming("+33698765432", "While Home Assistant was down", minutes_ago=5)
    assert await hass.config_entries.async_setup(callr_entry.entry_id)
    await hass.async_block_till_done()
    assert callr_entry.state is ConfigEntryState.LOADED
    await tick(hass, freezer, SMS_SCAN_INTERVAL)
    assert [(e.data["guid"], e.data["delayed"]) for e in events] == [
        (seen.hash, False),
        (missed.hash, True),
    ]


async def test_sms_without_reception_date(
    hass: HomeAssistant,
    callr_entry: MockConfigEntry,
    callr_sim: CallrSim,
    freezer: FrozenDateTimeFactory,
) -> None:
    """``0000-00-00 00:00:00`` is "no date": the SMS is placed at its creation date."""
    events = async_capture_events(hass, EVENT_SMS_RECEIVED)
    sms = callr_sim.incoming("+33612345678", "No reception date", minutes_ago=1)
    sms.received_at = None
    assert callr_sim.state.sms_json(sms)["date_received"] == "0000-00-00 00:00:00"
    await tick(hass, freezer, SMS_SCAN_INTERVAL)
    assert [(e.data["guid"], e.data["received_at"]) for e in events] == [
        (sms.hash, (NOW - timedelta(minutes=1)).isoformat())
    ]


async def test_polling_off_reads_nothing(
    hass: HomeAssistant, callr_history: CallrSim, make_callr_entry: Callable[..., MockConfigEntry]
) -> None:
    """With SMS polling off (webhook only), GET /sms is never asked for."""
    await setup_entry(hass, make_callr_entry({"poll_sms": False}))
    assert callr_history.requests("GET /sms") == []
    assert hass.states.get(LAST_SMS).state == "unknown"


async def test_sms_received_today_survives_a_restart(
    hass: HomeAssistant, callr_entry: MockConfigEntry, callr_sim: CallrSim
) -> None:
    """The day's count is the same before and after Home Assistant restarts."""
    assert hass.states.get(TODAY).state == "2"
    assert await hass.config_entries.async_reload(callr_entry.entry_id)
    await hass.async_block_till_done()
    assert hass.states.get(TODAY).state == "2"
