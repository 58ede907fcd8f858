"""Typed, immutable models of what the providers return, the same for every provider.

Every datetime is timezone-aware UTC. Each provider's parsers build them; these classes only hold
data, and no field is named after a provider's wire format. ``phone_id`` is the provider's id of a
connected phone (never Home Assistant's device id).

The models are named tuples, not frozen dataclasses: a dataclass compiles its generated methods
when it is defined (about a millisecond each, at every start of Home Assistant), a named tuple
costs a quarter of that, and it is built twice as fast (a poll may build 100 000). Build them
by keyword; ``_replace`` changes a field, ``_asdict`` gives a dict. This module leaves out
``from __future__ import annotations``: a named tuple would compile each string annotation.

The models of the logs (``logs.py``: sent messages, conversations) and the OAuth2 token
(``tokens.py``) are exported here too, but defined in modules of their own, imported when first
used: most accounts never read a log. The token stays a frozen dataclass: its repr must leave
out the token, which a named tuple's cannot.
"""

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Literal, NamedTuple

from .lazy import lazy_exports

if TYPE_CHECKING:
    # Exported here too (see the module's docstring).
    from .logs import Conversation, ConversationMessage, SentFromMobile, SentMessage
    from .tokens import AccessToken

__all__ = [
    "AccessToken",
    "Call",
    "CallType",
    "Channel",
    "Conversation",
    "ConversationMessage",
    "ConversationOrigin",
    "Phone",
    "PhoneList",
    "ReceivedSms",
    "ReceivedWhatsApp",
    "SendFailure",
    "SendResult",
    "SentFromMobile",
    "SentMessage",
]


class Channel(StrEnum):
    """How a message is sent."""

    SMS = "sms"
    WHATSAPP = "whatsapp"
    SMS_WHATSAPP = "sms_whatsapp"


class CallType(StrEnum):
    """The three call logs the phone synchronises."""

    MISSED = "missed"
    INCOMING = "incoming"
    OUTGOING = "outgoing"


class ConversationOrigin(StrEnum):
    """Where the conversation listing starts from."""

    RECEIVED = "received"
    SENT = "sent"


class ReceivedSms(NamedTuple):
    """An SMS received by one of the account's phones."""

    guid: str
    number: str
    message: str
    received_at: datetime
    phone_id: str | None = None
    alias: str | None = None
    sms_id: int | None = None


class ReceivedWhatsApp(NamedTuple):
    """A WhatsApp message received by one of the account's phones (text, or a transcript)."""

    guid: str
    number: str
    message: str
    received_at: datetime
    name: str | None = None
    voice: bool = False
    phone_id: str | None = None


class Call(NamedTuple):
    """One row of a call log."""

    call_type: CallType
    number: str
    call_at: datetime
    name: str | None = None
    duration: int | None = None
    geo_location: str | None = None

    @property
    def key(self) -> str:
        """Identify the call; the missed-call log has no id, so number and time it is."""
        return f"{self.call_type}:{self.number}:{int(self.call_at.timestamp())}"


class Phone(NamedTuple):
    """A phone connected to the account's gateway."""

    phone_id: str
    label: str | None = None
    online: bool | None = None
    battery: int | None = None
    version: str | None = None
    last_seen: datetime | None = None
    phone_number: str | None = None


class PhoneList(NamedTuple):
    """The connected phones and the account's limits when the service gives them."""

    phones: tuple[Phone, ...]
    connected_limit: int | None = None
    connected_now: int | None = None


class SendResult(NamedTuple):
    """The service's acknowledgement of a message: queued, not yet delivered."""

    guid: str
    queued_at: datetime | None = None
    note: str | None = None
    whatsapp: bool = False
    encrypted: bool = False
    # How many parts the provider bills the message as, when it says.
    parts: int | None = None


type SendFailure = Literal["api", "mobile"]


__getattr__ = lazy_exports(
    __name__,
    {
        "SentMessage": ".logs",
        "SentFromMobile": ".logs",
        "ConversationMessage": ".logs",
        "Conversation": ".logs",
        "AccessToken": ".tokens",
    },
)
