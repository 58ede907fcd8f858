"""WhatsApp: the number check and the received-message inbox."""

import json
from typing import Any

import pytest

from custom_components.smsmobileapi.api import (
    Capability,
    SmsGatewayAuthenticationError,
    SmsMobileApiClient,
    WhatsAppChecker,
    feature,
)
from smsmobileapi_simulator import Fault

from .conftest import API_KEY, Sim

BASE_FIELDS = {"from": "homeassistant", "apikey": API_KEY}


# --- number check ---------------------------------------------------------------------------


async def test_has_whatsapp(client: SmsMobileApiClient, sim: Sim) -> None:
    """The number goes out without "+" (as the OpenAPI file asks); the verdict comes back."""
    sim.account.without_whatsapp.add("32470000002")

    assert await client.has_whatsapp("+32470000001") is True
    assert await client.has_whatsapp("+32470000002") is False
    [first, _] = sim.requests_to("/whatsapp/checknumber/")
    assert first.method == "GET"
    assert first.query == {"recipients": "32470000001", **BASE_FIELDS}


async def test_has_whatsapp_unknown(client: SmsMobileApiClient, sim: Sim) -> None:
    """When the service cannot tell (here: no phone online), None."""
    sim.account.phones["phone-a"].online = False

    assert await client.has_whatsapp("+32470000001") is None


@pytest.mark.parametrize(
    ("body", "verdict"),
    [
        ({"exists": "1"}, True),
        ({"result": {"error": 0, "status": "not_registered"}}, False),
        ({"data": {"on_whatsapp": False}}, False),
        ({"success": True, "available": "yes"}, True),
        ({"success": True, "status": "Not available"}, False),
        ({"success": True, "whatsapp": ""}, None),
        ({"success": True, "status": "unknown"}, None),
        ({"success": True}, None),
        ({"success": True, "result": "ok"}, None),
    ],
)
async def test_has_whatsapp_lenient(
    client: SmsMobileApiClient, sim: Sim, body: dict[str, Any], verdict: bool | None
) -> None:
    """The answer's layout is undocumented: every plausible verdict is read, else None."""
    sim.state.faults.add(
        Fault("status", path="/whatsapp/checknumber/", status=200, body=json.dumps(body))
    )

    assert await client.has_whatsapp("+1555") is verdict


async def test_has_whatsapp_refused(client: SmsMobileApiClient, sim: Sim) -> None:
    """An authentication refusal is still one."""
    sim.state.rotate_api_key(sim.account, "OTHER-KEY-1")

    with pytest.raises(SmsGatewayAuthenticationError):
        await client.has_whatsapp("+32470000001")


def test_checker_capability(client: SmsMobileApiClient) -> None:
    """The client declares the number check and implements its protocol."""
    assert Capability.CHECK_WHATSAPP in client.capabilities
    assert isinstance(client, WhatsAppChecker)
    assert feature(client, Capability.CHECK_WHATSAPP) is client
