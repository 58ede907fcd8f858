"""Actions: send messages, manage received messages and phones, read logs and conversations.

Registered once in ``async_setup``; each call names its config entry (or uses the only loaded one).
Bad input raises a translated ``ServiceValidationError`` before anything is sent; a failure of the
service raises a translated ``HomeAssistantError``. No credential ever reaches a response, a log
line or an error: responses are built field by field from the client's typed models.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

import aiohttp
from homeassistant.config_entries import ConfigEntry, ConfigEntryState
from homeassistant.const import ATTR_CONFIG_ENTRY_ID
from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
    callback,
)
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import config_validation as cv, device_registry as dr
from homeassistant.util import dt as dt_util
from homeassistant.util.json import JsonObjectType, JsonValueType
import voluptuous as vol

from .api import (
    CALLS_DEFAULT_LIMIT,
    CALLS_MAX_LIMIT,
    CALLS_SORT_FIELDS,
    MISSED_CALLS_DEFAULT_LIMIT,
    MISSED_CALLS_MAX_LIMIT,
    Call,
    CallType,
    Capability,
    Channel,
    Conversation,
    ConversationOrigin,
    ReceivedSms,
    SendResult,
    SmsMobileApiAuthenticationError,
    SmsMobileApiClient,
    SmsMobileApiConnectionError,
    SmsMobileApiError,
    SmsMobileApiRateLimitError,
    SmsMobileApiSubscriptionExpiredError,
    SmsMobileApiTimeoutError,
)
from .api.parsing import optional_bool, optional_int, optional_str, parse_time
from .const import CONF_DEFAULT_CHANNEL, CONF_DEFAULT_SIM, DOMAIN
from .coordinator import SmsMobileApiConfigEntry
from .identifiers import phone_device_identifier, phone_identifier
from .phone_numbers import InvalidPhoneNumberError, same_number, to_e164, whatsapp_number

# Recipient subentries (one notify entity each).
SUBENTRY_RECIPIENT: Final = "recipient"
CONF_NUMBER: Final = "number"
CONF_CHANNEL: Final = "channel"
CONF_PHONE: Final = "phone"
CONF_SIM: Final = "sim"

# At most this many requests of one action call are in flight at once.
MAX_PARALLEL_REQUESTS: Final = 10

SERVICE_SEND_MESSAGE: Final = "send_message"
SERVICE_RESEND_MESSAGE: Final = "resend_message"
SERVICE_MARK_AS_READ: Final = "mark_as_read"
SERVICE_SET_ALIAS: Final = "set_alias"
SERVICE_DELETE_MESSAGES: Final = "delete_messages"
SERVICE_RENAME_PHONE: Final = "rename_phone"
SERVICE_REMOVE_PHONE: Final = "remove_phone"
SERVICE_GET_CONVERSATIONS: Final = "get_conversations"
SERVICE_GET_CALLS: Final = "get_calls"
SERVICE_GET_SENT_MESSAGES: Final = "get_sent_messages"
SERVICE_GET_RECEIVED_MESSAGES: Final = "get_received_messages"

ATTR_RECIPIENTS: Final = "recipients"
ATTR_MESSAGE: Final = "message"
ATTR_CHANNEL: Final = "channel"
ATTR_PHONE: Final = "phone"
ATTR_SIM: Final = "sim"
ATTR_SCHEDULE: Final = "schedule"
ATTR_SHORTEN_URLS: Final = "shorten_urls"
ATTR_ENCRYPT: Final = "encrypt"
ATTR_MEDIA_URL: Final = "media_url"
ATTR_GUID: Final = "guid"
ATTR_ALIAS: Final = "alias"
ATTR_DATE_START: Final = "date_start"
ATTR_DATE_END: Final = "date_end"
ATTR_LABEL: Final = "label"
ATTR_ORIGIN: Final = "origin"
ATTR_NUMBER: Final = "number"
ATTR_DATE_FROM: Final = "date_from"
ATTR_DATE_TO: Final = "date_to"
ATTR_LIMIT: Final = "limit"
ATTR_SUMMARY: Final = "summary"
ATTR_SUMMARY_LINES: Final = "summary_lines"
ATTR_CALL_TYPE: Final = "call_type"
ATTR_SEARCH: Final = "search"
ATTR_OFFSET: Final = "offset"
ATTR_SORT_BY: Final = "sort_by"
ATTR_SORT_DIR: Final = "sort_dir"
ATTR_KEYWORD: Final = "keyword"
ATTR_ERRORS_ONLY: Final = "errors_only"
ATTR_UNREAD_ONLY: Final = "unread_only"
ATTR_SINCE: Final = "since"

STATUS_QUEUED: Final = "queued"
STATUS_SCHEDULED: Final = "scheduled"

_NONE: Final = "-"
_SIM_SLOTS: Final = (1, 2)
_ENTRY_ID = vol.Optional(ATTR_CONFIG_ENTRY_ID)
_POSITIVE = vol.All(vol.Coerce(int), vol.Range(min=1))

SEND_MESSAGE_SCHEMA: Final = vol.Schema(
    {
        _ENTRY_ID: cv.string,
        vol.Required(ATTR_RECIPIENTS): vol.All(cv.ensure_list_csv, [cv.string], vol.Length(min=1)),
        vol.Required(ATTR_MESSAGE): cv.string,
        vol.Optional(ATTR_CHANNEL): vol.In([channel.value for channel in Channel]),
        vol.Optional(ATTR_PHONE): cv.string,
        vol.Optional(ATTR_SIM): vol.All(vol.Coerce(int), vol.In(_SIM_SLOTS)),
        vol.Optional(ATTR_SCHEDULE): cv.datetime,
        vol.Optional(ATTR_SHORTEN_URLS, default=False): cv.boolean,
        vol.Optional(ATTR_ENCRYPT, default=False): cv.boolean,
        vol.Optional(ATTR_MEDIA_URL): cv.string,
    }
)
RESEND_MESSAGE_SCHEMA: Final = vol.Schema(
    {_ENTRY_ID: cv.string, vol.Required(ATTR_GUID): cv.string}
)
MARK_AS_READ_SCHEMA: Final = vol.Schema(
    {
        _ENTRY_ID: cv.string,
        vol.Required(ATTR_GUID): vol.All(cv.ensure_list, [cv.string], vol.Length(min=1)),
    }
)
SET_ALIAS_SCHEMA: Final = vol.Schema(
    {
        _ENTRY_ID: cv.string,
        vol.Required(ATTR_GUID): cv.string,
        vol.Optional(ATTR_ALIAS, default=""): vol.Any(None, cv.string),
    }
)
DELETE_MESSAGES_SCHEMA: Final = vol.Schema(
    {
        _ENTRY_ID: cv.string,
        vol.Optional(ATTR_GUID): cv.string,
        vol.Optional(ATTR_DATE_START): cv.date,
        vol.Optional(ATTR_DATE_END): cv.date,
    }
)
RENAME_PHONE_SCHEMA: Final = vol.Schema(
    {
        _ENTRY_ID: cv.string,
        vol.Required(ATTR_PHONE): cv.string,
        vol.Required(ATTR_LABEL): cv.string,
    }
)
REMOVE_PHONE_SCHEMA: Final = vol.Schema({_ENTRY_ID: cv.string, vol.Required(ATTR_PHONE): cv.string})
GET_CONVERSATIONS_SCHEMA: Final = vol.Schema(
    {
        _ENTRY_ID: cv.string,
        vol.Optional(ATTR_ORIGIN, default=ConversationOrigin.RECEIVED.value): vol.In(
            [origin.value for origin in ConversationOrigin]
        ),
        vol.Optional(ATTR_NUMBER): cv.string,
        vol.Optional(ATTR_DATE_FROM): cv.datetime,
        vol.Optional(ATTR_DATE_TO): cv.datetime,
        vol.Optional(ATTR_LIMIT): _POSITIVE,
        vol.Optional(ATTR_SUMMARY): cv.boolean,
        vol.Optional(ATTR_SUMMARY_LINES): _POSITIVE,
    }
)


def _check_calls_query(data: dict[str, Any]) -> dict[str, Any]:
    """The documented limits and options of each call log, checked before any request."""
    if data[ATTR_CALL_TYPE] == CallType.MISSED:
        for key in (ATTR_SORT_BY, ATTR_SORT_DIR):
            if key in data:
                raise vol.Invalid(f"{key} applies to incoming and outgoing calls only", path=[key])
    elif data.get(ATTR_LIMIT, 0) > CALLS_MAX_LIMIT:
        raise vol.Invalid(
            f"limit is at most {CALLS_MAX_LIMIT} for incoming and outgoing calls",
            path=[ATTR_LIMIT],
        )
    return data


GET_CALLS_SCHEMA: Final = vol.All(
    vol.Schema(
        {
            _ENTRY_ID: cv.string,
            vol.Required(ATTR_CALL_TYPE): vol.In([call_type.value for call_type in CallType]),
            vol.Optional(ATTR_SEARCH): cv.string,
            vol.Optional(ATTR_DATE_FROM): cv.datetime,
            vol.Optional(ATTR_DATE_TO): cv.datetime,
            vol.Optional(ATTR_LIMIT): vol.All(
                vol.Coerce(int), vol.Range(min=1, max=MISSED_CALLS_MAX_LIMIT)
            ),
            vol.Optional(ATTR_OFFSET, default=0): vol.All(vol.Coerce(int), vol.Range(min=0)),
            vol.Optional(ATTR_SORT_BY): vol.In(sorted(CALLS_SORT_FIELDS)),
            vol.Optional(ATTR_SORT_DIR): vol.In(["asc", "desc"]),
        }
    ),
    _check_calls_query,
)
GET_SENT_MESSAGES_SCHEMA: Final = vol.Schema(
    {
        _ENTRY_ID: cv.string,
        vol.Optional(ATTR_GUID): cv.string,
        vol.Optional(ATTR_KEYWORD): cv.string,
        vol.Optional(ATTR_ERRORS_ONLY, default=False): cv.boolean,
    }
)
GET_RECEIVED_MESSAGES_SCHEMA: Final = vol.Schema(
    {
        _ENTRY_ID: cv.string,
        vol.Optional(ATTR_NUMBER): cv.string,
        vol.Optional(ATTR_UNREAD_ONLY, default=False): cv.boolean,
        vol.Optional(ATTR_SINCE): cv.datetime,
    }
)


# --- entry, phone and input checks ------------------------------------------------------------


def _invalid(key: str, **placeholders: str) -> ServiceValidationError:
    return ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key=key,
        translation_placeholders=placeholders or None,
    )


def _failed(key: str, **placeholders: str) -> HomeAssistantError:
    return HomeAssistantError(
        translation_domain=DOMAIN,
        translation_key=key,
        translation_placeholders=placeholders or None,
    )


@callback
def async_get_entry(hass: HomeAssistant, entry_id: str | None) -> SmsMobileApiConfigEntry:
    """The loaded entry with this id; without an id, the only loaded entry."""
    if entry_id is None:
        loaded: list[SmsMobileApiConfigEntry] = hass.config_entries.async_loaded_entries(DOMAIN)
        if len(loaded) == 1:
            return loaded[0]
        raise _invalid("config_entry_required" if loaded else "no_loaded_entry")
    entry: SmsMobileApiConfigEntry | None = hass.config_entries.async_get_entry(entry_id)
    if entry is None or entry.domain != DOMAIN:
        raise _invalid("config_entry_not_found", config_entry_id=entry_id)
    if entry.state is not ConfigEntryState.LOADED:
        raise _invalid("config_entry_not_loaded", title=entry.title)
    return entry


@callback
def _entry_of_call(hass: HomeAssistant, call: ServiceCall) -> SmsMobileApiConfigEntry:
    """The call's entry; without one, the entry of the chosen phone device, if any."""
    entry_id: str | None = call.data.get(ATTR_CONFIG_ENTRY_ID)
    if entry_id is None and (phone := call.data.get(ATTR_PHONE)) is not None:
        device = dr.async_get(hass).async_get(phone)
        if device is not None:
            owners = [
                entry
                for entry in hass.config_entries.async_loaded_entries(DOMAIN)
                if entry.entry_id in device.config_entries
            ]
            if len(owners) == 1:
                return owners[0]
    return async_get_entry(hass, entry_id)


