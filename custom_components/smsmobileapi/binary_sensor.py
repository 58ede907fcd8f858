"""Binary sensor: whether each connected phone is online."""

from __future__ import annotations

from homeassistant.components.binary_sensor import (
    BinarySensorDeviceClass,
    BinarySensorEntity,
    BinarySensorEntityDescription,
)
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .coordinator import SmsMobileApiConfigEntry
from .entity import PhoneEntity, async_add_phone_entities

# Coordinator-driven: no request is made per entity.
PARALLEL_UPDATES = 0

ONLINE = BinarySensorEntityDescription(
    key="online",
    translation_key="online",
    device_class=BinarySensorDeviceClass.CONNECTIVITY,
    entity_category=EntityCategory.DIAGNOSTIC,
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: SmsMobileApiConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add each phone's online sensor as phones connect."""
    coordinator = entry.runtime_data.coordinator
    async_add_phone_entities(
        entry,
        async_add_entities,
        lambda phone_id: [PhoneOnlineSensor(coordinator, ONLINE, phone_id)],
    )


class PhoneOnlineSensor(PhoneEntity, BinarySensorEntity):
    """Whether the phone is connected to the gateway."""

    @property
    def is_on(self) -> bool | None:
        """The phone's online flag as the service reports it."""
        phone = self.phone
        return phone.online if phone else None
