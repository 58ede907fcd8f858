"""The CALLR provider: SMS REST API v1.1 (send, received and sent SMS, signed webhooks)."""

from .auth import CallrCredentials
from .client import CallrClient
from .const import (
    DEFAULT_BASE_URL,
    DEFAULT_WINDOW,
    HEADER_EVENT_ID,
    HEADER_SIGNATURE,
    MAX_MESSAGE_LENGTH,
)
from .webhook import parse_webhook, sign, verify_signature

__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_WINDOW",
    "HEADER_EVENT_ID",
    "HEADER_SIGNATURE",
    "MAX_MESSAGE_LENGTH",
    "CallrClient",
    "CallrCredentials",
    "parse_webhook",
    "sign",
    "verify_signature",
]
