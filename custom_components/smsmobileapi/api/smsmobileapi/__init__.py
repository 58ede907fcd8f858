"""The SMSMobileAPI provider: an Android phone as the gateway, with a cloud REST API.

Its modules are imported when one of their names is first used (see ``..lazy``): importing
``const`` alone does not import the client.
"""

from typing import TYPE_CHECKING

from ..lazy import lazy_exports

if TYPE_CHECKING:
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

__getattr__ = lazy_exports(
    __name__,
    {
        "CALLS_DEFAULT_LIMIT": ".const",
        "CALLS_MAX_LIMIT": ".const",
        "CALLS_SORT_FIELDS": ".const",
        "DEFAULT_BASE_URL": ".const",
        "MISSED_CALLS_DEFAULT_LIMIT": ".const",
        "MISSED_CALLS_MAX_LIMIT": ".const",
        "SENT_FROM_MOBILE_MAX_LIMIT": ".const",
        "SENT_FROM_MOBILE_PERIODS": ".const",
        "ApiKeyCredentials": ".auth",
        "Credentials": ".auth",
        "OAuth2Credentials": ".auth",
        "SmsMobileApiClient": ".client",
        "parse_webhook": ".webhook",
        "verify_signature": ".webhook",
    },
)
