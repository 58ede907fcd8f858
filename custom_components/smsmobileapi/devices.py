"""The device registry seen from the integration: phone devices of an entry, the phone of a device.

A connected phone is a device identified by ``(DOMAIN, phone_identifier(phone_id))``; the provider's
``phone_id`` and Home Assistant's ``device_id`` are never mixed up.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import device_registry as dr

from .const import DOMAIN
from .errors import validation_error
from .identifiers import phone_id_of, phone_identifier

if TYPE_CHECKING:
    # Only for annotations: the coordinator's module imports the inbox, which imports this one.
    from .coordinator import SmsMobileApiConfigEntry


def phone_id_of_device(device: dr.DeviceEntry | dr.ChildDeviceEntry) -> str | None:
    """The provider's id of the phone a device stands for, or None when it is no phone."""
    return next(
        (
            phone_id
            for domain, identifier in device.identifiers
            if domain == DOMAIN and (phone_id := phone_id_of(identifier)) is not None
        ),
        None,
    )


def belongs_to(device: dr.DeviceEntry | dr.ChildDeviceEntry, entry_id: str) -> bool:
    """Whether a device belongs to a config entry.

    Home Assistant 2026.8 gave each device one ``config_entry_id`` and deprecated the set
    ``config_entries`` (2026.11 reports its use); older versions have only the set.
    """
    if hasattr(device, "config_entry_id"):
        return bool(device.config_entry_id == entry_id)
    return entry_id in device.config_entries


@callback
def async_get_entry_device(
    hass: HomeAssistant, entry_id: str, identifier: str
) -> dr.DeviceEntry | None:
    """The entry's device with this identifier (``(DOMAIN, identifier)``), if any."""
    registry = dr.async_get(hass)
    wanted = (DOMAIN, identifier)
    if hasattr(registry, "async_get_device_by_identifier"):  # Home Assistant 2026.8 and later
        device: dr.DeviceEntry | None = registry.async_get_device_by_identifier(wanted, entry_id)
        return device
    device = registry.async_get_device(identifiers={wanted})
    return device if device is not None and belongs_to(device, entry_id) else None


@callback
def async_get_phone_device(
    hass: HomeAssistant, entry_id: str, phone_id: str
) -> dr.DeviceEntry | None:
    """The device of a phone of an entry, if the phone has one."""
    return async_get_entry_device(hass, entry_id, phone_identifier(phone_id))


@callback
def async_phone_devices(hass: HomeAssistant, entry_id: str) -> dict[str, dr.DeviceEntry]:
    """Every phone device of an entry, by phone id."""
    devices: dict[str, dr.DeviceEntry] = {}
    for device in dr.async_entries_for_config_entry(dr.async_get(hass), entry_id):
        if (phone_id := phone_id_of_device(device)) is not None:
            devices[phone_id] = device
    return devices


@callback
def async_sync_phone_devices(hass: HomeAssistant, entry: SmsMobileApiConfigEntry) -> None:
    """Keep phone devices in step with the account: new names and versions, gone phones removed."""
    coordinator = entry.runtime_data.coordinator
    if not coordinator.last_update_success:
        return
    registry = dr.async_get(hass)
    phones = coordinator.data.phones
    for phone_id, device in async_phone_devices(hass, entry.entry_id).items():
        phone = phones.get(phone_id)
        if phone is None:
            registry.async_update_device(device.id, remove_config_entry_id=entry.entry_id)
            continue
        name = phone.label or phone.phone_id
        if device.name != name or device.sw_version != phone.version:
            registry.async_update_device(device.id, name=name, sw_version=phone.version)


@callback
def async_resolve_phone(hass: HomeAssistant, entry: SmsMobileApiConfigEntry, phone: str) -> str:
    """The provider's id of a connected phone, given its device id (or its own id).

    Refuses a phone the entry does not know, or one that is no longer connected.
    """
    phone_id: str | None = None
    device = dr.async_get(hass).async_get(phone)
    if device is not None and belongs_to(device, entry.entry_id):
        phone_id = phone_id_of_device(device)
    elif phone in entry.runtime_data.coordinator.data.phones:
        phone_id = phone
    if phone_id is None:
        raise validation_error("unknown_phone", phone=phone, title=entry.title)
    async_check_phone_connected(entry, phone_id, device.name if device else None)
    return phone_id


@callback
def async_check_phone_connected(
    entry: SmsMobileApiConfigEntry, phone_id: str, name: str | None = None
) -> None:
    """Refuse a phone that is not (or no longer) connected to the account."""
    if phone_id not in entry.runtime_data.coordinator.data.phones:
        raise validation_error("phone_not_connected", phone=name or phone_id, title=entry.title)
