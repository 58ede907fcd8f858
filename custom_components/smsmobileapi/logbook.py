"""Logbook lines for the integration's bus events."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from homeassistant.components.logbook.const import (
    LOGBOOK_ENTRY_ICON,
    LOGBOOK_ENTRY_MESSAGE,
    LOGBOOK_ENTRY_NAME,
)
from homeassistant.core import Event, HomeAssistant, callback

from .const import (
    DOMAIN,
    EVENT_CALL,
    EVENT_CONVERSATION,
    EVENT_SMS_RECEIVED,
    EVENT_WHATSAPP_RECEIVED,
    PROVIDER_SMSMOBILEAPI,
    PROVIDER_TITLES,
)
from .phone_numbers import format_for_display

_CALL_WORDS = {"missed": "Missed call", "incoming": "Incoming call", "outgoing": "Outgoing call"}
_CALL_PREPOSITION = {"missed": "from", "incoming": "from", "outgoing": "to"}
_CALL_ICONS = {
    "missed": "mdi:phone-missed",
    "incoming": "mdi:phone-incoming",
    "outgoing": "mdi:phone-outgoing",
}


def _who(data: Mapping[str, Any]) -> str:
    number = format_for_display(str(data.get("number") or "?"))
    name = data.get("name") or data.get("alias")
    return f"{name} ({number})" if name else number


def _line(data: Mapping[str, Any], message: str, icon: str) -> dict[str, str]:
    """A logbook line named after the provider that brought the event."""
    service = PROVIDER_TITLES.get(str(data.get("provider")), PROVIDER_TITLES[PROVIDER_SMSMOBILEAPI])
    return {LOGBOOK_ENTRY_NAME: service, LOGBOOK_ENTRY_MESSAGE: message, LOGBOOK_ENTRY_ICON: icon}


@callback
def async_describe_events(
    hass: HomeAssistant,
    async_describe_event: Callable[[str, str, Callable[[Event], dict[str, str]]], None],
) -> None:
    """Describe received SMS, calls and WhatsApp messages in the logbook."""

    @callback
    def describe_sms(event: Event) -> dict[str, str]:
        text = f"SMS from {_who(event.data)}: {event.data.get('message', '')}"
        return _line(event.data, text, "mdi:message-text")

    @callback
    def describe_call(event: Event) -> dict[str, str]:
        kind = str(event.data.get("call_type"))
        words = _CALL_WORDS.get(kind, "Call")
        preposition = _CALL_PREPOSITION.get(kind, "with")
        text = f"{words} {preposition} {_who(event.data)}"
        return _line(event.data, text, _CALL_ICONS.get(kind, "mdi:phone"))

    @callback
    def describe_whatsapp(event: Event) -> dict[str, str]:
        what = "WhatsApp voice message" if event.data.get("voice") else "WhatsApp"
        text = f"{what} from {_who(event.data)}: {event.data.get('message', '')}"
        return _line(event.data, text, "mdi:whatsapp")

    @callback
    def describe_conversation(event: Event) -> dict[str, str]:
        who = _who(event.data)
        if event.data.get("rate_limited"):
            text = f"Assist did not answer {who}: too many messages this hour"
        else:
            text = f"Assist answered {who}: {event.data.get('response') or ''}"
        return _line(event.data, text, "mdi:account-voice")

    async_describe_event(DOMAIN, EVENT_SMS_RECEIVED, describe_sms)
    async_describe_event(DOMAIN, EVENT_CONVERSATION, describe_conversation)
    async_describe_event(DOMAIN, EVENT_CALL, describe_call)
    async_describe_event(DOMAIN, EVENT_WHATSAPP_RECEIVED, describe_whatsapp)
