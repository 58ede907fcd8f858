"""Typed events that providers push to the webhook, the same for every provider."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from .models import Call, ReceivedSms


@dataclass(frozen=True, slots=True, kw_only=True)
class SmsReceivedEvent:
    """An SMS arrived; ``event_id`` is None when the push carries no id of its own."""

    event_id: str | None
    sms: ReceivedSms


@dataclass(frozen=True, slots=True, kw_only=True)
class CallEvent:
    """A call was logged by a phone (``phone_id`` when the push names it)."""

    event_id: str
    call: Call
    phone_id: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class WhatsAppEvent:
    """A WhatsApp message arrived, or a voice message was transcribed."""

    event_id: str
    kind: str  # "received" or "voice_transcribed"
    guid: str
    number: str
    name: str | None
    text: str
    at: datetime | None
    voice: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class MessageStatusEvent:
    """A message we sent was accepted for sending, sent by the phone, delivered, or failed."""

    event_id: str
    guid: str
    # "queued" (accepted, not yet on its way), "sent", "failed"; "delivered" where a provider
    # reports delivery.
    status: str
    channel: str  # "sms" or "whatsapp"


@dataclass(frozen=True, slots=True, kw_only=True)
class IgnoredEvent:
    """A pushed event of a type this integration does not act on (still acknowledged)."""

    event_id: str
    event_type: str


type WebhookEvent = SmsReceivedEvent | CallEvent | WhatsAppEvent | MessageStatusEvent | IgnoredEvent


@dataclass(frozen=True, slots=True, kw_only=True)
class WebhookDelivery:
    """A pushed request read by a provider: the event, and whether its signature was verified."""

    event: WebhookEvent
    signed: bool
