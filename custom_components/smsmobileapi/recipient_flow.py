"""Recipient subentries: a name, a number, a channel, and optionally a phone and a SIM."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from homeassistant.config_entries import (
    ConfigEntry,
    ConfigEntryState,
    ConfigSubentry,
    ConfigSubentryFlow,
    SubentryFlowResult,
)
from homeassistant.const import CONF_NAME
from homeassistant.helpers.selector import (
    ConversationAgentSelector,
    SelectOptionDict,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
)
import voluptuous as vol

from .api import Capability, Channel, SmsGatewayError, feature
from .const import (
    CONF_CHANNEL,
    CONF_CONVERSATION_AGENT,
    CONF_NUMBER,
    CONF_PHONE,
    CONF_SIM,
    LOGGER,
)
from .phone_numbers import InvalidPhoneNumberError, to_e164
from .selectors import SIM, TEL, TEXT, channel_selector
from .sending import default_channel


class RecipientSubentryFlow(ConfigSubentryFlow):
    """Add or edit a recipient: a name, a number, a channel and optionally a phone and SIM."""

    # The data last refused because its number has no WhatsApp (accepted if sent again).
    _warned: dict[str, Any] | None = None

    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> SubentryFlowResult:
        """Add a recipient."""
        return await self._async_step_recipient("user", user_input, None)

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Edit a recipient; its notify entity uses the new settings at once."""
        return await self._async_step_recipient(
            "reconfigure", user_input, self._get_reconfigure_subentry()
        )

    async def _async_step_recipient(
        self,
        step_id: str,
        user_input: dict[str, Any] | None,
        subentry: ConfigSubentry | None,
    ) -> SubentryFlowResult:
        entry = self._get_entry()
        if entry.state is not ConfigEntryState.LOADED:
            return self.async_abort(reason="entry_not_loaded")
        errors: dict[str, str] = {}
        if user_input is not None:
            data, error_field, error = self._recipient_data(entry, user_input, subentry)
            if error is None and not await self._async_whatsapp_confirmed(entry, data):
                error_field, error = CONF_NUMBER, "no_whatsapp"
            if error is None:
                title = data[CONF_NAME]
                unique_id = _recipient_unique_id(data)
                if subentry is None:
                    return self.async_create_entry(title=title, data=data, unique_id=unique_id)
                return self.async_update_and_abort(
                    entry, subentry, title=title, data=data, unique_id=unique_id
                )
            errors[error_field] = error
        current = user_input
        if current is None and subentry is not None:
            current = {**subentry.data, CONF_NAME: subentry.title}
            if CONF_SIM in current:
                current[CONF_SIM] = str(current[CONF_SIM])
        capabilities = entry.runtime_data.client.capabilities
        fields: dict[vol.Marker, Any] = {
            vol.Required(CONF_NAME): TEXT,
            vol.Required(CONF_NUMBER): TEL,
            vol.Required(CONF_CHANNEL, default=default_channel(entry).value): channel_selector(
                capabilities
            ),
        }
        if Capability.PHONES in capabilities:
            fields |= self._phone_field(entry, subentry)
        if Capability.CHOOSE_SIM in capabilities:
            fields[vol.Optional(CONF_SIM)] = SIM
        fields[vol.Optional(CONF_CONVERSATION_AGENT)] = ConversationAgentSelector()
        schema = vol.Schema(fields)
        return self.async_show_form(
            step_id=step_id,
            data_schema=self.add_suggested_values_to_schema(schema, current),
            errors=errors,
        )

    async def _async_whatsapp_confirmed(self, entry: ConfigEntry, data: dict[str, Any]) -> bool:
        """False, once, for a WhatsApp recipient the service says has no WhatsApp.

        The same data submitted again is accepted (the check may be wrong, or WhatsApp may
        come later); a service that cannot tell, or cannot be reached, never blocks.
        """
        if data[CONF_CHANNEL] == Channel.SMS or data == self._warned:
            return True
        checker = feature(entry.runtime_data.client, Capability.CHECK_WHATSAPP)
        if checker is None:
            return True
        try:
            reachable = await checker.has_whatsapp(data[CONF_NUMBER])
        except SmsGatewayError as err:
            LOGGER.debug("Could not check whether the number has WhatsApp: %s", err)
            return True
        if reachable is False:
            self._warned = data
            return False
        return True

    def _phone_field(
        self, entry: ConfigEntry, subentry: ConfigSubentry | None
    ) -> dict[vol.Marker, Any]:
        """A choice among the connected phones (and the one chosen before, if it left)."""
        phones = entry.runtime_data.coordinator.data.phones
        options = [
            SelectOptionDict(value=phone_id, label=phone.label or phone_id)
            for phone_id, phone in phones.items()
        ]
        chosen = subentry.data.get(CONF_PHONE) if subentry is not None else None
        if chosen is not None and chosen not in phones:
            options.append(SelectOptionDict(value=chosen, label=chosen))
        if not options:
            return {}
        selector = SelectSelector(
            SelectSelectorConfig(options=options, mode=SelectSelectorMode.DROPDOWN)
        )
        return {vol.Optional(CONF_PHONE): selector}

    def _recipient_data(
        self,
        entry: ConfigEntry,
        user_input: dict[str, Any],
        subentry: ConfigSubentry | None,
    ) -> tuple[dict[str, Any], str, str | None]:
        """The subentry data, or the field in error and the error."""
        try:
            number = to_e164(user_input[CONF_NUMBER], self.hass.config.country)
        except InvalidPhoneNumberError:
            return {}, CONF_NUMBER, "invalid_number"
        data: dict[str, Any] = {
            CONF_NAME: str(user_input[CONF_NAME]).strip() or number,
            CONF_NUMBER: number,
            CONF_CHANNEL: user_input[CONF_CHANNEL],
        }
        if phone := user_input.get(CONF_PHONE):
            data[CONF_PHONE] = phone
        if sim := user_input.get(CONF_SIM):
            data[CONF_SIM] = int(sim)
        if agent := user_input.get(CONF_CONVERSATION_AGENT):
            data[CONF_CONVERSATION_AGENT] = agent
        unique_id = _recipient_unique_id(data)
        for other in entry.subentries.values():
            if other.unique_id == unique_id and (
                subentry is None or other.subentry_id != subentry.subentry_id
            ):
                return {}, "base", "already_configured"
        return data, "", None


def _recipient_unique_id(data: Mapping[str, Any]) -> str:
    """A recipient is a number and a channel: the same pair twice would send twice."""
    return f"{data[CONF_CHANNEL]}_{data[CONF_NUMBER]}"
