"""Failures of a CALLR entry: unavailable entities, reauth, and the password kept out of sight."""

from collections.abc import Callable
import json
import logging

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_capture_events

from custom_components.smsmobileapi.const import DOMAIN, EVENT_SMS_RECEIVED, SMS_SCAN_INTERVAL
from smsmobileapi_simulator import Fault
from tests.helpers import tick

from .conftest import BASIC_TOKEN, PASSWORD, CallrSim, setup_entry

SENSORS = (
    "sensor.callr_last_sms_received",
    "sensor.callr_sms_received_today",
    "sensor.callr_last_delivery_status",
)
# CALLR's error envelope, with a message that repeats the password (a careless server).
ERROR_ENVELOPE = json.dumps(
    {"status": "error", "data": {"code": 500, "message": f"Internal error near {PASSWORD}"}}
)


def _our_warnings(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [
        record
        for record in caplog.records
        if record.name.startswith("custom_components.smsmobileapi")
        and record.levelno >= logging.WARNING
    ]


def _reauth_flows(hass: HomeAssistant) -> list[str]:
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    return [flow["context"]["source"] for flow in flows]


async def test_error_envelope_makes_entities_unavailable(
    hass: HomeAssistant,
    callr_entry: MockConfigEntry,
    callr_sim: CallrSim,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """CALLR's error envelope: unavailable, one log line without a stack, then back."""
    caplog.clear()
    callr_sim.state.faults.add(
        Fault(kind="status", path="GET /sms", status=500, body=ERROR_ENVELOPE, times=3)
    )
    for _ in range(3):
        await tick(hass, freezer, SMS_SCAN_INTERVAL)
        assert all(hass.states.get(sensor).state == STATE_UNAVAILABLE for sensor in SENSORS)
    [line] = _our_warnings(caplog)
    message = line.getMessage()
    assert "GET /sms failed (HTTP 500, code 500): Internal error near **REDACTED**" in message
    # No stack at the levels users log (Home Assistant adds one at DEBUG only: "Full error").
    assert [r for r in caplog.records if r.levelno >= logging.INFO and r.exc_info] == []
    # The event entity stays available: the webhook may still bring SMS.
    assert hass.states.get("event.callr_sms").state != STATE_UNAVAILABLE
    await tick(hass, freezer, SMS_SCAN_INTERVAL)
    assert hass.states.get("sensor.callr_sms_received_today").state == "2"
    assert _reauth_flows(hass) == []


@pytest.mark.parametrize(
    "fault",
    [
        Fault(kind="html", path="GET /sms", status=502, times=None),
        Fault(kind="invalid_key", path="GET /sms", times=None),
        Fault(kind="rate_limit", path="GET /sms", retry_after=120, times=None),
        Fault(kind="malformed", path="GET /sms", times=None),
    ],
    ids=["proxy_page", "proxy_401_page", "rate_limited", "malformed"],
)
async def test_failures_that_are_not_bad_credentials(
    hass: HomeAssistant,
    callr_entry: MockConfigEntry,
    callr_sim: CallrSim,
    freezer: FrozenDateTimeFactory,
    fault: Fault,
) -> None:
    """A proxy's page (even a 401), a rate limit or garbage: unavailable, retried, no reauth."""
    callr_sim.state.variants.auth_failure = "html_proxy"
    callr_sim.state.faults.add(fault)
    await tick(hass, freezer, SMS_SCAN_INTERVAL)
    assert hass.states.get(SENSORS[0]).state == STATE_UNAVAILABLE
    assert callr_entry.state is ConfigEntryState.LOADED
    assert _reauth_flows(hass) == []
    callr_sim.state.faults.clear()
    await tick(hass, freezer, SMS_SCAN_INTERVAL * 3)
    assert hass.states.get(SENSORS[0]).state != STATE_UNAVAILABLE


@pytest.mark.parametrize("auth_failure", ["json_401", "json_403"])
async def test_rejected_password_starts_reauth(
    hass: HomeAssistant,
    callr_entry: MockConfigEntry,
    callr_sim: CallrSim,
    freezer: FrozenDateTimeFactory,
    auth_failure: str,
) -> None:
    """The password changed at CALLR: polling stops and Home Assistant asks to sign in again."""
    callr_sim.state.variants.auth_failure = auth_failure  # type: ignore[assignment]
    callr_sim.state.rotate_password(callr_sim.account, "changed elsewhere")
    await tick(hass, freezer, SMS_SCAN_INTERVAL)
    assert _reauth_flows(hass) == ["reauth"]
    assert hass.states.get(SENSORS[0]).state == STATE_UNAVAILABLE


async def test_rejected_password_at_setup(
    hass: HomeAssistant, callr_sim: CallrSim, make_callr_entry: Callable[..., MockConfigEntry]
) -> None:
    """A password CALLR refuses fails the setup and starts a reauth."""
    entry = make_callr_entry(password="revoked password")
    assert not await hass.config_entries.async_setup(entry.entry_id)
    assert entry.state is ConfigEntryState.SETUP_ERROR
    assert _reauth_flows(hass) == ["reauth"]


async def test_outage_at_setup_retries(
    hass: HomeAssistant, callr_sim: CallrSim, make_callr_entry: Callable[..., MockConfigEntry]
) -> None:
    """CALLR down at setup means try again later."""
    callr_sim.state.faults.add(Fault(kind="status", path="GET /sms", status=503))
    entry = make_callr_entry()
    await hass.config_entries.async_setup(entry.entry_id)
    assert entry.state is ConfigEntryState.SETUP_RETRY
    assert _reauth_flows(hass) == []


async def test_password_never_shown(
    hass: HomeAssistant,
    callr_history: CallrSim,
    make_callr_entry: Callable[..., MockConfigEntry],
    freezer: FrozenDateTimeFactory,
) -> None:
    """Not in states, attributes or events, even when CALLR repeats it in an error or an SMS."""
    events = async_capture_events(hass, EVENT_SMS_RECEIVED)
    entry = await setup_entry(hass, make_callr_entry())
    callr_history.incoming("+33612345678", "nothing secret")
    await tick(hass, freezer, SMS_SCAN_INTERVAL)
    callr_history.state.faults.add(
        Fault(kind="status", path="GET /sms", status=400, body=ERROR_ENVELOPE)
    )
    await tick(hass, freezer, SMS_SCAN_INTERVAL)
    coordinator = entry.runtime_data.coordinator
    assert coordinator.last_exception is not None
    assert PASSWORD not in str(coordinator.last_exception)
    texts = [json.dumps(event.data) for event in events]
    texts += [str(state.as_dict()) for state in hass.states.async_all()]
    texts += [repr(entry.runtime_data.client)]
    assert len(events) == 1
    for text in texts:
        assert PASSWORD not in text
        assert BASIC_TOKEN not in text


async def test_errors_of_a_callr_entry_do_not_name_smsmobileapi(
    hass: HomeAssistant,
    callr_entry: MockConfigEntry,
    callr_sim: CallrSim,
    freezer: FrozenDateTimeFactory,
) -> None:
    """What a CALLR user reads about a failed poll names CALLR or no provider, not SMSMobileAPI."""
    callr_sim.state.faults.add(Fault(kind="status", path="GET /sms", status=500))
    await tick(hass, freezer, SMS_SCAN_INTERVAL)
    error = callr_entry.runtime_data.coordinator.last_exception
    assert error is not None
    assert "SMSMobileAPI" not in str(error)
