"""Privacy: what people wrote and their numbers are shown, never stored by the recorder."""

from datetime import timedelta
from functools import partial

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.recorder import Recorder
from homeassistant.components.recorder.history import get_significant_states
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)

from custom_components.smsmobileapi.const import SMS_SCAN_INTERVAL

from .conftest import NOW, Simulator
from .helpers import tick

PRIVATE = {"number", "message", "alias", "name", "guid"}


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(
    recorder_mock: Recorder, enable_custom_integrations: None
) -> None:
    """The recorder must start before Home Assistant (this overrides the conftest's fixture)."""


async def test_texts_and_numbers_not_recorded(
    recorder_mock: Recorder,
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    seeded: Simulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The last-SMS sensor and the SMS event entity show the sender; history keeps neither."""
    seeded.state.add_received_sms(seeded.account, number="+32470000001", message="Secret plan")
    await tick(hass, freezer, SMS_SCAN_INTERVAL)
    await async_wait_recording_done(hass)
    shown = hass.states.get("sensor.smsmobileapi_last_sms_received")
    assert shown.attributes["message"] == "Secret plan"
    event = hass.states.get("event.kitchen_phone_sms")
    assert event.attributes["number"] == "+32470000001"
    history = await recorder_mock.async_add_executor_job(
        partial(
            get_significant_states,
            hass,
            NOW - timedelta(hours=1),
            dt_util.utcnow() + timedelta(seconds=1),
            ["sensor.smsmobileapi_last_sms_received", "event.kitchen_phone_sms"],
            significant_changes_only=False,
            minimal_response=False,
        )
    )
    recorded = [state for states in history.values() for state in states]
    assert recorded
    for state in recorded:
        assert not PRIVATE & set(state.attributes), state
