"""Field names and schemas of the actions: every rule about the shape of a call lives here.

What depends only on the call's own fields (required fields, exclusive fields, ranges, a period
that ends before it starts) is refused by these schemas, before any handler runs; what depends on
live state (an unknown phone, what the account can send) is checked by the handlers.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any, Final

from homeassistant.const import ATTR_CONFIG_ENTRY_ID
from homeassistant.helpers import config_validation as cv
from homeassistant.util import dt as dt_util
import voluptuous as vol

from ..api import (
    CALLS_MAX_LIMIT,
    CALLS_SORT_FIELDS,
    MISSED_CALLS_MAX_LIMIT,
    CallType,
    Channel,
    ConversationOrigin,
)
from ..const import MAX_RECIPIENTS, SIM_SLOTS
from ..errors import validation_error
from ..phone_numbers import is_valid_sender

ATTR_RECIPIENTS: Final = "recipients"
ATTR_MESSAGE: Final = "message"
ATTR_CHANNEL: Final = "channel"
ATTR_PHONE: Final = "phone"
ATTR_SIM: Final = "sim"
ATTR_SCHEDULE: Final = "schedule"
ATTR_SHORTEN_URLS: Final = "shorten_urls"
ATTR_ENCRYPT: Final = "encrypt"
ATTR_MEDIA_URL: Final = "media_url"
ATTR_SENDER: Final = "sender"
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
ATTR_FROM_PHONE: Final = "from_phone"
ATTR_UNREAD_ONLY: Final = "unread_only"
ATTR_SINCE: Final = "since"

_ENTRY_ID = vol.Optional(ATTR_CONFIG_ENTRY_ID)
_POSITIVE = vol.All(vol.Coerce(int), vol.Range(min=1))

type Validator = Callable[[dict[str, Any]], dict[str, Any]]


def _moment(value: date) -> date | datetime:
    """Dates compare as they are; times in UTC (a naive time is in Home Assistant's zone)."""
    return dt_util.as_utc(value) if isinstance(value, datetime) else value


def period(start_key: str, end_key: str) -> Validator:
    """Refuse a period whose end comes before its start."""

    def validate(data: dict[str, Any]) -> dict[str, Any]:
        start, end = data.get(start_key), data.get(end_key)
        if start is not None and end is not None and _moment(end) < _moment(start):
            raise validation_error(
                "invalid_date_range",
                start=_moment(start).isoformat(),
                end=_moment(end).isoformat(),
            )
        return data

    return validate


def _bounded_recipients(recipients: list[str]) -> list[str]:
    """No more recipients than one call may reach."""
    if len(recipients) > MAX_RECIPIENTS:
        raise validation_error(
            "too_many_recipients", count=str(len(recipients)), maximum=str(MAX_RECIPIENTS)
        )
    return recipients


def _sender(sender: str) -> str:
    """A sender name (at most 11 letters, digits, spaces, - or _), an E.164 number, or empty.

    Empty overrides the entry's sender: the service picks a number (one people can reply to).
    """
    sender = sender.strip()
    if sender and not is_valid_sender(sender):
        raise validation_error("invalid_sender", sender=sender)
    return sender


def _one_message_or_period(data: dict[str, Any]) -> dict[str, Any]:
    """Deleting takes one message, or a period (a start and an optional end), never both."""
    has_dates = ATTR_DATE_START in data or ATTR_DATE_END in data
    if ATTR_GUID in data and has_dates:
        raise validation_error("delete_guid_or_dates")
    if ATTR_GUID not in data and ATTR_DATE_START not in data:
        raise validation_error("delete_needs_target")
    return data


def _sent_log_filters(data: dict[str, Any]) -> dict[str, Any]:
    """The log of SMS sent from the phone has no message ids and no error flags."""
    if data[ATTR_FROM_PHONE] and (ATTR_GUID in data or data[ATTR_ERRORS_ONLY]):
        raise validation_error("from_phone_filters")
    return data


def _calls_query(data: dict[str, Any]) -> dict[str, Any]:
    """The documented limits and options of each call log."""
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


SEND_MESSAGE: Final = vol.Schema(
    {
        _ENTRY_ID: cv.string,
        vol.Required(ATTR_RECIPIENTS): vol.All(
            cv.ensure_list_csv, [cv.string], vol.Length(min=1), _bounded_recipients
        ),
        vol.Required(ATTR_MESSAGE): cv.string,
        vol.Optional(ATTR_CHANNEL): vol.In([channel.value for channel in Channel]),
        vol.Optional(ATTR_PHONE): cv.string,
        vol.Optional(ATTR_SIM): vol.All(vol.Coerce(int), vol.In(SIM_SLOTS)),
        vol.Optional(ATTR_SCHEDULE): cv.datetime,
        vol.Optional(ATTR_SHORTEN_URLS, default=False): cv.boolean,
        vol.Optional(ATTR_ENCRYPT, default=False): cv.boolean,
        vol.Optional(ATTR_MEDIA_URL): cv.string,
        vol.Optional(ATTR_SENDER): vol.All(cv.string, _sender),
    }
)
RESEND_MESSAGE: Final = vol.Schema({_ENTRY_ID: cv.string, vol.Required(ATTR_GUID): cv.string})
MARK_AS_READ: Final = vol.Schema(
    {
        _ENTRY_ID: cv.string,
        vol.Required(ATTR_GUID): vol.All(cv.ensure_list, [cv.string], vol.Length(min=1)),
    }
)
SET_ALIAS: Final = vol.Schema(
    {
        _ENTRY_ID: cv.string,
        vol.Required(ATTR_GUID): cv.string,
        vol.Optional(ATTR_ALIAS, default=""): vol.Any(None, cv.string),
    }
)
DELETE_MESSAGES: Final = vol.All(
    vol.Schema(
        {
            _ENTRY_ID: cv.string,
            vol.Optional(ATTR_GUID): cv.string,
            vol.Optional(ATTR_DATE_START): cv.date,
            vol.Optional(ATTR_DATE_END): cv.date,
        }
    ),
    _one_message_or_period,
    period(ATTR_DATE_START, ATTR_DATE_END),
)
RENAME_PHONE: Final = vol.Schema(
    {
        _ENTRY_ID: cv.string,
        vol.Required(ATTR_PHONE): cv.string,
        vol.Required(ATTR_LABEL): cv.string,
    }
)
REMOVE_PHONE: Final = vol.Schema({_ENTRY_ID: cv.string, vol.Required(ATTR_PHONE): cv.string})
GET_CONVERSATIONS: Final = vol.All(
    vol.Schema(
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
    ),
    period(ATTR_DATE_FROM, ATTR_DATE_TO),
)
GET_CALLS: Final = vol.All(
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
    _calls_query,
    period(ATTR_DATE_FROM, ATTR_DATE_TO),
)
GET_SENT_MESSAGES: Final = vol.All(
    vol.Schema(
        {
            _ENTRY_ID: cv.string,
            vol.Optional(ATTR_GUID): cv.string,
            vol.Optional(ATTR_KEYWORD): cv.string,
            vol.Optional(ATTR_ERRORS_ONLY, default=False): cv.boolean,
            vol.Optional(ATTR_FROM_PHONE, default=False): cv.boolean,
        }
    ),
    _sent_log_filters,
)
GET_RECEIVED_MESSAGES: Final = vol.Schema(
    {
        _ENTRY_ID: cv.string,
        vol.Optional(ATTR_NUMBER): cv.string,
        vol.Optional(ATTR_UNREAD_ONLY, default=False): cv.boolean,
        vol.Optional(ATTR_SINCE): cv.datetime,
    }
)
