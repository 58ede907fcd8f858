"""Async clients for the integration's SMS providers, with no Home Assistant imports.

It could be published as a library as it stands: each client takes an injected ``aiohttp``
session, puts a timeout on every request, raises the small exception tree of ``exceptions.py``
and returns the typed, provider-neutral models of ``models.py`` (aware UTC datetimes, lenient
parsing). ``gateway.py`` says what every provider offers and what only some do.

Providers: ``smsmobileapi`` (an Android phone as the gateway) and ``callr`` (CALLR's SMS REST
API v1.1). The CALLR constants are exported here with a ``CALLR_`` prefix. A provider's modules
are imported when one of its names is first used (see ``lazy.py``): an account needs only one.
"""

from typing import TYPE_CHECKING

from .events import (
    CallEvent,
    IgnoredEvent,
    MessageStatusEvent,
    SmsReceivedEvent,
    WebhookDelivery,
    WebhookEvent,
    WhatsAppEvent,
)
from .exceptions import (
    SmsGatewayAuthenticationError,
    SmsGatewayConnectionError,
    SmsGatewayError,
    SmsGatewayFeatureUnavailableError,
    SmsGatewayInvalidResponseError,
    SmsGatewayRateLimitError,
    SmsGatewayResponseError,
    SmsGatewaySubscriptionExpiredError,
    SmsGatewayTimeoutError,
    WebhookError,
    WebhookPayloadError,
    WebhookSignatureError,
)
from .gateway import (
    CallLog,
    Capability,
    ConversationLog,
    MessageManager,
    PhoneGateway,
    PhoneSentLog,
    SentLog,
    SmsGateway,
    WhatsAppChecker,
    WhatsAppInbox,
    feature,
    sendable_channels,
)
from .lazy import lazy_exports
from .models import (
    Call,
    CallType,
    Channel,
    ConversationOrigin,
    Phone,
    PhoneList,
    ReceivedSms,
    ReceivedWhatsApp,
    SendFailure,
    SendResult,
)

if TYPE_CHECKING:
    from .callr import (
        DEFAULT_BASE_URL as CALLR_DEFAULT_BASE_URL,
        DEFAULT_WINDOW as CALLR_DEFAULT_WINDOW,
        MAX_MESSAGE_LENGTH as CALLR_MAX_MESSAGE_LENGTH,
        CallrClient,
        CallrCredentials,
    )
    from .logs import Conversation, ConversationMessage, SentFromMobile, SentMessage
    from .smsmobileapi import (
        CALLS_DEFAULT_LIMIT,
        CALLS_MAX_LIMIT,
        CALLS_SORT_FIELDS,
        DEFAULT_BASE_URL,
        MISSED_CALLS_DEFAULT_LIMIT,
        MISSED_CALLS_MAX_LIMIT,
        SENT_FROM_MOBILE_MAX_LIMIT,
        SENT_FROM_MOBILE_PERIODS,
        ApiKeyCredentials,
        Credentials,
        OAuth2Credentials,
        SmsMobileApiClient,
    )
    from .tokens import AccessToken

__all__ = [
    "CALLR_DEFAULT_BASE_URL",
    "CALLR_DEFAULT_WINDOW",
    "CALLR_MAX_MESSAGE_LENGTH",
    "CALLS_DEFAULT_LIMIT",
    "CALLS_MAX_LIMIT",
    "CALLS_SORT_FIELDS",
    "DEFAULT_BASE_URL",
    "MISSED_CALLS_DEFAULT_LIMIT",
    "MISSED_CALLS_MAX_LIMIT",
    "SENT_FROM_MOBILE_MAX_LIMIT",
    "SENT_FROM_MOBILE_PERIODS",
    "AccessToken",
    "ApiKeyCredentials",
    "Call",
    "CallEvent",
    "CallLog",
    "CallType",
    "CallrClient",
    "CallrCredentials",
    "Capability",
    "Channel",
    "Conversation",
    "ConversationLog",
    "ConversationMessage",
    "ConversationOrigin",
    "Credentials",
    "IgnoredEvent",
    "MessageManager",
    "MessageStatusEvent",
    "OAuth2Credentials",
    "Phone",
    "PhoneGateway",
    "PhoneList",
    "PhoneSentLog",
    "ReceivedSms",
    "ReceivedWhatsApp",
    "SendFailure",
    "SendResult",
    "SentFromMobile",
    "SentLog",
    "SentMessage",
    "SmsGateway",
    "SmsGatewayAuthenticationError",
    "SmsGatewayConnectionError",
    "SmsGatewayError",
    "SmsGatewayFeatureUnavailableError",
    "SmsGatewayInvalidResponseError",
    "SmsGatewayRateLimitError",
    "SmsGatewayResponseError",
    "SmsGatewaySubscriptionExpiredError",
    "SmsGatewayTimeoutError",
    "SmsMobileApiClient",
    "SmsReceivedEvent",
    "WebhookDelivery",
    "WebhookError",
    "WebhookEvent",
    "WebhookPayloadError",
    "WebhookSignatureError",
    "WhatsAppChecker",
    "WhatsAppEvent",
    "WhatsAppInbox",
    "feature",
    "sendable_channels",
]

__getattr__ = lazy_exports(
    __name__,
    {
        "CALLR_DEFAULT_BASE_URL": ".callr:DEFAULT_BASE_URL",
        "CALLR_DEFAULT_WINDOW": ".callr:DEFAULT_WINDOW",
        "CALLR_MAX_MESSAGE_LENGTH": ".callr:MAX_MESSAGE_LENGTH",
        "CallrClient": ".callr",
        "CallrCredentials": ".callr",
        "CALLS_DEFAULT_LIMIT": ".smsmobileapi",
        "CALLS_MAX_LIMIT": ".smsmobileapi",
        "CALLS_SORT_FIELDS": ".smsmobileapi",
        "DEFAULT_BASE_URL": ".smsmobileapi",
        "MISSED_CALLS_DEFAULT_LIMIT": ".smsmobileapi",
        "MISSED_CALLS_MAX_LIMIT": ".smsmobileapi",
        "SENT_FROM_MOBILE_MAX_LIMIT": ".smsmobileapi",
        "SENT_FROM_MOBILE_PERIODS": ".smsmobileapi",
        "ApiKeyCredentials": ".smsmobileapi",
        "Credentials": ".smsmobileapi",
        "OAuth2Credentials": ".smsmobileapi",
        "SmsMobileApiClient": ".smsmobileapi",
        "AccessToken": ".tokens",
        "Conversation": ".logs",
        "ConversationMessage": ".logs",
        "SentFromMobile": ".logs",
        "SentMessage": ".logs",
    },
)
