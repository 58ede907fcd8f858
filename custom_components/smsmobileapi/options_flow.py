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

from .const import (
    CONF_CLOUDHOOK_URL,
    CONF_DEFAULT_CHANNEL,
    CONF_DEFAULT_SIM,
    CONF_POLL_ANSWERED_CALLS,
    CONF_POLL_MISSED_CALLS,
    CONF_POLL_SMS,
    CONF_REMOVE_WEBHOOK_SECRET,
    CONF_SLOW_SCAN_INTERVAL,
    CONF_STALE_PHONE_MINUTES,
    CONF_WEBHOOK_SECRET,
    DASHBOARD_URL,
    DEFAULT_STALE_PHONE_MINUTES,
    MAX_SCAN_INTERVAL,
    MAX_SLOW_SCAN_INTERVAL,
    MIN_SCAN_INTERVAL,
    MIN_SLOW_SCAN_INTERVAL,
    SLOW_SCAN_INTERVAL,
    SMS_SCAN_INTERVAL,
)
from .selectors import CHANNEL, PASSWORD, SIM, seconds
from .webhook import webhook_url

_OPTIONS_SCHEMA = vol.Schema(
    {
        vol.Required(CONF_SCAN_INTERVAL, default=int(SMS_SCAN_INTERVAL.total_seconds())): vol.All(
            seconds(MIN_SCAN_INTERVAL, MAX_SCAN_INTERVAL, 10), vol.Coerce(int)
        ),
        vol.Required(
            CONF_SLOW_SCAN_INTERVAL, default=int(SLOW_SCAN_INTERVAL.total_seconds())
        ): vol.All(seconds(MIN_SLOW_SCAN_INTERVAL, MAX_SLOW_SCAN_INTERVAL, 60), vol.Coerce(int)),
        vol.Required(CONF_POLL_SMS, default=True): BooleanSelector(),
        vol.Required(CONF_POLL_MISSED_CALLS, default=True): BooleanSelector(),
        vol.Required(CONF_POLL_ANSWERED_CALLS, default=True): BooleanSelector(),
        vol.Required(CONF_STALE_PHONE_MINUTES, default=DEFAULT_STALE_PHONE_MINUTES): vol.All(
            NumberSelector(
                NumberSelectorConfig(
                    min=5, max=1440, step=5, unit_of_measurement="min", mode=NumberSelectorMode.BOX
                )
            ),
            vol.Coerce(int),
        ),
        vol.Required(CONF_DEFAULT_CHANNEL, default="sms"): CHANNEL,
        vol.Optional(CONF_DEFAULT_SIM): SIM,
        vol.Optional(CONF_WEBHOOK_SECRET): PASSWORD,
        vol.Optional(CONF_REMOVE_WEBHOOK_SECRET, default=False): BooleanSelector(),
    }
)


class SmsMobileApiOptionsFlow(OptionsFlowWithReload):
    """Polling, sending defaults, phone health and the webhook; the entry reloads on change."""

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Show the webhook URL and every option."""
        current = self.config_entry.options
        if user_input is not None:
            options = dict(user_input)
            # The stored secret is never shown: an empty field keeps it, unless removed.
            secret = str(options.pop(CONF_WEBHOOK_SECRET, "") or "").strip()
            remove = options.pop(CONF_REMOVE_WEBHOOK_SECRET, False)
            if not remove and (secret or current.get(CONF_WEBHOOK_SECRET)):
                options[CONF_WEBHOOK_SECRET] = secret or current[CONF_WEBHOOK_SECRET]
            return self.async_create_entry(data=options)
        shown = {key: value for key, value in current.items() if key != CONF_WEBHOOK_SECRET}
        return self.async_show_form(
            step_id="init",
            data_schema=self.add_suggested_values_to_schema(_OPTIONS_SCHEMA, shown),
            description_placeholders={
                "webhook_url": webhook_url(
                    self.hass,
                    self.config_entry.data[CONF_WEBHOOK_ID],
                    self.config_entry.data.get(CONF_CLOUDHOOK_URL),
                ),
                "dashboard_url": DASHBOARD_URL,
            },
        )
