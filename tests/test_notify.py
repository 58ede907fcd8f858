"""Recipients: the subentry flow and the notify entity of each, end to end."""

from collections.abc import Callable, Iterator
import json
import logging
from typing import Any

from homeassistant.config_entries import SOURCE_RECONFIGURE, SOURCE_USER, ConfigEntryState
from homeassistant.const import ATTR_FRIENDLY_NAME, STATE_UNKNOWN
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import device_registry as dr, entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.smsmobileapi.const import DOMAIN
from smsmobileapi_simulator import Fault

from .conftest import API_KEY, NOW, Simulator

RECIPIENT = "recipient"
SENT_FIELDS = {"from": "homeassistant", "apikey": API_KEY}


@pytest.fixture(autouse=True)
def no_secret_in_logs(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """Whatever a test does, no API key reaches a log line."""
    caplog.set_level(logging.DEBUG)
    yield
    assert API_KEY not in caplog.text


async def _add_recipient(
    hass: HomeAssistant, entry: MockConfigEntry, user_input: dict[str, Any]
) -> dict[str, Any]:
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, RECIPIENT), context={"source": SOURCE_USER}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    result = await hass.config_entries.subentries.async_configure(result["flow_id"], user_input)
    await hass.async_block_till_done()
    return result


async def _reconfigure(
    hass: HomeAssistant, entry: MockConfigEntry, subentry_id: str, user_input: dict[str, Any]
) -> dict[str, Any]:
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, RECIPIENT),
        context={"source": SOURCE_RECONFIGURE, "subentry_id": subentry_id},
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reconfigure"
    result = await hass.config_entries.subentries.async_configure(result["flow_id"], user_input)
    await hass.async_block_till_done()
    return result


async def _notify(hass: HomeAssistant, entity_id: str, message: str, **data: object) -> None:
    await hass.services.async_call(
        "notify",
        "send_message",
        {"entity_id": entity_id, "message": message, **data},
        blocking=True,
    )


def _subentry_id(entry: MockConfigEntry, title: str) -> str:
    return next(sub.subentry_id for sub in entry.subentries.values() if sub.title == title)


