"""The integration's actions, registered once in ``async_setup`` whatever the number of entries.

Each call names its config entry (or uses the only loaded one). Schemas refuse malformed calls;
handlers refuse what live state forbids with a translated ``ServiceValidationError`` before any
request, and turn a failure of the service into a translated ``HomeAssistantError``.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any, Final

from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
    callback,
)
import voluptuous as vol

from ..const import DOMAIN
from . import logs, messages, phones, schemas

type _Handler = Callable[[ServiceCall], Coroutine[Any, Any, ServiceResponse]]
type _Schema = vol.Schema | vol.All[Any]

_NONE, _OPTIONAL, _ONLY = SupportsResponse.NONE, SupportsResponse.OPTIONAL, SupportsResponse.ONLY

SERVICES: Final[dict[str, tuple[_Handler, _Schema, SupportsResponse]]] = {
    "send_message": (messages.async_send, schemas.SEND_MESSAGE, _OPTIONAL),
    "resend_message": (messages.async_resend, schemas.RESEND_MESSAGE, _NONE),
    "mark_as_read": (messages.async_mark_as_read, schemas.MARK_AS_READ, _NONE),
    "set_alias": (messages.async_set_alias, schemas.SET_ALIAS, _NONE),
    "delete_messages": (messages.async_delete, schemas.DELETE_MESSAGES, _NONE),
    "rename_phone": (phones.async_rename, schemas.RENAME_PHONE, _NONE),
    "remove_phone": (phones.async_remove, schemas.REMOVE_PHONE, _NONE),
    "get_conversations": (logs.async_get_conversations, schemas.GET_CONVERSATIONS, _ONLY),
    "get_calls": (logs.async_get_calls, schemas.GET_CALLS, _ONLY),
    "get_sent_messages": (logs.async_get_sent_messages, schemas.GET_SENT_MESSAGES, _ONLY),
    "get_received_messages": (
        logs.async_get_received_messages,
        schemas.GET_RECEIVED_MESSAGES,
        _ONLY,
    ),
}


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register the integration's actions."""
    for name, (handler, schema, supports_response) in SERVICES.items():
        hass.services.async_register(
            DOMAIN, name, handler, schema=schema, supports_response=supports_response
        )