@callback
def async_resolve_phone(hass: HomeAssistant, entry: SmsMobileApiConfigEntry, phone: str) -> str:
    """The SMSMobileAPI id of a connected phone, given its device id (or its own id)."""
    sid: str | None = None
    device = dr.async_get(hass).async_get(phone)
    if device is not None and entry.entry_id in device.config_entries:
        sid = next(
            (
                found
                for domain, identifier in device.identifiers
                if domain == DOMAIN and (found := phone_identifier(identifier)) is not None
            ),
            None,
        )
    elif phone in entry.runtime_data.coordinator.data.phones:
        sid = phone
    if sid is None:
        raise _invalid("unknown_phone", phone=phone, title=entry.title)
    async_check_phone_connected(entry, sid, device.name if device else None)
    return sid


@callback
def async_check_phone_connected(
    entry: SmsMobileApiConfigEntry, sid: str, name: str | None = None
) -> None:
    """Refuse a phone that is not (or no longer) connected to the account."""
    phones = entry.runtime_data.coordinator.data.phones
    if sid not in phones:
        raise _invalid("phone_not_connected", phone=name or sid, title=entry.title)


def entry_devices(hass: HomeAssistant, entry: ConfigEntry, identifier: str) -> list[dr.DeviceEntry]:
    """The entry's device with this identifier, if any (identifiers are unique per entry)."""
    wanted = (DOMAIN, identifier)
    return [
        device
        for device in dr.async_entries_for_config_entry(dr.async_get(hass), entry.entry_id)
        if wanted in device.identifiers
    ]


