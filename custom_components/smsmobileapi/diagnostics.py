"""Diagnostics with every secret, phone number and message text redacted."""

from __future__ import annotations

from typing import Any

from homeassistant.components.diagnostics import REDACTED, async_redact_data
from homeassistant.const import (
    CONF_API_KEY,
    CONF_CLIENT_ID,
    CONF_CLIENT_SECRET,
    CONF_PASSWORD,
    CONF_USERNAME,
    CONF_WEBHOOK_ID,
)
from homeassistant.core import HomeAssistant

from .const import CONF_CLOUDHOOK_URL, CONF_WEBHOOK_SECRET
from .coordinator import SmsMobileApiConfigEntry

TO_REDACT = {
    CONF_API_KEY,
    CONF_CLIENT_ID,
    CONF_CLIENT_SECRET,
    CONF_WEBHOOK_ID,
    CONF_USERNAME,
    CONF_PASSWORD,
    CONF_CLOUDHOOK_URL,
    CONF_WEBHOOK_SECRET,
    "unique_id",
    "number",
    "phone_number",
    "message",
    "alias",
    "name",
    "label",
    "geo_location",
}


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: SmsMobileApiConfigEntry
) -> dict[str, Any]:
    """Return the entry and the coordinator's last data, redacted."""
    coordinator = entry.runtime_data.coordinator
    data = coordinator.data
    redacted = async_redact_data(
        {
            "entry": {
                "data": dict(entry.data),
                "options": dict(entry.options),
                "unique_id": entry.unique_id,
                "subentries": [dict(sub.data) for sub in entry.subentries.values()],
            },
            "coordinator": {
                "last_update_success": coordinator.last_update_success,
                "update_interval": str(coordinator.update_interval),
                "ledger_size": len(entry.runtime_data.inbox.ledger),
            },
            "data": {
                "phones": [phone._asdict() for phone in data.phones.values()],
                "unread_count": data.unread_count,
                "last_sms": data.last_sms._asdict() if data.last_sms else None,
                "recent_missed_calls": [call._asdict() for call in data.recent_missed_calls],
                "last_calls": {str(kind): call._asdict() for kind, call in data.last_calls.items()},
            },
        },
        TO_REDACT,
    )
    # Any URL (or other text) that embeds the webhook id is a bearer secret too.
    return {key: _without(item, entry.data[CONF_WEBHOOK_ID]) for key, item in redacted.items()}


def _without(value: object, secret: str) -> object:
    """``value`` with every string containing ``secret`` redacted, at any depth."""
    if isinstance(value, str):
        return REDACTED if secret and secret in value else value
    if isinstance(value, dict):
        return {key: _without(item, secret) for key, item in value.items()}
    if isinstance(value, list):
        return [_without(item, secret) for item in value]
    return value
