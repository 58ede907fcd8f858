"""What every action needs: its entry, a feature of its provider, numbers and times."""

from __future__ import annotations

from datetime import datetime

from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import ATTR_CONFIG_ENTRY_ID
from homeassistant.core import HomeAssistant, ServiceCall, callback
from homeassistant.helpers import device_registry as dr
from homeassistant.util import dt as dt_util

from ..const import CONF_PHONE, DOMAIN
from ..coordinator import SmsMobileApiConfigEntry
from ..devices import belongs_to
from ..errors import validation_error
from ..phone_numbers import InvalidPhoneNumberError, to_e164


@callback
def async_get_entry(hass: HomeAssistant, entry_id: str | None) -> SmsMobileApiConfigEntry:
    """The loaded entry with this id; without an id, the only loaded entry."""
    if entry_id is None:
        loaded: list[SmsMobileApiConfigEntry] = hass.config_entries.async_loaded_entries(DOMAIN)
        if len(loaded) == 1:
            return loaded[0]
        raise validation_error("config_entry_required" if loaded else "no_loaded_entry")
    entry: SmsMobileApiConfigEntry | None = hass.config_entries.async_get_entry(entry_id)
    if entry is None or entry.domain != DOMAIN:
        raise validation_error("config_entry_not_found", config_entry_id=entry_id)
    if entry.state is not ConfigEntryState.LOADED:
        raise validation_error("config_entry_not_loaded", title=entry.title)
    return entry


@callback
def async_entry_of_call(call: ServiceCall) -> SmsMobileApiConfigEntry:
    """The call's entry; without one, the entry of the chosen phone device, if any."""
    hass = call.hass
    entry_id: str | None = call.data.get(ATTR_CONFIG_ENTRY_ID)
    if entry_id is None and (phone := call.data.get(CONF_PHONE)) is not None:
        device = dr.async_get(hass).async_get(phone)
        if device is not None:
            owners = [
                entry
                for entry in hass.config_entries.async_loaded_entries(DOMAIN)
                if belongs_to(device, entry.entry_id)
            ]
            if len(owners) == 1:
                return owners[0]
    return async_get_entry(hass, entry_id)


def require[T](entry: SmsMobileApiConfigEntry, gateway: T | None) -> T:
    """A feature of the entry's provider (see ``api.feature``); refuse the action without it."""
    if gateway is None:
        raise validation_error("action_not_supported", title=entry.title)
    return gateway


def filter_number(hass: HomeAssistant, number: str) -> str:
    """A number filter in E.164 when it is a phone number, else as typed (a sender name)."""
    try:
        return to_e164(number, hass.config.country)
    except InvalidPhoneNumberError:
        return number.strip()


def as_utc(moment: datetime | None) -> datetime | None:
    """An aware UTC time; a naive one is read in Home Assistant's time zone."""
    return dt_util.as_utc(moment) if moment is not None else None


def iso(moment: datetime | None) -> str | None:
    """ISO 8601 text of a time, for a response."""
    return moment.isoformat() if moment is not None else None