def _phone_device_ids(hass: HomeAssistant, entry: SmsMobileApiConfigEntry) -> dict[str, str]:
    """The Home Assistant device id of each phone of the entry, by SMSMobileAPI phone id."""
    devices: dict[str, str] = {}
    for device in dr.async_entries_for_config_entry(dr.async_get(hass), entry.entry_id):
        for domain, identifier in device.identifiers:
            if domain == DOMAIN and (sid := phone_identifier(identifier)) is not None:
                devices[sid] = device.id
    return devices


def _management_client(entry: SmsMobileApiConfigEntry) -> SmsMobileApiClient:
    """The SMSMobileAPI client: only it has the management and log endpoints."""
    client = entry.runtime_data.client
    if not isinstance(client, SmsMobileApiClient):
        raise _invalid("action_not_supported", title=entry.title)
    return client


def check_message(message: str) -> str:
    """The text to send; refuse an empty one."""
    if not message.strip():
        raise _invalid("empty_message")
    return message


def normalize_number(hass: HomeAssistant, number: str) -> str:
    """E.164 form of a number; a national number is read in Home Assistant's country."""
    try:
        return to_e164(number, hass.config.country)
    except InvalidPhoneNumberError as err:
        raise _invalid("invalid_number", number=number) from err


def normalize_recipients(hass: HomeAssistant, numbers: Iterable[str]) -> list[str]:
    """Valid E.164 numbers in the order given, each once; refuse any invalid one."""
    recipients: list[str] = []
    for number in numbers:
        if not number.strip():
            continue
        e164 = normalize_number(hass, number)
        if e164 not in recipients:
            recipients.append(e164)
    if not recipients:
        raise _invalid("no_recipients")
    return recipients


