"""Local simulator of the SMSMobileAPI REST API, for tests, the demo and benchmarks.

Typical use::

    state = SimulatorState()
    account = state.add_account(api_key="KEY")
    async with SimulatorServer(state) as server:
        ...  # talk to server.url
"""

from .app import create_app
from .faults import Fault, FaultPlan
from .server import SimulatorServer
from .state import (
    Account,
    RecordedRequest,
    SimCall,
    SimMessageEvent,
    SimMobileSentSms,
    SimPhone,
    SimReceivedSms,
    SimReceivedWhatsApp,
    SimSentSms,
    SimulatorState,
    Variants,
    WebhookDelivery,
    WebhookTarget,
)
from .webhooks import build_legacy_body, build_v2_request, sign_v2

__all__ = [
    "Account",
    "Fault",
    "FaultPlan",
    "RecordedRequest",
    "SimCall",
    "SimMessageEvent",
    "SimMobileSentSms",
    "SimPhone",
    "SimReceivedSms",
    "SimReceivedWhatsApp",
    "SimSentSms",
    "SimulatorServer",
    "SimulatorState",
    "Variants",
    "WebhookDelivery",
    "WebhookTarget",
    "build_legacy_body",
    "build_v2_request",
    "create_app",
    "sign_v2",
]
