"""Local simulator of CALLR's SMS REST API v1.1, for tests, the demo and benchmarks.

Typical use::

    state = CallrState()
    account = state.add_account("login", "password")
    async with CallrServer(state) as server:
        ...  # a client with base URL server.base_url (http://127.0.0.1:<port>/rest/v1.1)
        state.add_incoming(account, "+33612345678", "Hello")  # pushes sms.mo
        state.advance(account.outgoing[0])  # pushes sms.mt.status_update
"""

from .app import DEFAULT_BASE_PATH, create_callr_app
from .hooks import WebhookHub
from .model import (
    CallrAccount,
    CallrDelivery,
    CallrRequest,
    CallrVariants,
    CallrWebhook,
    WebhookEvent,
    WebhookPolicy,
)
from .server import CallrServer
from .sms import (
    NO_DATE,
    CallrSms,
    DynamicWebhook,
    StatusChange,
    count_parts,
    detect_encoding,
    sms_json,
)
from .state import CallrState
from .validation import SendOptions
from .webhooks import build_delivery, delivery_body, sign, verify

__all__ = [
    "DEFAULT_BASE_PATH",
    "NO_DATE",
    "CallrAccount",
    "CallrDelivery",
    "CallrRequest",
    "CallrServer",
    "CallrSms",
    "CallrState",
    "CallrVariants",
    "CallrWebhook",
    "DynamicWebhook",
    "SendOptions",
    "StatusChange",
    "WebhookEvent",
    "WebhookHub",
    "WebhookPolicy",
    "build_delivery",
    "count_parts",
    "create_callr_app",
    "delivery_body",
    "detect_encoding",
    "sign",
    "sms_json",
    "verify",
]
