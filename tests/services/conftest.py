"""Fixtures of the action tests."""

from collections.abc import Iterator
import logging

from homeassistant.const import CONF_API_KEY, CONF_WEBHOOK_ID
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.smsmobileapi.const import DOMAIN
from tests.conftest import API_KEY, Simulator


@pytest.fixture(autouse=True)
def no_secret_in_logs(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """Whatever a test does, no API key reaches a log line."""
    caplog.set_level(logging.DEBUG)
    yield
    assert API_KEY not in caplog.text


@pytest.fixture
async def second_entry(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, seeded: Simulator
) -> MockConfigEntry:
    """A second account, loaded next to the first one."""
    seeded.state.add_account(api_key="second-account-key")
    entry = MockConfigEntry(
        domain=DOMAIN,
        entry_id="01JTESTENTRY0000000000002",
        title="Second",
        unique_id="second",
        data={
            **loaded_entry.data,
            CONF_API_KEY: "second-account-key",
            CONF_WEBHOOK_ID: "second-webhook-id",
        },
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry
