"""Async client for SMSMobileAPI, with no Home Assistant imports.

It could be published as a library as it stands: an injected ``aiohttp`` session, a timeout on every
request, a small exception tree, typed frozen models with aware UTC datetimes and lenient parsing.
"""

from .auth import ApiKeyCredentials, Credentials, OAuth2Credentials
from .client import (
    CALLS_DEFAULT_LIMIT,
    CALLS_MAX_LIMIT,
    CALLS_SORT_FIELDS,
    CONVERSATIONS_DEFAULT_LIMIT,
    DEFAULT_BASE_URL,
    MISSED_CALLS_DEFAULT_LIMIT,
    MISSED_CALLS_MAX_LIMIT,
    SENT_FROM_MOBILE_MAX_LIMIT,
    SENT_FROM_MOBILE_PERIODS,
    SmsMobileApiClient,
)
from .exceptions import (
    SmsMobileApiAuthenticationError,
    SmsMobileApiConnectionError,
    SmsMobileApiError,
    SmsMobileApiInvalidResponseError,
    SmsMobileApiRateLimitError,
    SmsMobileApiResponseError,
    SmsMobileApiSubscriptionExpiredError,
    SmsMobileApiTimeoutError,
)
from .gateway import Capability, SmsGateway
from .models import (
    AccessToken,
    Call,
    CallType,
    Channel,
    Conversation,
    ConversationMessage,
    ConversationOrigin,
    Phone,
    PhoneList,
    ReceivedSms,
    SendResult,
    SentFromMobile,
)
from .parsing import parse_received_sms

__all__ = [
    "CALLS_DEFAULT_LIMIT",
    "CALLS_MAX_LIMIT",
    "CALLS_SORT_FIELDS",
    "CONVERSATIONS_DEFAULT_LIMIT",
    "DEFAULT_BASE_URL",
    "MISSED_CALLS_DEFAULT_LIMIT",
    "MISSED_CALLS_MAX_LIMIT",
    "SENT_FROM_MOBILE_MAX_LIMIT",
    "SENT_FROM_MOBILE_PERIODS",
    "AccessToken",
    "ApiKeyCredentials",
    "Call",
    "CallType",
    "Capability",
    "Channel",
    "Conversation",
    "ConversationMessage",
    "ConversationOrigin",
    "Credentials",
    "OAuth2Credentials",
    "Phone",
    "PhoneList",
    "ReceivedSms",
    "SendResult",
    "SentFromMobile",
    "SmsGateway",
    "SmsMobileApiAuthenticationError",
    "SmsMobileApiClient",
    "SmsMobileApiConnectionError",
    "SmsMobileApiError",
    "SmsMobileApiInvalidResponseError",
    "SmsMobileApiRateLimitError",
    "SmsMobileApiResponseError",
    "SmsMobileApiSubscriptionExpiredError",
    "SmsMobileApiTimeoutError",
    "parse_received_sms",
]
