"""Options of an entry: polling, sending defaults, phone health and the webhook secret."""

from __future__ import annotations

from typing import Any

from homeassistant.config_entries import ConfigFlowResult, OptionsFlowWithReload
from homeassistant.const import CONF_SCAN_INTERVAL, CONF_WEBHOOK_ID
from homeassistant.helpers.selector import (
    BooleanSelector,
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
)
import voluptuous as vol

from .api import Capability, sendable_channels
from .const import (
    CONF_CLOUDHOOK_URL,
    CONF_CONVERSATION_MAX_REPLIES,
    CONF_DEFAULT_CHANNEL,
    CONF_DEFAULT_SIM,
    CONF_POLL_ANSWERED_CALLS,
    CONF_POLL_MISSED_CALLS,
    CONF_POLL_SMS,
    CONF_POLL_WHATSAPP,
    CONF_REMOVE_WEBHOOK_SECRET,
    CONF_SENDER,
    CONF_SLOW_SCAN_INTERVAL,
    CONF_STALE_PHONE_MINUTES,
    CONF_WEBHOOK_SECRET,
    DEFAULT_CONVERSATION_MAX_REPLIES,
    DEFAULT_STALE_PHONE_MINUTES,
    MAX_SCAN_INTERVAL,
    MAX_SLOW_SCAN_INTERVAL,
    MIN_SCAN_INTERVAL,
    MIN_SLOW_SCAN_INTERVAL,
    SLOW_SCAN_INTERVAL,
    SMS_SCAN_INTERVAL,
)
from .phone_numbers import is_valid_sender
from .providers import async_import_provider, sign_in_of
from .selectors import PASSWORD, SIM, TEXT, channel_selector, seconds
from .webhook import webhook_url

_MAX_REPLIES = NumberSelector(
    NumberSelectorConfig(min=1, max=60, step=1, mode=NumberSelectorMode.BOX)
)
_STALE_MINUTES = NumberSelector(
    NumberSelectorConfig(
        min=5, max=1440, step=5, unit_of_measurement="min", mode=NumberSelectorMode.BOX
    )
)


def options_schema(capabilities: frozenset[Capability]) -> vol.Schema:
    """The options a provider with these capabilities has (what it lacks is not offered)."""
    fields: dict[vol.Marker, Any] = {
        vol.Required(CONF_SCAN_INTERVAL, default=int(SMS_SCAN_INTERVAL.total_seconds())): vol.All(
            seconds(MIN_SCAN_INTERVAL, MAX_SCAN_INTERVAL, 10), vol.Coerce(int)
        ),
    }
    if {Capability.PHONES, Capability.CALLS} & capabilities:
        fields[
            vol.Required(CONF_SLOW_SCAN_INTERVAL, default=int(SLOW_SCAN_INTERVAL.total_seconds()))
        ] = vol.All(seconds(MIN_SLOW_SCAN_INTERVAL, MAX_SLOW_SCAN_INTERVAL, 60), vol.Coerce(int))
    fields[vol.Required(CONF_POLL_SMS, default=True)] = BooleanSelector()
    if Capability.RECEIVE_WHATSAPP in capabilities:
        fields[vol.Required(CONF_POLL_WHATSAPP, default=False)] = BooleanSelector()
    if Capability.CALLS in capabilities:
        fields[vol.Required(CONF_POLL_MISSED_CALLS, default=True)] = BooleanSelector()
        fields[vol.Required(CONF_POLL_ANSWERED_CALLS, default=True)] = BooleanSelector()
    if Capability.PHONES in capabilities:
        fields[vol.Required(CONF_STALE_PHONE_MINUTES, default=DEFAULT_STALE_PHONE_MINUTES)] = (
            vol.All(_STALE_MINUTES, vol.Coerce(int))
        )
    if len(sendable_channels(capabilities)) > 1:
        fields[vol.Required(CONF_DEFAULT_CHANNEL, default="sms")] = channel_selector(capabilities)
    if Capability.CHOOSE_SIM in capabilities:
        fields[vol.Optional(CONF_DEFAULT_SIM)] = SIM
    if Capability.SENDER_ID in capabilities:
        fields[vol.Optional(CONF_SENDER)] = TEXT
    fields[
        vol.Required(CONF_CONVERSATION_MAX_REPLIES, default=DEFAULT_CONVERSATION_MAX_REPLIES)
    ] = vol.All(_MAX_REPLIES, vol.Coerce(int))
    fields[vol.Optional(CONF_WEBHOOK_SECRET)] = PASSWORD
    fields[vol.Optional(CONF_REMOVE_WEBHOOK_SECRET, default=False)] = BooleanSelector()
    return vol.Schema(fields)


class SmsMobileApiOptionsFlow(OptionsFlowWithReload):
    """Polling, sending defaults, phone health and the webhook; the entry reloads on change."""

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Show the webhook URL and every option the entry's provider has."""
        current = self.config_entry.options
        sign_in = sign_in_of(self.config_entry.data)
        await async_import_provider(self.hass, sign_in)
        errors: dict[str, str] = {}
        if user_input is not None:
            options = dict(user_input)
            sender = str(options.pop(CONF_SENDER, "") or "").strip()
            if sender and not is_valid_sender(sender):
                errors[CONF_SENDER] = "invalid_sender"
            else:
                if sender:
                    options[CONF_SENDER] = sender
                # The stored secret is never shown: an empty field keeps it, unless removed.
                secret = str(options.pop(CONF_WEBHOOK_SECRET, "") or "").strip()
                remove = options.pop(CONF_REMOVE_WEBHOOK_SECRET, False)
                if not remove and (secret or current.get(CONF_WEBHOOK_SECRET)):
                    options[CONF_WEBHOOK_SECRET] = secret or current[CONF_WEBHOOK_SECRET]
                return self.async_create_entry(data=options)
        shown = user_input or {
            key: value for key, value in current.items() if key != CONF_WEBHOOK_SECRET
        }
        return self.async_show_form(
            step_id="init",
            data_schema=self.add_suggested_values_to_schema(
                options_schema(sign_in.capabilities),
                {key: value for key, value in shown.items() if key != CONF_WEBHOOK_SECRET},
            ),
            errors=errors,
            description_placeholders={
                "webhook_url": webhook_url(
                    self.hass,
                    self.config_entry.data[CONF_WEBHOOK_ID],
                    self.config_entry.data.get(CONF_CLOUDHOOK_URL),
                ),
                "dashboard_url": sign_in.portal_url,
                "provider": sign_in.title,
            },
        )
