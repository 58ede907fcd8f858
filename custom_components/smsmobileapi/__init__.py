"""The SMSMobileAPI integration: your own Android phone as an SMS and WhatsApp gateway."""

from __future__ import annotations

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import config_validation as cv, device_registry as dr
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.typing import ConfigType

from .api import SmsGateway
from .const import CONF_PROVIDER, CONF_WEBHOOK_SECRET, DOMAIN
from .conversation import ConversationResponder
from .coordinator import SmsMobileApiConfigEntry, SmsMobileApiCoordinator, SmsMobileApiRuntimeData
from .devices import async_sync_phone_devices, phone_id_of_device
from .inbox import Inbox
from .providers import (
    async_import_provider,
    create_client as create_provider_client,
    sign_in_of,
)
from .push import PushReceiver
from .repairs import async_clear_all as async_clear_issues, async_set_unsigned_webhook
from .services import async_setup_services
from .webhook import async_register_webhook, async_remove_cloudhook, async_setup_cloudhook

PLATFORMS: list[Platform] = [
    Platform.BINARY_SENSOR,
    Platform.EVENT,
    Platform.NOTIFY,
    Platform.SENSOR,
]

CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the actions, once for every entry."""
    async_setup_services(hass)
    return True


def create_client(hass: HomeAssistant, entry: SmsMobileApiConfigEntry) -> SmsGateway:
    """Build the API client of an entry with Home Assistant's shared HTTP session."""
    return create_provider_client(async_get_clientsession(hass), entry.data)


async def async_setup_entry(hass: HomeAssistant, entry: SmsMobileApiConfigEntry) -> bool:
    """Connect to the account, read it once, listen on the webhook, set up the platforms."""
    await async_import_provider(hass, sign_in_of(entry.data))
    client = create_client(hass, entry)
    inbox = Inbox(hass, entry.entry_id, entry.data[CONF_PROVIDER])
    await inbox.async_load()
    # Registered before the first refresh: a setup that fails half way keeps what it recorded.
    entry.async_on_unload(inbox.async_close)
    coordinator = SmsMobileApiCoordinator(hass, entry, client, inbox)
    await coordinator.async_config_entry_first_refresh()
    entry.runtime_data = SmsMobileApiRuntimeData(
        client=client, coordinator=coordinator, inbox=inbox, push=PushReceiver(hass, entry)
    )
    if entry.options.get(CONF_WEBHOOK_SECRET):
        # Only signed deliveries are accepted now: the advice to sign them is done.
        async_set_unsigned_webhook(hass, entry.entry_id, entry.title, active=False)
    responder = ConversationResponder(hass, entry)
    entry.async_on_unload(inbox.async_listen(responder.async_on_message))
    await async_setup_cloudhook(hass, entry)
    async_register_webhook(hass, entry)

    @callback
    def _sync_phone_devices() -> None:
        async_sync_phone_devices(hass, entry)

    _sync_phone_devices()
    entry.async_on_unload(coordinator.async_add_listener(_sync_phone_devices))
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    return True


async def async_unload_entry(hass: HomeAssistant, entry: SmsMobileApiConfigEntry) -> bool:
    """Unload the platforms; the coordinator stops with its last listener."""
    return await hass.config_entries.async_unload_platforms(entry, PLATFORMS)


async def async_remove_entry(hass: HomeAssistant, entry: SmsMobileApiConfigEntry) -> None:
    """Forget the entry's ledger and cloudhook."""
    await Inbox(hass, entry.entry_id, entry.data[CONF_PROVIDER]).async_remove()
    await async_remove_cloudhook(hass, entry)
    async_clear_issues(hass, entry.entry_id)


async def async_remove_config_entry_device(
    hass: HomeAssistant, entry: SmsMobileApiConfigEntry, device: dr.DeviceEntry
) -> bool:
    """Let the user delete a phone's device once the phone is no longer connected."""
    phone_id = phone_id_of_device(device)
    return phone_id is not None and phone_id not in entry.runtime_data.coordinator.data.phones