def _filter_number(hass: HomeAssistant, number: str) -> str:
    """A number filter in E.164 when it is a phone number, else as typed (a sender name)."""
    try:
        return to_e164(number, hass.config.country)
    except InvalidPhoneNumberError:
        return number.strip()


# --- sending -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class OutgoingMessage:
    """One text and how to send it; recipients are E.164 numbers."""

    text: str
    channel: Channel = Channel.SMS
    phone: str | None = None
    sim: int | None = None
    schedule_at: datetime | None = None
    shorten_urls: bool = False
    encrypt: bool = False
    media_url: str | None = None


@dataclass(frozen=True, slots=True)
class _Outcome:
    recipient: str
    result: SendResult | None = None
    error: SmsMobileApiError | None = None


@callback
def async_check_outgoing(entry: SmsMobileApiConfigEntry, outgoing: OutgoingMessage) -> None:
    """Refuse what the account cannot send, before anything is sent."""
    check_message(outgoing.text)
    needed = {
        Channel.SMS: {Capability.SEND_SMS},
        Channel.WHATSAPP: {Capability.SEND_WHATSAPP},
        Channel.SMS_WHATSAPP: {Capability.SEND_SMS, Capability.SEND_WHATSAPP},
    }[outgoing.channel]
    if not needed <= entry.runtime_data.client.capabilities:
        raise _invalid("channel_not_supported", channel=outgoing.channel.value, title=entry.title)
    if outgoing.media_url is not None:
        if outgoing.channel is Channel.SMS:
            raise _invalid("media_url_needs_whatsapp")
        if not outgoing.media_url.startswith("https://"):
            raise _invalid("media_url_not_https", media_url=outgoing.media_url)
    if outgoing.schedule_at is not None and outgoing.schedule_at < dt_util.utcnow():
        raise _invalid(
            "schedule_in_past",
            schedule=dt_util.as_local(outgoing.schedule_at).isoformat(timespec="minutes"),
        )
    if outgoing.phone is not None:
        async_check_phone_connected(entry, outgoing.phone)


def default_channel(entry: SmsMobileApiConfigEntry) -> Channel:
    """The channel of the entry's options, used when an action gives none (SMS by default)."""
    try:
        return Channel(entry.options.get(CONF_DEFAULT_CHANNEL, Channel.SMS))
    except ValueError:
        return Channel.SMS


def default_sim(entry: SmsMobileApiConfigEntry) -> int | None:
    """The SIM of the entry's options, used when neither the action nor the recipient gives one.

    None (the phone's own choice) unless the options name SIM 1 or 2.
    """
    sim = optional_int(entry.options.get(CONF_DEFAULT_SIM))
    return sim if sim in _SIM_SLOTS else None


def _wire_number(e164: str, channel: Channel) -> str:
    """WhatsApp alone wants country code and number without "+"; an SMS needs the "+"."""
    return whatsapp_number(e164) if channel is Channel.WHATSAPP else e164


