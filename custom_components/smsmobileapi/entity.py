"""Base entities: the account's service device, one device per connected phone, per recipient."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from homeassistant.config_entries import ConfigSubentry
from homeassistant.core import callback
from homeassistant.helpers.device_registry import DeviceEntryType, DeviceInfo
from homeassistant.helpers.entity import Entity, EntityDescription
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .api import Phone
from .const import DOMAIN
from .coordinator import SmsMobileApiConfigEntry, SmsMobileApiCoordinator
from .identifiers import account_identifier, phone_identifier, recipient_identifier
from .providers import sign_in_of

MANUFACTURER = "SMSMobileAPI"


def phone_device_info(phone: Phone) -> DeviceInfo:
    """Describe a connected phone for the device registry."""
    return DeviceInfo(
        identifiers={(DOMAIN, phone_identifier(phone.phone_id))},
        name=phone.label or phone.phone_id,
        manufacturer=MANUFACTURER,
        model="Android gateway",
        sw_version=phone.version,
    )


class SmsMobileApiEntity(CoordinatorEntity[SmsMobileApiCoordinator]):
    """Common base: translated names, coordinator-driven."""

    _attr_has_entity_name = True


class AccountEntity(SmsMobileApiEntity):
    """An entity of the account's service device."""

    def __init__(
        self, coordinator: SmsMobileApiCoordinator, description: EntityDescription
    ) -> None:
        """Attach the entity to the account device."""
        super().__init__(coordinator)
        self.entity_description = description
        entry = coordinator.config_entry
        self._attr_unique_id = f"{entry.entry_id}_{description.key}"
        sign_in = sign_in_of(entry.data)
        self._attr_device_info = DeviceInfo(
            identifiers={(DOMAIN, account_identifier(entry.entry_id))},
            name=entry.title,
            manufacturer=sign_in.title,
            model=sign_in.model,
            entry_type=DeviceEntryType.SERVICE,
            configuration_url=sign_in.portal_url,
        )


class PhoneEntity(SmsMobileApiEntity):
    """An entity of one connected phone; unavailable once the phone is gone."""

    def __init__(
        self,
        coordinator: SmsMobileApiCoordinator,
        description: EntityDescription,
        phone_id: str,
    ) -> None:
        """Attach the entity to the phone's device."""
        super().__init__(coordinator)
        self.entity_description = description
        self.phone_id = phone_id
        self._attr_unique_id = f"{phone_id}_{description.key}"
        self._attr_device_info = phone_device_info(coordinator.data.phones[phone_id])

    @property
    def phone(self) -> Phone | None:
        """The phone as last polled, or None when it disappeared."""
        return self.coordinator.data.phones.get(self.phone_id)

    @property
    def available(self) -> bool:
        """Available while the coordinator works and the phone is still connected."""
        return super().available and self.phone is not None


def async_add_phone_entities(
    entry: SmsMobileApiConfigEntry,
    add_entities: Callable[[Iterable[Entity]], None],
    factory: Callable[[str], Iterable[Entity]],
) -> None:
    """Add a phone's entities now and whenever a new phone connects."""
    coordinator = entry.runtime_data.coordinator
    known: set[str] = set()

    @callback
    def _add_new_phones() -> None:
        # A phone that left (its device and entities were removed) gets them back if it returns.
        known.intersection_update(coordinator.data.phones)
        new = [phone_id for phone_id in coordinator.data.phones if phone_id not in known]
        if new:
            known.update(new)
            add_entities([entity for phone_id in new for entity in factory(phone_id)])

    _add_new_phones()
    entry.async_on_unload(coordinator.async_add_listener(_add_new_phones))


class RecipientEntity(Entity):
    """An entity of one recipient (a subentry): its own service device, named after it."""

    _attr_has_entity_name = True
    _attr_name = None

    def __init__(self, entry: SmsMobileApiConfigEntry, subentry: ConfigSubentry) -> None:
        """Attach the entity to the recipient's device."""
        self._entry = entry
        self._subentry_id = subentry.subentry_id
        self._attr_unique_id = f"{entry.entry_id}_{subentry.subentry_id}"
        self._attr_device_info = DeviceInfo(
            identifiers={(DOMAIN, recipient_identifier(subentry.subentry_id))},
            name=subentry.title,
            manufacturer=sign_in_of(entry.data).title,
            model="Recipient",
            entry_type=DeviceEntryType.SERVICE,
        )
