"""Typed events that providers push to the webhook, the same for every provider."""

from datetime import datetime
from typing import NamedTuple

from .models import Call, ReceivedSms


class SmsReceivedEvent(NamedTuple):
    """An SMS arrived; ``event_id`` is None when the push carries no id of its own."""

    event_id: str | None
    sms: ReceivedSms


class CallEvent(NamedTuple):
    """A call was logged by a phone (``phone_id`` when the push names it)."""

    event_id: str
    call: Call
    phone_id: str | None


class WhatsAppEvent(NamedTuple):
    """A WhatsApp message arrived, or a voice message was transcribed."""

    event_id: str
    kind: str  # "received" or "voice_transcribed"
    guid: str
    number: str
    name: str | None
    text: str
    at: datetime | None
    voice: bool


class MessageStatusEvent(NamedTuple):
    """A message we sent was accepted for sending, sent by the phone, delivered, or failed."""

    event_id: str
    guid: str
    # "queued" (accepted, not yet on its way), "sent", "failed"; "delivered" where a provider
    # reports delivery.
    status: str
    channel: str  # "sms" or "whatsapp"


class IgnoredEvent(NamedTuple):
    """A pushed event of a type this integration does not act on (still acknowledged)."""

    event_id: str
    event_type: str


type WebhookEvent = SmsReceivedEvent | CallEvent | WhatsAppEvent | MessageStatusEvent | IgnoredEvent


class WebhookDelivery(NamedTuple):
    """A pushed request read by a provider: the event, and whether its signature was verified."""

    event: WebhookEvent
    signed: bool
