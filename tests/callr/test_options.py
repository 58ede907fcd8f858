"""Options of a CALLR entry: only what CALLR has, the sender checked, the secret never shown."""

from typing import Any

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
import voluptuous as vol

from .conftest import CALLR_WEBHOOK_ID, HMAC_SECRET

CALLR_OPTIONS = [
    "scan_interval",
    "poll_sms",
    "sender",
    "conversation_max_replies",
    "webhook_secret",
    "remove_webhook_secret",
]
BASE = {"scan_interval": 60, "poll_sms": True, "remove_webhook_secret": False}


def _suggested(schema: vol.Schema) -> dict[str, Any]:
    """What the form shows in each field (a suggested value, else the default)."""
    shown: dict[str, Any] = {}
    for key in schema.schema:
        suggested = (key.description or {}).get("suggested_value")
        if suggested is not None:
            shown[str(key)] = suggested
        elif callable(key.default):
            shown[str(key)] = key.default()
    return shown


async def _submit(
    hass: HomeAssistant, entry: MockConfigEntry, user_input: dict[str, Any]
) -> dict[str, Any]:
    result = await hass.config_entries.options.async_init(entry.entry_id)
    result = await hass.config_entries.options.async_configure(result["flow_id"], user_input)
    await hass.async_block_till_done()
    return dict(result)


async def test_only_callr_fields(hass: HomeAssistant, callr_entry: MockConfigEntry) -> None:
    """No phone, call, SIM, channel or WhatsApp option: CALLR has none of them."""
    result = await hass.config_entries.options.async_init(callr_entry.entry_id)
    assert result["type"] is FlowResultType.FORM
    assert [str(key) for key in result["data_schema"].schema] == CALLR_OPTIONS
    placeholders = result["description_placeholders"]
    assert placeholders["provider"] == "CALLR"
    assert placeholders["dashboard_url"] == "https://app.callr.com/"
    assert placeholders["webhook_url"].endswith(f"/api/webhook/{CALLR_WEBHOOK_ID}")
    assert _suggested(result["data_schema"]) == BASE | {"conversation_max_replies": 10}


@pytest.mark.parametrize(
    ("sender", "stored"),
    [
        ("", None),
        ("   ", None),
        ("Home", "Home"),
        (" My Home-1 ", "My Home-1"),
        ("Alarm_2026", "Alarm_2026"),
        ("ABCDEFGHIJK", "ABCDEFGHIJK"),
        ("+33612345678", "+33612345678"),
    ],
)
async def test_valid_senders_are_stored(
    hass: HomeAssistant, callr_entry: MockConfigEntry, sender: str, stored: str | None
) -> None:
    """A name of at most 11 allowed characters with a letter, an E.164 number, or nothing."""
    result = await _submit(hass, callr_entry, {**BASE, "sender": sender})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert callr_entry.options.get("sender") == stored
    assert "sender" in callr_entry.options or stored is None
    assert callr_entry.state is ConfigEntryState.LOADED


@pytest.mark.parametrize(
    "sender",
    [
        "12345",  # digits only: a short code, not a name
        "ABCDEFGHIJKL",  # 12 characters
        "Maison-Été",  # outside [A-Za-z0-9 _-]
        "Home!",
        "+33 6 12 34 56 78",  # a number, but not written in E.164
        "+999123",  # not a valid number
        "0612345678",  # national numbers are not E.164
    ],
)
async def test_invalid_sender_is_a_field_error(
    hass: HomeAssistant, callr_entry: MockConfigEntry, sender: str
) -> None:
    """An invalid sender keeps the form open with the error on the field; nothing is stored."""
    result = await hass.config_entries.options.async_init(callr_entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {**BASE, "sender": sender, "webhook_secret": "new-secret"}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"sender": "invalid_sender"}
    shown = _suggested(result["data_schema"])
    assert shown["sender"] == sender
    # Even what was just typed as the secret is not sent back to the browser.
    assert "webhook_secret" not in shown
    assert "new-secret" not in str(result)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {**BASE, "sender": "Home"}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert callr_entry.options["sender"] == "Home"


async def test_webhook_secret_kept_replaced_and_removed(
    hass: HomeAssistant, callr_entry: MockConfigEntry
) -> None:
    """The secret is stored, never shown again, kept by an empty field, removed on request."""
    await _submit(hass, callr_entry, {**BASE, "webhook_secret": f" {HMAC_SECRET} "})
    assert callr_entry.options["webhook_secret"] == HMAC_SECRET
    result = await hass.config_entries.options.async_init(callr_entry.entry_id)
    assert "webhook_secret" not in _suggested(result["data_schema"])
    assert HMAC_SECRET not in str(result)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {**BASE, "sender": "Home"}
    )
    await hass.async_block_till_done()
    assert callr_entry.options == {
        "scan_interval": 60,
        "poll_sms": True,
        "sender": "Home",
        "conversation_max_replies": 10,
        "webhook_secret": HMAC_SECRET,
    }
    await _submit(hass, callr_entry, {**BASE, "webhook_secret": "another-secret"})
    assert callr_entry.options["webhook_secret"] == "another-secret"
    await _submit(hass, callr_entry, {**BASE, "remove_webhook_secret": True})
    assert "webhook_secret" not in callr_entry.options
    assert "remove_webhook_secret" not in callr_entry.options
