"""What the Home Assistant side needs from an SMS provider, and what a provider may offer.

Every provider implements ``SmsGateway`` (send, read received SMS) and declares its
``capabilities``. The optional features are protocols of their own; ``feature`` gives a gateway as
the protocol of a capability only when the provider declares it and has the methods. The integration
decides by capability, never by provider name.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Final, Literal, Protocol, overload, runtime_checkable

from .models import Channel

if TYPE_CHECKING:
    from .events import WebhookDelivery
    from .models import (
        Call,
        CallType,
        Conversation,
        ConversationOrigin,
        PhoneList,
        ReceivedSms,
        ReceivedWhatsApp,
        SendResult,
        SentFromMobile,
        SentMessage,
    )


class Capability(StrEnum):
    """Features a provider may offer."""

    # Sending, and the options of ``SmsGateway.send_message`` beyond a plain SMS.
    SEND_SMS = "send_sms"
    SEND_WHATSAPP = "send_whatsapp"
    SEND_MEDIA = "send_media"  # media_url (WhatsApp)
    SCHEDULE = "schedule"  # schedule_at
    SHORTEN_URLS = "shorten_urls"
    ENCRYPT = "encrypt"
    CHOOSE_SIM = "choose_sim"  # sim
    SENDER_ID = "sender_id"  # sender
    # Receiving: ``SmsGateway.get_received_sms``; ``READ_STATUS`` adds ``unread_only``.
    RECEIVE_SMS = "receive_sms"
    READ_STATUS = "read_status"
    # ``WhatsAppInbox``: received WhatsApp messages by polling.
    RECEIVE_WHATSAPP = "receive_whatsapp"
    # ``WhatsAppChecker``: whether a number has WhatsApp.
    CHECK_WHATSAPP = "check_whatsapp"
    # ``PhoneGateway``: connected phones (and ``phone_id`` when sending).
    PHONES = "phones"
    # ``CallLog``: missed, incoming and outgoing calls.
    CALLS = "calls"
    # ``MessageManager``: resend, mark as read, alias and delete received messages.
    MANAGE_MESSAGES = "manage_messages"
    # ``ConversationLog``: messages grouped by number.
    CONVERSATIONS = "conversations"
    # ``SentLog``: the log of sent messages.
    SENT_LOG = "sent_log"
    # ``PhoneSentLog``: SMS sent from the phones themselves.
    SENT_FROM_PHONE = "sent_from_phone"


class SmsGateway(Protocol):
    """The surface every provider offers."""

    capabilities: frozenset[Capability]
    # The longest text one send may carry, in characters.
    max_message_length: int

    @property
    def base_url(self) -> str:
        """The service's base URL."""

    async def send_message(
        self,
        recipient: str,
        message: str,
        *,
        channel: Channel = Channel.SMS,
        phone_id: str | None = None,
        sim: int | None = None,
        schedule_at: datetime | None = None,
        shorten_urls: bool = False,
        encrypt: bool = False,
        media_url: str | None = None,
        sender: str | None = None,
    ) -> SendResult:
        """Queue one message to one recipient (an E.164 number); never retried.

        Options beyond a plain SMS need their capability; a provider refuses the others with
        ``ValueError`` before any request.
        """

    def read_webhook(
        self, headers: Mapping[str, str], body: bytes, *, secret: str | None, now: datetime
    ) -> WebhookDelivery:
        """Read a request pushed to the webhook.

        With ``secret``, a request not signed with it raises ``WebhookSignatureError``; a
        request that cannot be read raises ``WebhookPayloadError``. Nothing else is raised.
        """

    async def get_received_sms(
        self,
        *,
        after: datetime | None = None,
        phone_id: str | None = None,
        unread_only: bool = False,
    ) -> tuple[ReceivedSms, ...]:
        """List received SMS, oldest first."""


@runtime_checkable
class WhatsAppInbox(Protocol):
    """WhatsApp messages received by the account, read by polling."""

    async def get_received_whatsapp(
        self, *, after: datetime | None = None
    ) -> tuple[ReceivedWhatsApp, ...]:
        """List received WhatsApp messages, oldest first."""

    async def set_whatsapp_retrieval(self, active: bool) -> bool | None:  # noqa: FBT001
        """Switch the service's retrieval of WhatsApp messages on or off (the owner's consent)."""


@runtime_checkable
class WhatsAppChecker(Protocol):
    """Whether a number can be reached on WhatsApp."""

    async def has_whatsapp(self, number: str) -> bool | None:
        """True or False when the service knows, None when it cannot tell."""


@runtime_checkable
class PhoneGateway(Protocol):
    """Phones connected to the account."""

    async def get_phones(
        self, *, phone_id: str | None = None, search: str | None = None
    ) -> PhoneList:
        """List the connected phones."""

    async def update_phone(
        self, phone_id: str, *, label: str, phone_number: str | None = None
    ) -> None:
        """Rename a phone (an empty label clears it)."""

    async def delete_phone(self, phone_id: str) -> None:
        """Remove a phone from the account."""


