"""Models of the service's logs: messages sent (through the API or from a phone), conversations.

Typed and frozen like every model (see ``models.py``, which exports them too); in a module of
their own, imported when a log is first read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .models import SendFailure


@dataclass(frozen=True, slots=True, kw_only=True)
class SentMessage:
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


@dataclass(frozen=True, slots=True, kw_only=True)
class SentFromMobile:
    """An SMS sent from the phone itself and synchronised (last 7 days only)."""

    number: str
    message: str
    sent_at: datetime | None = None
    phone_id: str | None = None
    synced_at: datetime | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ConversationMessage:
    """One message of a conversation."""

    direction: str
    message: str
    sent_at: datetime | None = None
    message_id: str | None = None
    status: str | None = None
    phone_id: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Conversation:
    """Messages exchanged with one number, oldest first as the service orders them."""

    number: str
    alias: str | None = None
    messages: tuple[ConversationMessage, ...] = field(default_factory=tuple)
