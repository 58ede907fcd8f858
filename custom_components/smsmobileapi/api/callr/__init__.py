"""The CALLR provider: SMS REST API v1.1 (send, received and sent SMS, signed webhooks).

Its modules are imported when one of their names is first used (see ``..lazy``): importing
``const`` alone does not import the client.
"""

from typing import TYPE_CHECKING

from ..lazy import lazy_exports

if TYPE_CHECKING:
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

__getattr__ = lazy_exports(
    __name__,
    {
        "DEFAULT_BASE_URL": ".const",
        "DEFAULT_WINDOW": ".const",
        "HEADER_EVENT_ID": ".const",
        "HEADER_SIGNATURE": ".const",
        "MAX_MESSAGE_LENGTH": ".const",
        "CallrClient": ".client",
        "CallrCredentials": ".auth",
        "parse_webhook": ".webhook",
        "sign": ".webhook",
        "verify_signature": ".webhook",
    },
)