def _may_have_been_sent(error: SmsMobileApiError) -> bool:
    """A request that got no answer may have reached the service (never retry it)."""
    if isinstance(error, SmsMobileApiTimeoutError):
        return True
    return isinstance(error, SmsMobileApiConnectionError) and not isinstance(
        error.__cause__, aiohttp.ClientConnectorError
    )


def _account_wide(error: SmsMobileApiError) -> bool:
    """Errors that every further request would get too."""
    return isinstance(
        error,
        SmsMobileApiAuthenticationError
        | SmsMobileApiSubscriptionExpiredError
        | SmsMobileApiRateLimitError,
    )


async def async_send_message(
    hass: HomeAssistant,
    entry: SmsMobileApiConfigEntry,
    recipients: Sequence[str],
    outgoing: OutgoingMessage,
) -> list[JsonObjectType]:
    """Send one message to each recipient, a few at a time; never retried.

    Returns one acknowledgement per recipient, in order. When any recipient was not sent,
    raises a translated ``HomeAssistantError`` that tells which were sent, which were not and
    which may have been (no answer in time).
    """
    client = entry.runtime_data.client
    semaphore = asyncio.Semaphore(MAX_PARALLEL_REQUESTS)
    stopped: list[SmsMobileApiError] = []

    async def _send(recipient: str) -> _Outcome:
        async with semaphore:
            if stopped:
                return _Outcome(recipient, error=stopped[0])
            try:
                result = await client.send_message(
                    _wire_number(recipient, outgoing.channel),
                    outgoing.text,
                    channel=outgoing.channel,
                    device_id=outgoing.phone,
                    sim=outgoing.sim,
                    schedule_at=outgoing.schedule_at,
                    shorten_urls=outgoing.shorten_urls,
                    encrypt=outgoing.encrypt,
                    media_url=outgoing.media_url,
                )
            except SmsMobileApiError as err:
                if _account_wide(err):
                    stopped.append(err)
                return _Outcome(recipient, error=err)
            return _Outcome(recipient, result=result)

    outcomes = await asyncio.gather(*(_send(recipient) for recipient in recipients))
    failed = [outcome for outcome in outcomes if outcome.result is None]
    if failed:
        if any(isinstance(o.error, SmsMobileApiAuthenticationError) for o in failed):
            entry.async_start_reauth(hass)
        uncertain = [o for o in failed if o.error is not None and _may_have_been_sent(o.error)]
        not_sent = [o for o in failed if o not in uncertain]
        raise _failed(
            "send_failed",
            sent=", ".join(o.recipient for o in outcomes if o.result is not None) or _NONE,
            not_sent="; ".join(f"{o.recipient} ({o.error})" for o in not_sent) or _NONE,
            unknown=", ".join(o.recipient for o in uncertain) or _NONE,
        )
    status = STATUS_QUEUED if outgoing.schedule_at is None else STATUS_SCHEDULED
    return [
        {"recipient": outcome.recipient, "guid": outcome.result.guid, "status": status}
        for outcome in outcomes
        if outcome.result is not None
    ]


# --- errors of the other actions ---------------------------------------------------------------


def _api_error(
    hass: HomeAssistant,
    entry: SmsMobileApiConfigEntry,
    error: SmsMobileApiError,
    key: str,
    placeholders: Mapping[str, str],
) -> HomeAssistantError:
    """A translated error for a failed request; rejected credentials also start a reauth."""
    if isinstance(error, SmsMobileApiAuthenticationError):
        entry.async_start_reauth(hass)
        return _failed("invalid_auth")
    if isinstance(error, SmsMobileApiSubscriptionExpiredError):
        return _failed("subscription_expired")
    if isinstance(error, SmsMobileApiRateLimitError):
        return _failed("action_rate_limited")
    return _failed(key, **placeholders, error=str(error))


async def _request[T](
    hass: HomeAssistant,
    entry: SmsMobileApiConfigEntry,
    request: Awaitable[T],
    key: str,
    **placeholders: str,
) -> T:
    try:
        return await request
    except SmsMobileApiError as err:
        raise _api_error(hass, entry, err, key, placeholders) from err


# --- handlers ----------------------------------------------------------------------------------


