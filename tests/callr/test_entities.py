"""Entities of a CALLR entry: the account device and what CALLR reports, nothing about phones."""

from homeassistant.config_entries import SOURCE_USER
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry
from syrupy.assertion import SnapshotAssertion

from tests.helpers import integration_states

from .conftest import CallrSim


async def test_entities_and_devices(
    hass: HomeAssistant,
    callr_entry: MockConfigEntry,
    callr_sim: CallrSim,
    snapshot: SnapshotAssertion,
) -> None:
    """The account device (CALLR account), its SMS sensors and event, a recipient's notify."""
    result = await hass.config_entries.subentries.async_init(
        (callr_entry.entry_id, "recipient"), context={"source": SOURCE_USER}
    )
    await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"name": "Alex", "number": "+33698765432", "channel": "sms"}
    )
    await hass.async_block_till_done()
    [subentry_id] = callr_entry.subentries
    states = integration_states(hass)
    # Subentry ids are random: the recipient's unique id is the entry's and the subentry's.
    notify = states["notify.alex"]
    assert notify["unique_id"] == f"{callr_entry.entry_id}_{subentry_id}"
    notify["unique_id"] = "<entry id>_<subentry id>"
    assert sorted(states) == [
        "event.callr_sms",
        "notify.alex",
        "sensor.callr_last_delivery_status",
        "sensor.callr_last_sms_received",
        "sensor.callr_sms_received_today",
    ]
    assert states == snapshot
    registry = dr.async_get(hass)
    devices = {
        device.name: device
        for device in dr.async_entries_for_config_entry(registry, callr_entry.entry_id)
    }
    assert sorted(devices) == ["Alex", "CALLR"]
    account = devices["CALLR"]
    assert (account.manufacturer, account.model) == ("CALLR", "CALLR account")
    assert account.entry_type is dr.DeviceEntryType.SERVICE
    assert account.configuration_url == "https://app.callr.com/"
    recipient = devices["Alex"]
    assert (recipient.manufacturer, recipient.model) == ("CALLR", "Recipient")
    # No phone, battery, call, unread or WhatsApp entity: nothing in CALLR reports them.
    entities = er.async_entries_for_config_entry(er.async_get(hass), callr_entry.entry_id)
    keys = {entity.translation_key for entity in entities}
    assert not keys & {
        "unread_sms",
        "missed_calls_today",
        "last_missed_call",
        "last_incoming_call",
        "last_outgoing_call",
        "last_seen",
        "app_version",
        "call",
        "whatsapp",
    }
    assert not any(entity.original_device_class == "battery" for entity in entities)
