"""The SMSMobileAPI provider: an Android phone as the gateway, with a cloud REST API."""

from .auth import ApiKeyCredentials, Credentials, OAuth2Credentials
from .client import SmsMobileApiClient
from .const import (
    CALLS_DEFAULT_LIMIT,
    CALLS_MAX_LIMIT,
    CALLS_SORT_FIELDS,
    DEFAULT_BASE_URL,
    MISSED_CALLS_DEFAULT_LIMIT,
    MISSED_CALLS_MAX_LIMIT,
    SENT_FROM_MOBILE_MAX_LIMIT,
    SENT_FROM_MOBILE_PERIODS,
)
from .webhook import parse_webhook, verify_signature

__all__ = [
    "CALLS_DEFAULT_LIMIT",
    "CALLS_MAX_LIMIT",
    "CALLS_SORT_FIELDS",
    "DEFAULT_BASE_URL",
    "MISSED_CALLS_DEFAULT_LIMIT",
    "MISSED_CALLS_MAX_LIMIT",
    "SENT_FROM_MOBILE_MAX_LIMIT",
    "SENT_FROM_MOBILE_PERIODS",
    "ApiKeyCredentials",
    "Credentials",
    "OAuth2Credentials",
    "SmsMobileApiClient",
    "parse_webhook",
    "verify_signature",
]