async def _async_send_message(call: ServiceCall) -> ServiceResponse:
    hass = call.hass
    entry = _entry_of_call(hass, call)
    data = call.data
    schedule: datetime | None = data.get(ATTR_SCHEDULE)
    outgoing = OutgoingMessage(
        text=data[ATTR_MESSAGE],
        channel=Channel(data[ATTR_CHANNEL]) if ATTR_CHANNEL in data else default_channel(entry),
        phone=async_resolve_phone(hass, entry, data[ATTR_PHONE]) if ATTR_PHONE in data else None,
        sim=data.get(ATTR_SIM) or default_sim(entry),
        schedule_at=dt_util.as_utc(schedule) if schedule is not None else None,
        shorten_urls=data[ATTR_SHORTEN_URLS],
        encrypt=data[ATTR_ENCRYPT],
        media_url=data.get(ATTR_MEDIA_URL),
    )
    async_check_outgoing(entry, outgoing)
    recipients = normalize_recipients(hass, data[ATTR_RECIPIENTS])
    messages = await async_send_message(hass, entry, recipients, outgoing)
    return {"messages": list[JsonValueType](messages)}


async def _async_resend_message(call: ServiceCall) -> None:
    entry = _entry_of_call(call.hass, call)
    guid: str = call.data[ATTR_GUID]
    client = _management_client(entry)
    await _request(call.hass, entry, client.resend(guid), "resend_failed", guid=guid)


async def _async_mark_as_read(call: ServiceCall) -> None:
    hass = call.hass
    entry = _entry_of_call(hass, call)
    client = _management_client(entry)
    guids: list[str] = list(dict.fromkeys(call.data[ATTR_GUID]))
    semaphore = asyncio.Semaphore(MAX_PARALLEL_REQUESTS)

    async def _mark(guid: str) -> SmsMobileApiError | None:
        async with semaphore:
            try:
                await client.mark_read(guid)
            except SmsMobileApiError as err:
                return err
        entry.runtime_data.coordinator.mark_read(guid)
        return None

    errors = await asyncio.gather(*(_mark(guid) for guid in guids))
    failed = [(guid, error) for guid, error in zip(guids, errors, strict=True) if error]
    if not failed:
        return
    if account_wide := next((error for _, error in failed if _account_wide(error)), None):
        raise _api_error(hass, entry, account_wide, "mark_as_read_failed", {})
    raise _failed(
        "mark_as_read_failed",
        done=", ".join(guid for guid, error in zip(guids, errors, strict=True) if not error)
        or _NONE,
        failed="; ".join(f"{guid} ({error})" for guid, error in failed),
    )


async def _async_set_alias(call: ServiceCall) -> None:
    entry = _entry_of_call(call.hass, call)
    guid: str = call.data[ATTR_GUID]
    alias: str = (call.data[ATTR_ALIAS] or "").strip()
    client = _management_client(entry)
    await _request(call.hass, entry, client.set_alias(guid, alias), "set_alias_failed", guid=guid)


async def _async_delete_messages(call: ServiceCall) -> None:
    entry = _entry_of_call(call.hass, call)
    data = call.data
    guid: str | None = data.get(ATTR_GUID)
    start = data.get(ATTR_DATE_START)
    end = data.get(ATTR_DATE_END)
    if guid is not None and (start is not None or end is not None):
        raise _invalid("delete_guid_or_dates")
    if guid is None and start is None:
        raise _invalid("delete_needs_target")
    if start is not None and end is not None and end < start:
        raise _invalid("invalid_date_range", start=start.isoformat(), end=end.isoformat())
    client = _management_client(entry)
    await _request(
        call.hass,
        entry,
        client.delete_received_sms(guid=guid, date_start=start, date_end=end),
        "delete_failed",
    )
    if guid is not None:
        entry.runtime_data.coordinator.mark_read(guid)


async def _async_rename_phone(call: ServiceCall) -> None:
    hass = call.hass
    entry = _entry_of_call(hass, call)
    sid = async_resolve_phone(hass, entry, call.data[ATTR_PHONE])
    label: str = call.data[ATTR_LABEL].strip()
    client = _management_client(entry)
    await _request(
        hass, entry, client.update_phone(sid, label=label), "rename_phone_failed", phone=sid
    )
    for device in entry_devices(hass, entry, phone_device_identifier(sid)):
        dr.async_get(hass).async_update_device(device.id, name=label or sid)
    entry.runtime_data.coordinator.async_phone_renamed(sid, label)


async def _async_remove_phone(call: ServiceCall) -> None:
    hass = call.hass
    entry = _entry_of_call(hass, call)
    sid = async_resolve_phone(hass, entry, call.data[ATTR_PHONE])
    client = _management_client(entry)
    await _request(hass, entry, client.delete_phone(sid), "remove_phone_failed", phone=sid)
    for device in entry_devices(hass, entry, phone_device_identifier(sid)):
        dr.async_get(hass).async_update_device(device.id, remove_config_entry_id=entry.entry_id)
    entry.runtime_data.coordinator.async_phone_removed(sid)


