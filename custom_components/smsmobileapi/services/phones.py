"""Actions on the account's connected phones: rename, remove."""

from __future__ import annotations

from homeassistant.core import ServiceCall
from homeassistant.helpers import device_registry as dr

from ..api import Capability, feature
from ..devices import async_get_phone_device, async_resolve_phone
from ..errors import async_call_gateway
from .common import async_entry_of_call, require
from .schemas import ATTR_LABEL, ATTR_PHONE


async def async_rename(call: ServiceCall) -> None:
    """Rename a phone on the service, and its device (an empty label clears the name)."""
    hass = call.hass
    entry = async_entry_of_call(call)
    # Refused first: a provider without phones has no phone to look up.
    phones = require(entry, feature(entry.runtime_data.client, Capability.PHONES))
    phone_id = async_resolve_phone(hass, entry, call.data[ATTR_PHONE])
    label: str = call.data[ATTR_LABEL].strip()
    await async_call_gateway(
        hass,
        entry,
        phones.update_phone(phone_id, label=label),
        "rename_phone_failed",
        phone=phone_id,
    )
    if (device := async_get_phone_device(hass, entry.entry_id, phone_id)) is not None:
        dr.async_get(hass).async_update_device(device.id, name=label or phone_id)
    entry.runtime_data.coordinator.async_phone_renamed(phone_id, label)


async def async_remove(call: ServiceCall) -> None:
    """Remove a phone from the account, with its device."""
    hass = call.hass
    entry = async_entry_of_call(call)
    phones = require(entry, feature(entry.runtime_data.client, Capability.PHONES))
    phone_id = async_resolve_phone(hass, entry, call.data[ATTR_PHONE])
    await async_call_gateway(
        hass, entry, phones.delete_phone(phone_id), "remove_phone_failed", phone=phone_id
    )
    if (device := async_get_phone_device(hass, entry.entry_id, phone_id)) is not None:
        dr.async_get(hass).async_update_device(device.id, remove_config_entry_id=entry.entry_id)
    entry.runtime_data.coordinator.async_phone_removed(phone_id)
