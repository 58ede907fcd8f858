"""Actions that read the account's logs: conversations, calls, sent and received messages.

Responses are built field by field from the client's typed models, so no credential and no wire
field ever leaves; a phone is given as its Home Assistant device id.
"""

from __future__ import annotations

from collections.abc import Awaitable, Mapping
from typing import TYPE_CHECKING

from homeassistant.core import HomeAssistant, ServiceCall, ServiceResponse
from homeassistant.util.json import JsonObjectType

from .. import api
from ..api import (
    CALLS_DEFAULT_LIMIT,
    MISSED_CALLS_DEFAULT_LIMIT,
    Call,
    CallType,
    Capability,
    ConversationOrigin,
    ReceivedSms,
    feature,
)
from ..devices import async_phone_devices
from ..errors import async_call_gateway, validation_error
from ..phone_numbers import same_number
from .common import as_utc, async_entry_of_call, filter_number, iso, require
from .schemas import (
    ATTR_CALL_TYPE,
    ATTR_DATE_FROM,
    ATTR_DATE_TO,
    ATTR_ERRORS_ONLY,
    ATTR_FROM_PHONE,
    ATTR_GUID,
    ATTR_KEYWORD,
    ATTR_LIMIT,
    ATTR_NUMBER,
    ATTR_OFFSET,
    ATTR_ORIGIN,
    ATTR_SEARCH,
    ATTR_SINCE,
    ATTR_SORT_BY,
    ATTR_SORT_DIR,
    ATTR_SUMMARY,
    ATTR_SUMMARY_LINES,
    ATTR_UNREAD_ONLY,
)

if TYPE_CHECKING:
    # Models of the logs: imported with the client that reads them (see ``api.models``).
    from ..api import Conversation, SentFromMobile, SentMessage


def _device_ids(hass: HomeAssistant, entry_id: str) -> dict[str, str]:
    """Home Assistant's device id of each phone of the entry, by the provider's phone id."""
    return {phone_id: device.id for phone_id, device in async_phone_devices(hass, entry_id).items()}


def _device_of(devices: Mapping[str, str], phone_id: str | None) -> str | None:
    return devices.get(phone_id) if phone_id else None


def _conversation_json(conversation: Conversation, devices: Mapping[str, str]) -> JsonObjectType:
    return {
        "number": conversation.number,
        "alias": conversation.alias,
        "messages": [
            {
                "direction": message.direction,
                "message": message.message,
                "sent_at": iso(message.sent_at),
                "message_id": message.message_id,
                "status": message.status,
                "device_id": _device_of(devices, message.phone_id),
            }
            for message in conversation.messages
        ],
    }


async def async_get_conversations(call: ServiceCall) -> ServiceResponse:
    """List conversations, optionally with only their latest lines."""
    hass = call.hass
    entry = async_entry_of_call(call)
    data = call.data
    summary_lines: int | None = data.get(ATTR_SUMMARY_LINES)
    if not data.get(ATTR_SUMMARY, summary_lines is not None):
        summary_lines = None
    elif summary_lines is None:
        summary_lines = 1
    number: str | None = data.get(ATTR_NUMBER)
    log = require(entry, feature(entry.runtime_data.client, Capability.CONVERSATIONS))
    conversations = await async_call_gateway(
        hass,
        entry,
        log.get_conversations(
            ConversationOrigin(data[ATTR_ORIGIN]),
            number=filter_number(hass, number) if number else None,
            date_from=as_utc(data.get(ATTR_DATE_FROM)),
            date_to=as_utc(data.get(ATTR_DATE_TO)),
            limit=data.get(ATTR_LIMIT),
            summary_lines=summary_lines,
        ),
        "get_conversations_failed",
    )
    devices = _device_ids(hass, entry.entry_id)
    return {"conversations": [_conversation_json(item, devices) for item in conversations]}


def _call_json(call: Call) -> JsonObjectType:
    return {
        "call_type": call.call_type.value,
        "number": call.number,
        "name": call.name,
        "call_at": call.call_at.isoformat(),
        "duration": call.duration,
        "geo_location": call.geo_location,
    }


