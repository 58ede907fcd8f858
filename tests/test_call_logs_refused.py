"""Call logs refused to an OAuth2 client: SMS go on, call sensors unavailable, a repair issue."""

from collections.abc import Callable

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import CONF_CLIENT_ID, CONF_CLIENT_SECRET, STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_capture_events

from custom_components.smsmobileapi.const import (
    AUTH_OAUTH2,
    CONF_AUTH_TYPE,
    DOMAIN,
    EVENT_CALL,
    EVENT_SMS_RECEIVED,
    SLOW_SCAN_INTERVAL,
    SMS_SCAN_INTERVAL,
)

from .conftest import CLIENT_ID, CLIENT_SECRET, ENTRY_ID, Simulator
from .helpers import tick

ISSUE = f"call_logs_need_api_key_{ENTRY_ID}"
CALL_SENSORS = (
    "sensor.smsmobileapi_missed_calls_today",
    "sensor.smsmobileapi_last_missed_call",
    "sensor.smsmobileapi_last_incoming_call",
    "sensor.smsmobileapi_last_outgoing_call",
)
SMS_SENSORS = ("sensor.smsmobileapi_last_sms_received", "sensor.smsmobileapi_unread_sms")
CALL_PATHS = ("/call/missed/list/", "/call/incoming/list/", "/call/outgoing/list/")


def _call_requests(sim: Simulator) -> int:
    return sum(1 for request in sim.state.requests if request.path.startswith("/call/"))


@pytest.fixture
async def oauth2_entry(
    hass: HomeAssistant, seeded: Simulator, make_entry: Callable[..., MockConfigEntry]
) -> MockConfigEntry:
    """An OAuth2 entry, set up while the call logs take the API key only."""
    seeded.state.variants.call_endpoints_apikey_only = True
    entry = make_entry(
        **{
            CONF_AUTH_TYPE: AUTH_OAUTH2,
            CONF_CLIENT_ID: CLIENT_ID,
            CONF_CLIENT_SECRET: CLIENT_SECRET,
        }
    )
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry


def _flows(hass: HomeAssistant) -> list[str]:
    return [
        flow["context"]["source"]
        for flow in hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    ]


async def test_call_logs_refused_to_oauth2(
    hass: HomeAssistant,
    oauth2_entry: MockConfigEntry,
    seeded: Simulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The entry loads, SMS work, the call sensors are unavailable, an issue says why."""
    assert oauth2_entry.state is ConfigEntryState.LOADED
    assert _flows(hass) == []
    for sensor in CALL_SENSORS:
        assert hass.states.get(sensor).state == STATE_UNAVAILABLE, sensor
    for sensor in SMS_SENSORS:
        assert hass.states.get(sensor).state != STATE_UNAVAILABLE, sensor
    # The events still come by Webhook V2: the call event entity stays available.
    assert hass.states.get("event.smsmobileapi_call").state != STATE_UNAVAILABLE
    issue = ir.async_get(hass).async_get_issue(DOMAIN, ISSUE)
    assert issue is not None
    assert issue.translation_key == "call_logs_need_api_key"
    assert issue.severity is ir.IssueSeverity.WARNING
    assert issue.translation_placeholders["name"] == oauth2_entry.title
    # The refusal came from the service, with a token and without an API key.
    refused = [r for r in seeded.state.requests if r.path.startswith("/call/")]
    assert refused
    assert all("apikey" not in r.query for r in refused)
    assert all(r.headers["Authorization"].startswith("Bearer ") for r in refused)


async def test_sms_keep_flowing_and_calls_are_not_asked_again(
    hass: HomeAssistant,
    oauth2_entry: MockConfigEntry,
    seeded: Simulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Later polls read SMS and fire them; the refused call logs are not asked for again."""
    sms_events = async_capture_events(hass, EVENT_SMS_RECEIVED)
    call_events = async_capture_events(hass, EVENT_CALL)
    asked = _call_requests(seeded)
    seeded.state.add_received_sms(seeded.account, number="+32470000001", message="Still here")
    seeded.state.add_call(seeded.account, "missed", "+32470000003")
    await tick(hass, freezer, SMS_SCAN_INTERVAL)
    await tick(hass, freezer, SLOW_SCAN_INTERVAL)
    assert [event.data["message"] for event in sms_events] == ["Still here"]
    assert call_events == []
    assert _call_requests(seeded) == asked
    assert _flows(hass) == []
    assert hass.states.get(CALL_SENSORS[0]).state == STATE_UNAVAILABLE
    assert hass.states.get(SMS_SENSORS[0]).state != STATE_UNAVAILABLE


async def test_calls_taken_again_clear_the_issue(
    hass: HomeAssistant,
    oauth2_entry: MockConfigEntry,
    seeded: Simulator,
) -> None:
    """Once the service takes the token (or the user switched to a key), a reload clears it."""
    seeded.state.variants.call_endpoints_apikey_only = False
    assert await hass.config_entries.async_reload(oauth2_entry.entry_id)
    await hass.async_block_till_done()
    assert ir.async_get(hass).async_get_issue(DOMAIN, ISSUE) is None
    assert hass.states.get(CALL_SENSORS[0]).state == "1"


async def test_calls_from_before_the_setup_never_fire(
    hass: HomeAssistant,
    oauth2_entry: MockConfigEntry,
    seeded: Simulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Call logs readable at last: the history of before the setup stays silent, new calls fire."""
    freezer.tick(SLOW_SCAN_INTERVAL)
    new = seeded.state.add_call(seeded.account, "missed", "+32470000008")
    seeded.state.variants.call_endpoints_apikey_only = False
    call_events = async_capture_events(hass, EVENT_CALL)
    assert await hass.config_entries.async_reload(oauth2_entry.entry_id)
    await hass.async_block_till_done()
    # Only the call made after the setup (while the logs were refused) fires: the seeded ones
    # (11:40, 11:45 and 11:20, before the setup at 12:00) are history.
    assert [(e.data["number"], e.data["call_at"]) for e in call_events] == [
        (new.number, "2026-09-23T12:05:00+00:00")
    ]


async def test_api_key_entry_reads_the_call_logs(
    hass: HomeAssistant, seeded: Simulator, make_entry: Callable[..., MockConfigEntry]
) -> None:
    """With the API key, the same variant serves the call logs: no issue, sensors available."""
    seeded.state.variants.call_endpoints_apikey_only = True
    entry = make_entry()
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert ir.async_get(hass).async_get_issue(DOMAIN, ISSUE) is None
    assert all(hass.states.get(sensor).state != STATE_UNAVAILABLE for sensor in CALL_SENSORS)
    assert {path for path in CALL_PATHS if seeded.requests_to(path)} == set(CALL_PATHS)
