"""Notify entities: one per recipient subentry, following the subentries without a reload."""

from __future__ import annotations

from typing import override

from homeassistant.components.notify import NotifyEntity, NotifyEntityFeature
from homeassistant.config_entries import (
    SIGNAL_CONFIG_ENTRY_CHANGED,
    ConfigEntry,
    ConfigEntryChange,
    ConfigSubentry,
)
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .api import Channel
from .const import CONF_CHANNEL, CONF_NUMBER, CONF_PHONE, CONF_SIM, DOMAIN, SUBENTRY_RECIPIENT
from .coordinator import SmsMobileApiConfigEntry
from .devices import async_get_entry_device
from .entity import RecipientEntity
from .identifiers import recipient_identifier
from .sending import (
    OutgoingMessage,
    async_check_outgoing,
    async_send_message,
    default_sender,
    default_sim,
    failure,
)

# Each send is bounded in async_send_message; notify calls need no serialising here.
PARALLEL_UPDATES = 0


def _recipients(entry: ConfigEntry) -> dict[str, ConfigSubentry]:
    return {
        subentry_id: subentry
        for subentry_id, subentry in entry.subentries.items()
        if subentry.subentry_type == SUBENTRY_RECIPIENT
    }


async def async_setup_entry(
    hass: HomeAssistant,
    entry: SmsMobileApiConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add a notify entity per recipient, and follow recipients added, changed or removed."""
    recipients = _RecipientEntities(hass, entry, async_add_entities)
    for subentry in _recipients(entry).values():
        recipients.async_add(subentry)
    entry.async_on_unload(
        async_dispatcher_connect(hass, SIGNAL_CONFIG_ENTRY_CHANGED, recipients.async_entry_changed)
    )


class _RecipientEntities:
    """The recipients' entities, updated when the entry's subentries change (no reload)."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: SmsMobileApiConfigEntry,
        async_add_entities: AddConfigEntryEntitiesCallback,
    ) -> None:
        self._hass = hass
        self._entry = entry
        self._async_add_entities = async_add_entities
        # The title of each recipient when last seen, by subentry id.
        self._titles: dict[str, str] = {}

    @callback
    def async_add(self, subentry: ConfigSubentry) -> None:
        self._titles[subentry.subentry_id] = subentry.title
        self._async_add_entities(
            [RecipientNotifyEntity(self._entry, subentry)],
            config_subentry_id=subentry.subentry_id,
        )

    @callback
    def async_entry_changed(self, change: ConfigEntryChange, entry: ConfigEntry) -> None:
        """Add, rename or remove entities after a change of the entry's subentries."""
        if change is not ConfigEntryChange.UPDATED or entry.entry_id != self._entry.entry_id:
            return
        current = _recipients(entry)
        # A removed recipient's entity and device need nothing here: removing a subentry
        # removes its entities and devices from the registries, and so from Home Assistant.
        for subentry_id in self._titles.keys() - current.keys():
            del self._titles[subentry_id]
        for subentry_id, subentry in current.items():
            if subentry_id not in self._titles:
                self.async_add(subentry)
            elif self._titles[subentry_id] != subentry.title:
                self._async_rename(subentry)

    @callback
    def _async_rename(self, subentry: ConfigSubentry) -> None:
        # The entity has no name of its own but its device's: rename the device.
        self._titles[subentry.subentry_id] = subentry.title
        identifier = recipient_identifier(subentry.subentry_id)
        device = async_get_entry_device(self._hass, self._entry.entry_id, identifier)
        if device is not None:
            dr.async_get(self._hass).async_update_device(device.id, name=subentry.title)


class RecipientNotifyEntity(RecipientEntity, NotifyEntity):
    """Send to one recipient; the subentry is read at each send, so an edit applies at once."""

    _attr_translation_key = "recipient"
    _attr_supported_features = NotifyEntityFeature.TITLE

    @override
    async def async_send_message(self, message: str, title: str | None = None) -> None:
        """Send the message, with the title (when given) as its first line."""
        subentry = self._entry.subentries.get(self._subentry_id)
        if subentry is None:  # pragma: no cover - the entity goes away with its subentry
            raise HomeAssistantError(translation_domain=DOMAIN, translation_key="recipient_removed")
        data = subentry.data
        text = (
            f"{title.strip()}\n{message}"
            if title and title.strip() and message.strip()
            else message
        )
        outgoing = OutgoingMessage(
            text=text,
            channel=Channel(data[CONF_CHANNEL]),
            phone_id=data.get(CONF_PHONE),
            sim=data.get(CONF_SIM) or default_sim(self._entry),
            sender=default_sender(self._entry),
        )
        async_check_outgoing(self._entry, outgoing)
        outcomes = await async_send_message(self.hass, self._entry, [data[CONF_NUMBER]], outgoing)
        if (error := failure(outcomes)) is not None:
            raise error