def _check_range(start: datetime | None, end: datetime | None) -> None:
    if start is not None and end is not None and end < start:
        raise _invalid("invalid_date_range", start=start.isoformat(), end=end.isoformat())


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _conversation_json(conversation: Conversation, devices: Mapping[str, str]) -> JsonObjectType:
    return {
        "number": conversation.number,
        "alias": conversation.alias,
        "messages": [
            {
                "direction": message.direction,
                "message": message.message,
                "sent_at": _iso(message.sent_at),
                "message_id": message.message_id,
                "status": message.status,
                "device_id": devices.get(message.device_id) if message.device_id else None,
            }
            for message in conversation.messages
        ],
    }


async def _async_get_conversations(call: ServiceCall) -> ServiceResponse:
    hass = call.hass
    entry = _entry_of_call(hass, call)
    data = call.data
    start, end = _as_utc(data.get(ATTR_DATE_FROM)), _as_utc(data.get(ATTR_DATE_TO))
    _check_range(start, end)
    summary_lines: int | None = data.get(ATTR_SUMMARY_LINES)
    if not data.get(ATTR_SUMMARY, summary_lines is not None):
        summary_lines = None
    elif summary_lines is None:
        summary_lines = 1
    number: str | None = data.get(ATTR_NUMBER)
    client = _management_client(entry)
    conversations = await _request(
        hass,
        entry,
        client.get_conversations(
            ConversationOrigin(data[ATTR_ORIGIN]),
            number=_filter_number(hass, number) if number else None,
            date_from=start,
            date_to=end,
            limit=data.get(ATTR_LIMIT),
            summary_lines=summary_lines,
        ),
        "get_conversations_failed",
    )
    devices = _phone_device_ids(hass, entry)
    return {"conversations": [_conversation_json(item, devices) for item in conversations]}


def _as_utc(moment: datetime | None) -> datetime | None:
    return dt_util.as_utc(moment) if moment is not None else None


def _call_json(call: Call) -> JsonObjectType:
    return {
        "call_type": call.call_type.value,
        "number": call.number,
        "name": call.name,
        "call_at": call.call_at.isoformat(),
        "duration": call.duration,
        "geo_location": call.geo_location,
    }


async def _async_get_calls(call: ServiceCall) -> ServiceResponse:
    hass = call.hass
    entry = _entry_of_call(hass, call)
    data = call.data
    call_type = CallType(data[ATTR_CALL_TYPE])
    start, end = _as_utc(data.get(ATTR_DATE_FROM)), _as_utc(data.get(ATTR_DATE_TO))
    _check_range(start, end)
    client = _management_client(entry)
    request: Awaitable[tuple[Call, ...]]
    if call_type is CallType.MISSED:
        request = client.get_missed_calls(
            limit=data.get(ATTR_LIMIT, MISSED_CALLS_DEFAULT_LIMIT),
            offset=data[ATTR_OFFSET],
            search=data.get(ATTR_SEARCH),
            date_start=start.date() if start is not None else None,
            date_end=end.date() if end is not None else None,
        )
    else:
        request = client.get_answered_calls(
            call_type,
            limit=data.get(ATTR_LIMIT, CALLS_DEFAULT_LIMIT),
            offset=data[ATTR_OFFSET],
            sort_by=data.get(ATTR_SORT_BY, "call_date_ms"),
            sort_dir=data.get(ATTR_SORT_DIR, "desc"),
            since=start,
            until=end,
            query=data.get(ATTR_SEARCH),
        )
    calls = await _request(hass, entry, request, "get_calls_failed")
    # The missed-call log filters whole (UTC) days: keep the exact period asked for.
    return {
        "calls": [
            _call_json(item)
            for item in calls
            if (start is None or item.call_at >= start) and (end is None or item.call_at <= end)
        ]
    }


def _sent_json(row: Mapping[str, Any], devices: Mapping[str, str]) -> JsonObjectType:
    """A row of the sent log, typed; only the fields listed here ever leave."""
    sid = optional_str(row.get("sIdentifiant"))
    error = None
    if optional_bool(row.get("error_api")):
        error = "api"
    elif optional_bool(row.get("error_mobile")):
        error = "mobile"
    return {
        "guid": optional_str(row.get("guid") or row.get("guid_message") or row.get("id")),
        "recipients": optional_str(row.get("recipients") or row.get("number")),
        "message": optional_str(row.get("message")) or "",
        "status": optional_str(row.get("status")),
        "sent_at": _iso(parse_time(row.get("timestamp_unix") or row.get("date"))),
        "device_id": devices.get(sid) if sid else None,
        "sim": optional_int(row.get("port")),
        "whatsapp": bool(optional_bool(row.get("send_with_whatsapp"))),
        "error": error,
    }


