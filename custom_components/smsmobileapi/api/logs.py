"""Models of the service's logs: messages sent (through the API or from a phone), conversations.

Typed, immutable named tuples like every model (see ``models.py``, which exports them too); in a
module of their own, imported when a log is first read.
"""

from datetime import datetime
from typing import NamedTuple

from .models import SendFailure


class SentMessage(NamedTuple):
    """A message sent through the API, as the provider's sent log reports it."""

    guid: str | None
    recipients: str | None
    message: str
    status: str | None = None
    sent_at: datetime | None = None
    phone_id: str | None = None
    sim: int | None = None
    whatsapp: bool = False
    failure: SendFailure | None = None


class SentFromMobile(NamedTuple):
    """An SMS sent from the phone itself and synchronised (last 7 days only)."""

    number: str
    message: str
    sent_at: datetime | None = None
    phone_id: str | None = None
    synced_at: datetime | None = None


class ConversationMessage(NamedTuple):
    """One message of a conversation."""

    direction: str
    message: str
    sent_at: datetime | None = None
    message_id: str | None = None
    status: str | None = None
    phone_id: str | None = None


class Conversation(NamedTuple):
    """Messages exchanged with one number, oldest first as the service orders them."""

    number: str
    alias: str | None = None
    messages: tuple[ConversationMessage, ...] = ()