@pytest.fixture
async def mom(hass: HomeAssistant, loaded_entry: MockConfigEntry) -> str:
    """A recipient "Mom" (SMS), added through the flow; returns its subentry id."""
    result = await _add_recipient(
        hass, loaded_entry, {"name": "Mom", "number": "+32 470 00 00 02", "channel": "sms"}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    return _subentry_id(loaded_entry, "Mom")


async def test_add_recipient(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, seeded: Simulator
) -> None:
    """A national number is stored in E.164; the recipient gets a device and an entity."""
    hass.config.country = "BE"
    result = await _add_recipient(
        hass,
        loaded_entry,
        {
            "name": " Mom ",
            "number": "0470 00 00 02",
            "channel": "whatsapp",
            "phone": "phone-kitchen",
            "sim": "2",
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Mom"
    assert result["data"] == {
        "name": "Mom",
        "number": "+32470000002",
        "channel": "whatsapp",
        "phone": "phone-kitchen",
        "sim": 2,
    }
    subentry_id = _subentry_id(loaded_entry, "Mom")
    entity = er.async_get(hass).async_get("notify.mom")
    assert entity is not None
    assert entity.config_subentry_id == subentry_id
    assert entity.translation_key == "recipient"
    assert entity.unique_id == f"{loaded_entry.entry_id}_{subentry_id}"
    device = dr.async_get(hass).async_get(entity.device_id)
    assert device.name == "Mom"
    assert device.entry_type is dr.DeviceEntryType.SERVICE
    state = hass.states.get("notify.mom")
    assert state.state == STATE_UNKNOWN
    assert state.attributes[ATTR_FRIENDLY_NAME] == "Mom"
    # Nothing else was set up again: the entry was not reloaded.
    assert len(seeded.requests_to("/gateway/mobile/list/")) == 1


async def test_recipient_form_lists_connected_phones(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    """The phone to send from is chosen among the connected phones, by label."""
    result = await hass.config_entries.subentries.async_init(
        (loaded_entry.entry_id, RECIPIENT), context={"source": SOURCE_USER}
    )
    phone = next(key for key in result["data_schema"].schema if key == "phone")
    options = result["data_schema"].schema[phone].config["options"]
    assert options == [
        {"value": "phone-kitchen", "label": "Kitchen phone"},
        {"value": "phone-office", "label": "Office phone"},
    ]
    channel = next(key for key in result["data_schema"].schema if key == "channel")
    assert channel.default() == "sms"


async def test_recipient_form_channel_from_options(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    """A new recipient starts with the channel of the entry's options."""
    hass.config_entries.async_update_entry(loaded_entry, options={"default_channel": "whatsapp"})
    result = await hass.config_entries.subentries.async_init(
        (loaded_entry.entry_id, RECIPIENT), context={"source": SOURCE_USER}
    )
    channel = next(key for key in result["data_schema"].schema if key == "channel")
    assert channel.default() == "whatsapp"


async def test_notify_sends_title_and_message(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, seeded: Simulator, mom: str
) -> None:
    """The title is the first line of the text; the entity records the time it sent."""
    await _notify(hass, "notify.mom", "The door is open", title="Alarm")
    assert seeded.requests_to("/sendsms/") == [
        {"recipients": "+32470000002", "message": "Alarm\nThe door is open", **SENT_FIELDS}
    ]
    assert hass.states.get("notify.mom").state == NOW.isoformat()
    await _notify(hass, "notify.mom", "No title", title=" ")
    assert seeded.requests_to("/sendsms/")[-1]["message"] == "No title"


async def test_notify_whatsapp_from_phone_and_sim(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, seeded: Simulator
) -> None:
    """A WhatsApp recipient with a phone and a SIM: every setting reaches the service."""
    await _add_recipient(
        hass,
        loaded_entry,
        {
            "name": "Sam",
            "number": "+32470000004",
            "channel": "whatsapp",
            "phone": "phone-office",
            "sim": "1",
        },
    )
    await _notify(hass, "notify.sam", "Hi")
    assert seeded.requests_to("/sendsms/") == [
        {
            "recipients": "32470000004",
            "message": "Hi",
            "port": "1",
            "sIdentifiant": "phone-office",
            "sendwa": "1",
            "sendsms": "0",
            "waonly": "yes",
            **SENT_FIELDS,
        }
    ]


async def test_recipient_form_without_phones(
    hass: HomeAssistant, simulator: Simulator, make_entry: Callable[..., MockConfigEntry]
) -> None:
    """An account without a connected phone has no phone to choose."""
    entry = make_entry()
    assert await hass.config_entries.async_setup(entry.entry_id)
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, RECIPIENT), context={"source": SOURCE_USER}
    )
    assert [str(key) for key in result["data_schema"].schema] == [
        "name",
        "number",
        "channel",
        "sim",
        "conversation_agent",
    ]


async def test_notify_default_sim_option(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, seeded: Simulator, mom: str
) -> None:
    """A recipient without a SIM uses the SIM of the entry's options."""
    hass.config_entries.async_update_entry(loaded_entry, options={"default_sim": 2})
    await _notify(hass, "notify.mom", "Hi")
    assert seeded.requests_to("/sendsms/")[0]["port"] == "2"


@pytest.mark.parametrize(
    ("user_input", "errors"),
    [
        ({"number": "12345"}, {"number": "invalid_number"}),
        ({"number": "+3247000000"}, {"number": "invalid_number"}),
        ({"number": "0470000002"}, {"number": "invalid_number"}),
        ({"number": "+32470000002"}, {"base": "already_configured"}),
    ],
    ids=["not_a_number", "too_short", "national_without_country", "duplicate"],
)
async def test_add_recipient_errors(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    mom: str,
    user_input: dict[str, Any],
    errors: dict[str, str],
) -> None:
    """A bad number or the same number and channel twice is shown on the form."""
    result = await _add_recipient(
        hass, loaded_entry, {"name": "Again", "channel": "sms", **user_input}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == errors
    assert len(loaded_entry.subentries) == 1


async def test_same_number_other_channel(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, mom: str
) -> None:
    """The same number may be a second recipient on another channel."""
    result = await _add_recipient(
        hass,
        loaded_entry,
        {"name": "Mom WhatsApp", "number": "+32470000002", "channel": "whatsapp"},
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert hass.states.get("notify.mom_whatsapp") is not None


async def test_add_recipient_needs_loaded_entry(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    """Recipients are added to a working account only."""
    assert await hass.config_entries.async_unload(loaded_entry.entry_id)
    result = await hass.config_entries.subentries.async_init(
        (loaded_entry.entry_id, RECIPIENT), context={"source": SOURCE_USER}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "entry_not_loaded"


async def test_reconfigure_recipient(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, seeded: Simulator, mom: str
) -> None:
    """An edited recipient is used at once, renamed in place, with no reload."""
    registry = er.async_get(hass)
    before = registry.async_get("notify.mom")
    result = await hass.config_entries.subentries.async_init(
        (loaded_entry.entry_id, RECIPIENT),
        context={"source": SOURCE_RECONFIGURE, "subentry_id": mom},
    )
    # The form shows the current settings.
    suggested = {
        str(key): key.description["suggested_value"]
        for key in result["data_schema"].schema
        if key.description and "suggested_value" in key.description
    }
    assert suggested == {"name": "Mom", "number": "+32470000002", "channel": "sms"}
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"],
        {
            "name": "Mother",
            "number": "+32470000003",
            "channel": "sms_whatsapp",
            "phone": "phone-kitchen",
            "sim": "2",
        },
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert loaded_entry.subentries[mom].title == "Mother"
    assert loaded_entry.state is ConfigEntryState.LOADED
    assert len(seeded.requests_to("/gateway/mobile/list/")) == 1
    # Same entity, new name (its device's), new settings.
    after = registry.async_get("notify.mom")
    assert after.id == before.id
    assert dr.async_get(hass).async_get(after.device_id).name == "Mother"
    assert hass.states.get("notify.mom").attributes[ATTR_FRIENDLY_NAME] == "Mother"
    await _notify(hass, "notify.mom", "Hi")
    assert seeded.requests_to("/sendsms/") == [
        {
            "recipients": "+32470000003",
            "message": "Hi",
            "port": "2",
            "sIdentifiant": "phone-kitchen",
            "sendwa": "1",
            "sendsms": "1",
            **SENT_FIELDS,
        }
    ]
    # Edited again, without phone and SIM: those are cleared.
    await _reconfigure(
        hass, loaded_entry, mom, {"name": "Mother", "number": "+32470000003", "channel": "sms"}
    )
    assert dict(loaded_entry.subentries[mom].data) == {
        "name": "Mother",
        "number": "+32470000003",
        "channel": "sms",
    }


async def test_reconfigure_to_existing_recipient(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, mom: str
) -> None:
    """A recipient cannot be edited into another one."""
    await _add_recipient(
        hass, loaded_entry, {"name": "Sam", "number": "+32470000004", "channel": "sms"}
    )
    result = await _reconfigure(
        hass,
        loaded_entry,
        _subentry_id(loaded_entry, "Sam"),
        {"name": "Sam", "number": "+32470000002", "channel": "sms"},
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "already_configured"}


async def test_remove_and_add_again(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, seeded: Simulator, mom: str
) -> None:
    """A removed recipient's entity and device go; the same recipient added back works."""
    registry = er.async_get(hass)
    device_id = registry.async_get("notify.mom").device_id
    assert hass.config_entries.async_remove_subentry(loaded_entry, mom)
    await hass.async_block_till_done()
    assert hass.states.get("notify.mom") is None
    assert registry.async_get("notify.mom") is None
    assert dr.async_get(hass).async_get(device_id) is None
    assert loaded_entry.state is ConfigEntryState.LOADED

    result = await _add_recipient(
        hass, loaded_entry, {"name": "Mom", "number": "+32470000002", "channel": "sms"}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await _notify(hass, "notify.mom", "Back")
    assert [request["message"] for request in seeded.requests_to("/sendsms/")] == ["Back"]


async def test_recipients_survive_reload(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, seeded: Simulator, mom: str
) -> None:
    """After a reload the recipient's entity is back, the same one."""
    unique_id = er.async_get(hass).async_get("notify.mom").unique_id
    assert await hass.config_entries.async_reload(loaded_entry.entry_id)
    await hass.async_block_till_done()
    assert er.async_get(hass).async_get("notify.mom").unique_id == unique_id
    # Renamed after the reload: the new listener follows it too.
    await _reconfigure(
        hass, loaded_entry, mom, {"name": "Mother", "number": "+32470000002", "channel": "sms"}
    )
    assert hass.states.get("notify.mom").attributes[ATTR_FRIENDLY_NAME] == "Mother"
    await _notify(hass, "notify.mom", "Still here")
    assert len(seeded.requests_to("/sendsms/")) == 1


async def test_other_entry_changes_are_ignored(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, mom: str
) -> None:
    """A change of another entry, or of this entry's options, touches no recipient."""
    other = MockConfigEntry(domain="other", title="Other")
    other.add_to_hass(hass)
    hass.config_entries.async_update_entry(other, title="Renamed")
    hass.config_entries.async_update_entry(loaded_entry, title="Renamed account")
    await hass.async_block_till_done()
    assert hass.states.get("notify.mom").attributes[ATTR_FRIENDLY_NAME] == "Mom"


async def test_notify_errors(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, seeded: Simulator, mom: str
) -> None:
    """An empty message is refused; a failed send raises a translated error."""
    with pytest.raises(ServiceValidationError) as err:
        await _notify(hass, "notify.mom", " ", title="Only a title")
    assert err.value.translation_key == "empty_message"
    seeded.state.faults.add(Fault(kind="status", path="/sendsms/"))
    with pytest.raises(HomeAssistantError) as err:
        await _notify(hass, "notify.mom", "Hi")
    assert err.value.translation_key == "send_failed"
    assert err.value.translation_placeholders["not_sent"].startswith("+32470000002 (")
    assert API_KEY not in str(err.value)
    assert hass.states.get("notify.mom").state == STATE_UNKNOWN


async def test_notify_phone_gone(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, seeded: Simulator
) -> None:
    """A recipient bound to a phone that left the account says so instead of sending."""
    await _add_recipient(
        hass,
        loaded_entry,
        {"name": "Sam", "number": "+32470000004", "channel": "sms", "phone": "phone-office"},
    )
    await hass.services.async_call(DOMAIN, "remove_phone", {"phone": "phone-office"}, blocking=True)
    with pytest.raises(ServiceValidationError) as err:
        await _notify(hass, "notify.sam", "Hi")
    assert err.value.translation_key == "phone_not_connected"
    assert str(err.value) == (
        "The phone phone-office is no longer connected to the SMSMobileAPI account SMSMobileAPI"
    )
    assert seeded.requests_to("/sendsms/") == []
    # Its form still shows the phone it was bound to, so it can be changed.
    result = await hass.config_entries.subentries.async_init(
        (loaded_entry.entry_id, RECIPIENT),
        context={"source": SOURCE_RECONFIGURE, "subentry_id": _subentry_id(loaded_entry, "Sam")},
    )
    phone = next(key for key in result["data_schema"].schema if key == "phone")
    assert result["data_schema"].schema[phone].config["options"] == [
        {"value": "phone-kitchen", "label": "Kitchen phone"},
        {"value": "phone-office", "label": "phone-office"},
    ]


async def test_diagnostics_redact_recipients(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, mom: str
) -> None:
    """The recipient's name and number stay out of the diagnostics."""
    from custom_components.smsmobileapi.diagnostics import (  # noqa: PLC0415
        async_get_config_entry_diagnostics,
    )

    diagnostics = await async_get_config_entry_diagnostics(hass, loaded_entry)
    text = json.dumps(diagnostics, default=str)
    assert "+32470000002" not in text
    assert "Mom" not in text


async def test_recipient_with_conversation_agent(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, seeded: Simulator
) -> None:
    """The recipient form takes an Assist agent (empty means none)."""
    result = await hass.config_entries.subentries.async_init(
        (loaded_entry.entry_id, RECIPIENT), context={"source": SOURCE_USER}
    )
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"],
        {
            "name": "Mum",
            "number": "+32470000001",
            "channel": "sms",
            "conversation_agent": "conversation.home_assistant",
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    [subentry] = [s for s in loaded_entry.subentries.values() if s.title == "Mum"]
    assert subentry.data["conversation_agent"] == "conversation.home_assistant"
