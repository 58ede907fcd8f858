"""Logbook lines read well."""

from homeassistant.components.logbook.const import (
    LOGBOOK_ENTRY_ICON,
    LOGBOOK_ENTRY_MESSAGE,
    LOGBOOK_ENTRY_NAME,
)
from homeassistant.core import Event, HomeAssistant

from custom_components.smsmobileapi.const import (
    DOMAIN,
    EVENT_CALL,
    EVENT_SMS_RECEIVED,
    EVENT_WHATSAPP_RECEIVED,
)
from custom_components.smsmobileapi.logbook import async_describe_events


def _describers(hass: HomeAssistant) -> dict[str, object]:
    found: dict[str, object] = {}

    def describe(domain: str, event_type: str, describer: object) -> None:
        assert domain == DOMAIN
        found[event_type] = describer

    async_describe_events(hass, describe)
    return found


async def test_logbook_lines(hass: HomeAssistant) -> None:
    """SMS, calls and WhatsApp messages, with numbers formatted for people."""
    describers = _describers(hass)
    cases = [
        (
            EVENT_SMS_RECEIVED,
            {"number": "+32470000001", "message": "Dinner?", "alias": None},
            "SMS from +32 470 00 00 01: Dinner?",
        ),
        (
            EVENT_SMS_RECEIVED,
            {"number": "+32470000001", "message": "Hi", "alias": "Mum"},
            "SMS from Mum (+32 470 00 00 01): Hi",
        ),
        (
            EVENT_CALL,
            {"number": "+32470000002", "call_type": "missed", "name": None},
            "Missed call from +32 470 00 00 02",
        ),
        (
            EVENT_CALL,
            {"number": "+32470000002", "call_type": "outgoing", "name": "Sam"},
            "Outgoing call to Sam (+32 470 00 00 02)",
        ),
        (
            EVENT_WHATSAPP_RECEIVED,
            {"number": "Shop", "message": "Ready", "voice": True, "name": None},
            "WhatsApp voice message from Shop: Ready",
        ),
        (
            EVENT_WHATSAPP_RECEIVED,
            {"number": "+1", "message": "Yo", "voice": False, "name": None},
            "WhatsApp from +1: Yo",
        ),
    ]
    for event_type, data, expected in cases:
        describer = describers[event_type]
        assert callable(describer)
        assert describer(Event(event_type, data))[LOGBOOK_ENTRY_MESSAGE] == expected


async def test_logbook_lines_name_the_provider_and_show_an_icon(hass: HomeAssistant) -> None:
    """A CALLR SMS is CALLR's line, not SMSMobileAPI's; each kind of line has its icon."""
    describers = _describers(hass)
    cases = [
        (EVENT_SMS_RECEIVED, {"provider": "callr", "number": "+1"}, "CALLR", "mdi:message-text"),
        (EVENT_SMS_RECEIVED, {"provider": "smsmobileapi"}, "SMSMobileAPI", "mdi:message-text"),
        (EVENT_SMS_RECEIVED, {"provider": "forged"}, "SMSMobileAPI", "mdi:message-text"),
        (EVENT_CALL, {"call_type": "missed"}, "SMSMobileAPI", "mdi:phone-missed"),
        (EVENT_CALL, {"call_type": "incoming"}, "SMSMobileAPI", "mdi:phone-incoming"),
        (EVENT_CALL, {"call_type": "outgoing"}, "SMSMobileAPI", "mdi:phone-outgoing"),
        (EVENT_CALL, {"call_type": "other"}, "SMSMobileAPI", "mdi:phone"),
        (EVENT_WHATSAPP_RECEIVED, {"provider": "smsmobileapi"}, "SMSMobileAPI", "mdi:whatsapp"),
    ]
    for event_type, data, name, icon in cases:
        describer = describers[event_type]
        assert callable(describer)
        line = describer(Event(event_type, data))
        assert (line[LOGBOOK_ENTRY_NAME], line[LOGBOOK_ENTRY_ICON]) == (name, icon), data