async def async_get_calls(call: ServiceCall) -> ServiceResponse:
    """List calls of one log, within the period asked for."""
    hass = call.hass
    entry = async_entry_of_call(call)
    data = call.data
    call_type = CallType(data[ATTR_CALL_TYPE])
    start, end = as_utc(data.get(ATTR_DATE_FROM)), as_utc(data.get(ATTR_DATE_TO))
    log = require(entry, feature(entry.runtime_data.client, Capability.CALLS))
    request: Awaitable[tuple[Call, ...]]
    if call_type is CallType.MISSED:
        request = log.get_missed_calls(
            limit=data.get(ATTR_LIMIT, MISSED_CALLS_DEFAULT_LIMIT),
            offset=data[ATTR_OFFSET],
            search=data.get(ATTR_SEARCH),
            date_start=start.date() if start is not None else None,
            date_end=end.date() if end is not None else None,
        )
    else:
        request = log.get_answered_calls(
            call_type,
            limit=data.get(ATTR_LIMIT, CALLS_DEFAULT_LIMIT),
            offset=data[ATTR_OFFSET],
            sort_by=data.get(ATTR_SORT_BY, "call_date_ms"),
            sort_dir=data.get(ATTR_SORT_DIR, "desc"),
            since=start,
            until=end,
            query=data.get(ATTR_SEARCH),
        )
    calls = await async_call_gateway(hass, entry, request, "get_calls_failed")
    # The missed-call log filters whole (UTC) days: keep the exact period asked for.
    return {
        "calls": [
            _call_json(item)
            for item in calls
            if (start is None or item.call_at >= start) and (end is None or item.call_at <= end)
        ]
    }


def _sent_json(message: SentMessage, devices: Mapping[str, str]) -> JsonObjectType:
    return {
        "guid": message.guid,
        "recipients": message.recipients,
        "message": message.message,
        "status": message.status,
        "sent_at": iso(message.sent_at),
        "device_id": _device_of(devices, message.phone_id),
        "sim": message.sim,
        "whatsapp": message.whatsapp,
        "error": message.failure,
    }


def _as_sent_message(message: SentFromMobile) -> SentMessage:
    """An SMS sent from the phone, in the shape of the API's sent log (it has no id)."""
    return api.SentMessage(
        guid=None,
        recipients=message.number,
        message=message.message,
        status="sent",
        sent_at=message.sent_at,
        phone_id=message.phone_id,
    )


async def async_get_sent_messages(call: ServiceCall) -> ServiceResponse:
    """List sent messages, newest first: through the API, or from the phones themselves."""
    hass = call.hass
    entry = async_entry_of_call(call)
    data = call.data
    client = entry.runtime_data.client
    keyword: str | None = data.get(ATTR_KEYWORD)
    key = "get_sent_messages_failed"
    if data[ATTR_FROM_PHONE]:
        phone_log = require(entry, feature(client, Capability.SENT_FROM_PHONE))
        from_phone = await async_call_gateway(
            hass, entry, phone_log.get_sent_from_mobile(search=keyword), key
        )
        messages = tuple(_as_sent_message(item) for item in from_phone)
    else:
        log = require(entry, feature(client, Capability.SENT_LOG))
        messages = await async_call_gateway(
            hass,
            entry,
            log.get_sent_messages(
                guid=data.get(ATTR_GUID), keyword=keyword, errors_only=data[ATTR_ERRORS_ONLY]
            ),
            key,
        )
    devices = _device_ids(hass, entry.entry_id)
    ordered = sorted(messages, key=lambda item: iso(item.sent_at) or "", reverse=True)
    return {"messages": [_sent_json(item, devices) for item in ordered]}


def _received_json(sms: ReceivedSms, devices: Mapping[str, str]) -> JsonObjectType:
    return {
        "guid": sms.guid,
        "number": sms.number,
        "message": sms.message,
        "alias": sms.alias,
        "received_at": sms.received_at.isoformat(),
        "device_id": _device_of(devices, sms.phone_id),
    }


async def async_get_received_messages(call: ServiceCall) -> ServiceResponse:
    """List received SMS, newest first, optionally of one number or unread only."""
    hass = call.hass
    entry = async_entry_of_call(call)
    data = call.data
    client = entry.runtime_data.client
    if data[ATTR_UNREAD_ONLY] and Capability.READ_STATUS not in client.capabilities:
        raise validation_error("action_not_supported", title=entry.title)
    messages = await async_call_gateway(
        hass,
        entry,
        client.get_received_sms(
            after=as_utc(data.get(ATTR_SINCE)), unread_only=data[ATTR_UNREAD_ONLY]
        ),
        "get_received_messages_failed",
    )
    if (number := data.get(ATTR_NUMBER)) is not None:
        wanted = filter_number(hass, number)
        messages = tuple(
            sms for sms in messages if same_number(sms.number, wanted, hass.config.country)
        )
    devices = _device_ids(hass, entry.entry_id)
    return {"messages": [_received_json(sms, devices) for sms in reversed(messages)]}