@runtime_checkable
class CallLog(Protocol):
    """The phones' call logs."""

    async def get_missed_calls(
        self,
        *,
        limit: int = ...,
        offset: int = 0,
        search: str | None = None,
        date_start: date | None = None,
        date_end: date | None = None,
    ) -> tuple[Call, ...]:
        """List missed calls, newest first."""

    async def get_answered_calls(
        self,
        call_type: Literal[CallType.INCOMING, CallType.OUTGOING],
        *,
        limit: int = ...,
        offset: int = 0,
        sort_by: str = "call_date_ms",
        sort_dir: Literal["asc", "desc"] = "desc",
        since: datetime | None = None,
        until: datetime | None = None,
        query: str | None = None,
    ) -> tuple[Call, ...]:
        """List incoming or outgoing calls, newest first."""


@runtime_checkable
class MessageManager(Protocol):
    """Messages kept by the service: resend a failed one, read flags, aliases, deletion."""

    async def resend(self, guid: str) -> None:
        """Send again a message that failed."""

    async def mark_read(self, guid: str) -> None:
        """Mark a received SMS as read."""

    async def set_alias(self, guid: str, alias: str) -> None:
        """Set the alias of a received SMS; an empty alias clears it."""

    async def delete_received_sms(
        self,
        *,
        guid: str | None = None,
        date_start: date | None = None,
        date_end: date | None = None,
    ) -> None:
        """Delete received SMS from the service (one, one day or a period)."""


@runtime_checkable
class ConversationLog(Protocol):
    """Messages grouped by correspondent."""

    async def get_conversations(
        self,
        origin: ConversationOrigin,
        *,
        number: str | None = None,
        date_from: date | datetime | None = None,
        date_to: date | datetime | None = None,
        newest_first: bool = True,
        limit: int | None = None,
        summary_lines: int | None = None,
    ) -> tuple[Conversation, ...]:
        """List conversations."""


@runtime_checkable
class SentLog(Protocol):
    """Messages sent through the service."""

    async def get_sent_messages(
        self,
        *,
        guid: str | None = None,
        keyword: str | None = None,
        since: datetime | None = None,
        errors_only: bool = False,
    ) -> tuple[SentMessage, ...]:
        """List messages sent through the service, newest first.

        ``guid`` gives one message; ``keyword`` keeps those whose text or recipient contains
        it; ``errors_only`` those that failed.
        """


@runtime_checkable
class PhoneSentLog(Protocol):
    """SMS sent from the phones themselves."""

    async def get_sent_from_mobile(
        self,
        *,
        day: date | None = None,
        date_from: date | None = None,
        date_to: date | None = None,
        period: str | None = None,
        number: str | None = None,
        phone_id: str | None = None,
        search: str | None = None,
        limit: int | None = None,
    ) -> tuple[SentFromMobile, ...]:
        """List SMS sent from the phones themselves."""


_CHANNEL_NEEDS: Final = {
    Channel.SMS: frozenset({Capability.SEND_SMS}),
    Channel.WHATSAPP: frozenset({Capability.SEND_WHATSAPP}),
    Channel.SMS_WHATSAPP: frozenset({Capability.SEND_SMS, Capability.SEND_WHATSAPP}),
}


def sendable_channels(capabilities: frozenset[Capability]) -> list[Channel]:
    """The channels a provider with these capabilities can send on."""
    return [channel for channel, needs in _CHANNEL_NEEDS.items() if needs <= capabilities]


_KINDS: Final[dict[Capability, type]] = {
    Capability.RECEIVE_WHATSAPP: WhatsAppInbox,
    Capability.CHECK_WHATSAPP: WhatsAppChecker,
    Capability.PHONES: PhoneGateway,
    Capability.CALLS: CallLog,
    Capability.MANAGE_MESSAGES: MessageManager,
    Capability.CONVERSATIONS: ConversationLog,
    Capability.SENT_LOG: SentLog,
    Capability.SENT_FROM_PHONE: PhoneSentLog,
}


@overload
def feature(gateway: SmsGateway, capability: Literal[Capability.PHONES]) -> PhoneGateway | None: ...
@overload
def feature(gateway: SmsGateway, capability: Literal[Capability.CALLS]) -> CallLog | None: ...
@overload
def feature(
    gateway: SmsGateway, capability: Literal[Capability.MANAGE_MESSAGES]
) -> MessageManager | None: ...
@overload
def feature(
    gateway: SmsGateway, capability: Literal[Capability.CONVERSATIONS]
) -> ConversationLog | None: ...
@overload
def feature(gateway: SmsGateway, capability: Literal[Capability.SENT_LOG]) -> SentLog | None: ...
@overload
def feature(
    gateway: SmsGateway, capability: Literal[Capability.SENT_FROM_PHONE]
) -> PhoneSentLog | None: ...
@overload
def feature(
    gateway: SmsGateway, capability: Literal[Capability.RECEIVE_WHATSAPP]
) -> WhatsAppInbox | None: ...
@overload
def feature(
    gateway: SmsGateway, capability: Literal[Capability.CHECK_WHATSAPP]
) -> WhatsAppChecker | None: ...
def feature(gateway: SmsGateway, capability: Capability) -> object:
    """The gateway as the protocol of ``capability`` when it declares and implements it."""
    if capability in gateway.capabilities and isinstance(gateway, _KINDS[capability]):
        return gateway
    return None
