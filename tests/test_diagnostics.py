"""Diagnostics: useful, and without secrets, numbers or texts."""

from collections.abc import Callable
import json

from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from syrupy.assertion import SnapshotAssertion

from .conftest import API_KEY, WEBHOOK_ID, Simulator


async def test_diagnostics_redacted(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    loaded_entry: MockConfigEntry,
    seeded: Simulator,
    snapshot: SnapshotAssertion,
) -> None:
    """The download holds the entry and the data, with every private value redacted."""
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, loaded_entry)
    # The simulator's port changes from run to run.
    assert diagnostics["entry"]["data"].pop("base_url") == seeded.url
    assert diagnostics == snapshot
    text = json.dumps(diagnostics)
    for private in (API_KEY, WEBHOOK_ID, "+32470000001", "See you", "Kitchen phone", "Alex"):
        assert private not in text
    assert diagnostics["data"]["unread_count"] == 3
    assert len(diagnostics["data"]["phones"]) == 2


async def test_diagnostics_redact_urls_with_the_webhook_id(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    seeded: Simulator,
    make_entry: Callable[..., MockConfigEntry],
) -> None:
    """A cloudhook URL is a bearer secret, and so is any text that embeds the webhook id."""
    cloudhook = "https://hooks.nabu.casa/abcdef0123456789"
    entry = make_entry(cloudhook_url=cloudhook, note=f"see /api/webhook/{WEBHOOK_ID}")
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, entry)
    text = json.dumps(diagnostics)
    assert cloudhook not in text
    assert WEBHOOK_ID not in text
    assert diagnostics["entry"]["data"]["cloudhook_url"] == "**REDACTED**"
    assert diagnostics["entry"]["data"]["note"] == "**REDACTED**"
