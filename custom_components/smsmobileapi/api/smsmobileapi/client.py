"""Async client for the SMSMobileAPI REST API: one method per endpoint.

The endpoints come in groups, one class each (``sending``, ``receiving``, ``phones``; what they
share in ``endpoints``); this class puts them together. One instance per account. The caller
owns the ``aiohttp`` session; ``transport.py`` authenticates, times out and turns every failure
into one of the exceptions of ``exceptions.py``. Methods return the typed models of
``models.py``; no credential ever reaches a message, a log line or a returned value.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime

import aiohttp

from ..events import WebhookDelivery
from ..gateway import Capability
from ..models import (
    AccessToken,
)
from .auth import Credentials
from .const import (
    DEFAULT_BASE_URL,
    DEFAULT_TIMEOUT,
    MAX_MESSAGE_LENGTH,
    SOURCE_TAG,
)
from .phones import PhoneEndpoints
from .receiving import ReceivingEndpoints
from .sending import SendingEndpoints
from .transport import Transport
from .webhook import parse_webhook, verify_signature


class SmsMobileApiClient(SendingEndpoints, ReceivingEndpoints, PhoneEndpoints):
    """Talk to SMSMobileAPI on behalf of one account."""

    capabilities: frozenset[Capability] = frozenset(
        {
            Capability.SEND_SMS,
            Capability.SEND_WHATSAPP,
            Capability.SEND_MEDIA,
            Capability.SCHEDULE,
            Capability.SHORTEN_URLS,
            Capability.ENCRYPT,
            Capability.CHOOSE_SIM,
            Capability.RECEIVE_SMS,
            Capability.READ_STATUS,
            Capability.PHONES,
            Capability.CALLS,
            Capability.MANAGE_MESSAGES,
            Capability.CONVERSATIONS,
            Capability.SENT_LOG,
            Capability.SENT_FROM_PHONE,
            Capability.CHECK_WHATSAPP,
            Capability.RECEIVE_WHATSAPP,
        }
    )
    max_message_length: int = MAX_MESSAGE_LENGTH

    def __init__(
        self,
        session: aiohttp.ClientSession,
        credentials: Credentials,
        *,
        base_url: str = DEFAULT_BASE_URL,
        request_timeout: float = DEFAULT_TIMEOUT,
        source: str = SOURCE_TAG,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        """Use ``session`` (owned by the caller) to reach ``base_url`` with ``credentials``."""
        self._transport = Transport(
            session,
            credentials,
            base_url=base_url,
            request_timeout=request_timeout,
            source=source,
            clock=clock,
        )
        self._clock = clock or (lambda: datetime.now(UTC))
        self._whatsapp_sync_until = None

    @property
    def credentials(self) -> Credentials:
        """The credentials in use."""
        return self._transport.credentials

    @property
    def base_url(self) -> str:
        """The service's base URL, without a trailing slash."""
        return self._transport.base_url

    @property
    def request_timeout(self) -> float:
        """Seconds each request may take before it fails with ``SmsGatewayTimeoutError``."""
        return self._transport.request_timeout

    @request_timeout.setter
    def request_timeout(self, seconds: float) -> None:
        self._transport.request_timeout = seconds

    def read_webhook(
        self, headers: Mapping[str, str], body: bytes, *, secret: str | None, now: datetime
    ) -> WebhookDelivery:
        """Read a legacy or Webhook V2 request; with a secret, only correctly signed ones.

        A signed V2 event must carry its ``id`` in the (signed) body.
        """
        signed = secret is not None
        if secret is not None:
            verify_signature(secret, headers, body, now=now)
        return WebhookDelivery(event=parse_webhook(headers, body, signed=signed), signed=signed)

    async def get_access_token(self) -> AccessToken:
        """Return a valid OAuth2 token, fetching a new one when needed."""
        return await self._transport.get_access_token()
