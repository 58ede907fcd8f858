"""What the Home Assistant side needs from an SMS provider.

SMSMobileAPI implements all of it. A second provider (CALLR, cloud SMS without phones or call logs)
implements the same protocol and declares fewer capabilities; the coordinator and the platforms only
use what a provider declares.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Literal, Protocol

from .auth import Credentials
from .models import Call, CallType, Channel, PhoneList, ReceivedSms, SendResult


class Capability(StrEnum):
    """Features a provider may offer."""

    SEND_SMS = "send_sms"
    SEND_WHATSAPP = "send_whatsapp"
    RECEIVE_SMS = "receive_sms"
    PHONES = "phones"
    CALLS = "calls"


class SmsGateway(Protocol):
    """The provider-neutral surface the integration is written against."""

    capabilities: frozenset[Capability]

    @property
    def credentials(self) -> Credentials:
        """The credentials in use."""

    @property
    def base_url(self) -> str:
        """The service's base URL."""

    async def send_message(
        self,
        recipient: str,
        message: str,
        *,
        channel: Channel = Channel.SMS,
        device_id: str | None = None,
        sim: int | None = None,
        schedule_at: datetime | None = None,
        shorten_urls: bool = False,
        encrypt: bool = False,
        media_url: str | None = None,
    ) -> SendResult:
        """Queue one message to one recipient."""

    async def get_received_sms(
        self,
        *,
        after: datetime | None = None,
        device_id: str | None = None,
        unread_only: bool = False,
    ) -> tuple[ReceivedSms, ...]:
        """List received SMS, oldest first."""

    async def get_phones(
        self, *, device_id: str | None = None, search: str | None = None
    ) -> PhoneList:
        """List the connected phones."""

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