async def _async_get_sent_messages(call: ServiceCall) -> ServiceResponse:
    hass = call.hass
    entry = _entry_of_call(hass, call)
    data = call.data
    client = _management_client(entry)
    guid: str | None = data.get(ATTR_GUID)
    keyword: str | None = data.get(ATTR_KEYWORD)
    if data[ATTR_ERRORS_ONLY]:
        # The log filters one error source per request: ask for both and merge them.
        api_rows, mobile_rows = await _request(
            hass,
            entry,
            asyncio.gather(
                client.get_sent_log(guid=guid, keyword=keyword, api_errors_only=True),
                client.get_sent_log(guid=guid, keyword=keyword, mobile_errors_only=True),
            ),
            "get_sent_messages_failed",
        )
        rows: Iterable[Mapping[str, Any]] = (*api_rows, *mobile_rows)
    else:
        rows = await _request(
            hass,
            entry,
            client.get_sent_log(guid=guid, keyword=keyword),
            "get_sent_messages_failed",
        )
    devices = _phone_device_ids(hass, entry)
    messages: dict[object, JsonObjectType] = {}
    for row in rows:
        message = _sent_json(row, devices)
        messages.setdefault(message["guid"] or id(row), message)
    ordered = sorted(messages.values(), key=lambda item: str(item["sent_at"] or ""), reverse=True)
    return {"messages": list[JsonValueType](ordered)}


def _received_json(sms: ReceivedSms, devices: Mapping[str, str]) -> JsonObjectType:
    return {
        "guid": sms.guid,
        "number": sms.number,
        "message": sms.message,
        "alias": sms.alias,
        "received_at": sms.received_at.isoformat(),
        "device_id": devices.get(sms.device_id) if sms.device_id else None,
    }


async def _async_get_received_messages(call: ServiceCall) -> ServiceResponse:
    hass = call.hass
    entry = _entry_of_call(hass, call)
    data = call.data
    since = _as_utc(data.get(ATTR_SINCE))
    client = entry.runtime_data.client
    messages = await _request(
        hass,
        entry,
        client.get_received_sms(after=since, unread_only=data[ATTR_UNREAD_ONLY]),
        "get_received_messages_failed",
    )
    if (number := data.get(ATTR_NUMBER)) is not None:
        wanted = _filter_number(hass, number)
        messages = tuple(
            sms for sms in messages if same_number(sms.number, wanted, hass.config.country)
        )
    devices = _phone_device_ids(hass, entry)
    return {"messages": [_received_json(sms, devices) for sms in reversed(messages)]}


type _Handler = Callable[[ServiceCall], Coroutine[Any, Any, ServiceResponse]]
type _Schema = vol.Schema | vol.All[Any]

_SERVICES: Final[tuple[tuple[str, _Handler, _Schema, SupportsResponse], ...]] = (
    (SERVICE_SEND_MESSAGE, _async_send_message, SEND_MESSAGE_SCHEMA, SupportsResponse.OPTIONAL),
    (SERVICE_RESEND_MESSAGE, _async_resend_message, RESEND_MESSAGE_SCHEMA, SupportsResponse.NONE),
    (SERVICE_MARK_AS_READ, _async_mark_as_read, MARK_AS_READ_SCHEMA, SupportsResponse.NONE),
    (SERVICE_SET_ALIAS, _async_set_alias, SET_ALIAS_SCHEMA, SupportsResponse.NONE),
    (
        SERVICE_DELETE_MESSAGES,
        _async_delete_messages,
        DELETE_MESSAGES_SCHEMA,
        SupportsResponse.NONE,
    ),
    (SERVICE_RENAME_PHONE, _async_rename_phone, RENAME_PHONE_SCHEMA, SupportsResponse.NONE),
    (SERVICE_REMOVE_PHONE, _async_remove_phone, REMOVE_PHONE_SCHEMA, SupportsResponse.NONE),
    (
        SERVICE_GET_CONVERSATIONS,
        _async_get_conversations,
        GET_CONVERSATIONS_SCHEMA,
        SupportsResponse.ONLY,
    ),
    (SERVICE_GET_CALLS, _async_get_calls, GET_CALLS_SCHEMA, SupportsResponse.ONLY),
    (
        SERVICE_GET_SENT_MESSAGES,
        _async_get_sent_messages,
        GET_SENT_MESSAGES_SCHEMA,
        SupportsResponse.ONLY,
    ),
    (
        SERVICE_GET_RECEIVED_MESSAGES,
        _async_get_received_messages,
        GET_RECEIVED_MESSAGES_SCHEMA,
        SupportsResponse.ONLY,
    ),
)


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register the integration's actions (once, whatever the number of entries)."""
    for name, handler, schema, supports_response in _SERVICES:
        hass.services.async_register(
            DOMAIN, name, handler, schema=schema, supports_response=supports_response
        )
