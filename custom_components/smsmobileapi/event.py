"""Event entities: received SMS, calls and WhatsApp messages, for the UI's event trigger.

Per phone where the phone is known (SMS carry the receiving phone; calls pushed by webhook too),
else on the account device (missed calls from the log, WhatsApp, SMS of an unknown phone).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from homeassistant.components.event import EventEntity, EventEntityDescription
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .api import Capability
from .const import PRIVATE_ATTRIBUTES
from .coordinator import SmsMobileApiConfigEntry, SmsMobileApiCoordinator
from .entity import AccountEntity, PhoneEntity, async_add_phone_entities
from .inbox import Incoming, signal_incoming

# Push-driven: no request is made per entity.
PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class IncomingEventDescription(EventEntityDescription):
    """An event entity of one kind of incoming item, created when the provider offers it."""

    capability: Capability


SMS: Final = IncomingEventDescription(
    key="sms", translation_key="sms", event_types=["received"], capability=Capability.RECEIVE_SMS
)
CALL: Final = IncomingEventDescription(
    key="call",
    translation_key="call",
    event_types=["missed", "incoming", "outgoing"],
    capability=Capability.CALLS,
)
WHATSAPP: Final = IncomingEventDescription(
    key="whatsapp",
    translation_key="whatsapp",
    event_types=["received", "voice_transcribed"],
    capability=Capability.RECEIVE_WHATSAPP,
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: SmsMobileApiConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the account's event entities, and each phone's as phones connect."""
    coordinator = entry.runtime_data.coordinator
    capabilities = coordinator.client.capabilities
    async_add_entities(
        AccountEventEntity(coordinator, description)
        for description in (SMS, CALL, WHATSAPP)
        if description.capability in capabilities
    )
    async_add_phone_entities(
        entry,
        async_add_entities,
        lambda phone_id: [
            PhoneEventEntity(coordinator, description, phone_id)
            for description in (SMS, CALL)
            if description.capability in capabilities
        ],
    )


class _IncomingMixin(EventEntity):
    """Subscribe to the entry's incoming items; subclasses choose which are theirs."""

    _unrecorded_attributes = PRIVATE_ATTRIBUTES

    coordinator: SmsMobileApiCoordinator
    # The phone whose events this entity shows; None for the account's (unknown phones).
    _phone_scope: str | None = None

    async def async_added_to_hass(self) -> None:
        """Listen while the entity exists."""
        await super().async_added_to_hass()
        self.async_on_remove(
            async_dispatcher_connect(
                self.hass,
                signal_incoming(self.coordinator.config_entry.entry_id),
                self._async_incoming,
            )
        )

    def _accepts(self, item: Incoming) -> bool:
        if self._phone_scope is not None:
            return item.phone_id == self._phone_scope
        return item.phone_id is None or item.phone_id not in self.coordinator.data.phones

    @callback
    def _async_incoming(self, item: Incoming) -> None:
        if item.kind != self.entity_description.key or not self._accepts(item):
            return
        attributes = {
            key: value
            for key, value in item.attributes.items()
            if key not in ("config_entry_id", "device_id", "call_type", "kind")
        }
        self._trigger_event(item.event_type, attributes)
        self.async_write_ha_state()

    @property
    def available(self) -> bool:
        """Events arrive by webhook too: available whatever the last poll did."""
        return True


class AccountEventEntity(_IncomingMixin, AccountEntity):
    """Events without a known phone."""


class PhoneEventEntity(_IncomingMixin, PhoneEntity):
    """Events of one phone."""

    def __init__(
        self,
        coordinator: SmsMobileApiCoordinator,
        description: IncomingEventDescription,
        phone_id: str,
    ) -> None:
        """Show the events of the phone ``phone_id``."""
        super().__init__(coordinator, description, phone_id)
        self._phone_scope = phone_id

    @property
    def available(self) -> bool:
        """Available while the phone is connected."""
        return self.phone is not None
