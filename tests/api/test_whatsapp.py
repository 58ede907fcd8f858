"""WhatsApp: the number check and the received-message inbox."""

from datetime import datetime, timedelta
import json
from typing import Any

from freezegun.api import FrozenDateTimeFactory
import pytest

from custom_components.smsmobileapi.api import (
    Capability,
    ReceivedWhatsApp,
    SmsGatewayAuthenticationError,
    SmsGatewayInvalidResponseError,
    SmsGatewayResponseError,
    SmsMobileApiClient,
    WhatsAppChecker,
    WhatsAppEvent,
    WhatsAppInbox,
    feature,
)
from smsmobileapi_simulator import Fault, WebhookTarget

from .conftest import API_KEY, NOW, Receiver, Sim
from .test_webhook import SECRET

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


# --- received messages (the /getwa/ family) -----------------------------------------------------


@pytest.fixture
async def retrieval(client: SmsMobileApiClient, sim: Sim) -> None:
    """WhatsApp retrieval activated (off by default, as the vendor ships it)."""
    assert await client.set_whatsapp_retrieval(True) is True
    assert sim.account.whatsapp_retrieval is True


def _received(guid: str, at: datetime, **fields: Any) -> ReceivedWhatsApp:  # noqa: ANN401
    return ReceivedWhatsApp(guid=guid, number="+15559876543", message="", received_at=at, **fields)


async def test_whatsapp_inbox_workflow(
    client: SmsMobileApiClient, sim: Sim, retrieval: None, freezer: FrozenDateTimeFactory
) -> None:
    """A window is requested when none is open, then the synchronised messages are read.

    Within the window no new one is requested; after it ends, one is.
    """
    first = sim.state.add_received_whatsapp(
        sim.account, "+15559876543", "Is my order ready?", name="Jordan", sid="phone-a"
    )
    assert first.synced is False

    assert await client.get_received_whatsapp() == (
        ReceivedWhatsApp(
            guid=first.guid,
            number="+15559876543",
            message="Is my order ready?",
            received_at=NOW,
            name="Jordan",
            phone_id="phone-a",
        ),
    )
    assert sim.fields_to("/getwa/synchronisation/") == [BASE_FIELDS]
    assert sim.fields_to("/getwa/") == [BASE_FIELDS]
    assert sim.fields_to("/getwa/active/") == [{"statut": "1", **BASE_FIELDS}]

    freezer.tick(timedelta(minutes=5))
    voice = sim.state.add_received_whatsapp(sim.account, "+15559876543", "", voice=True)
    listed = await client.get_received_whatsapp(after=NOW)
    assert listed == (
        _received(voice.guid, NOW + timedelta(minutes=5), voice=True, phone_id="phone-a"),
    )
    assert len(sim.requests_to("/getwa/synchronisation/")) == 1

    freezer.tick(timedelta(minutes=5))
    await client.get_received_whatsapp()
    assert len(sim.requests_to("/getwa/synchronisation/")) == 2


async def test_whatsapp_pushed_and_polled_alike(
    client: SmsMobileApiClient, sim: Sim, retrieval: None, receiver: Receiver
) -> None:
    """A message pushed by Webhook V2 and read by polling has the same guid, number and text."""
    sim.state.webhook = WebhookTarget(receiver.url, "v2", SECRET)
    received = sim.state.add_received_whatsapp(
        sim.account, "+15559876543", "Hello", name="Jordan", push=True
    )
    await sim.server.drain_webhooks()
    [(headers, body)] = receiver.received

    pushed = client.read_webhook(headers, body, secret=SECRET, now=NOW).event
    [polled] = await client.get_received_whatsapp()

    assert isinstance(pushed, WhatsAppEvent)
    assert (pushed.guid, pushed.number, pushed.text, pushed.name, pushed.at) == (
        polled.guid,
        polled.number,
        polled.message,
        polled.name,
        polled.received_at,
    )
    assert polled.guid == received.guid


_ROW = {"guid": "W1", "from": "+1", "message": "hi", "received_at": "2026-09-23T11:00:00Z"}


def _row(at: datetime) -> ReceivedWhatsApp:
    return ReceivedWhatsApp(guid="W1", number="+1", message="hi", received_at=at)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"messages": []}, ()),
        ({"result": {"error": 0, "data": [_ROW]}}, (_row(NOW - timedelta(hours=1)),)),
        (
            {
                "success": True,
                "data": [
                    {
                        "data_id": "D2",
                        "number": "+2",
                        "transcript": "call me",
                        "type": "audio",
                        "date": "2026-09-23",
                        "hour": "10:00:00",
                        "name": "Kim",
                        "device_id": "phone-b",
                    },
                    {**_ROW, "received_at": None, "timestamp_unix": 1790164800},
                ],
            },
            (
                ReceivedWhatsApp(
                    guid="D2",
                    number="+2",
                    message="call me",
                    received_at=NOW - timedelta(hours=2),
                    name="Kim",
                    voice=True,
                    phone_id="phone-b",
                ),
                _row(NOW),
            ),
        ),
        (
            {"messages": "Synchronization requested", "rows": [_ROW]},
            (_row(NOW - timedelta(hours=1)),),
        ),
    ],
    ids=["empty", "result-data", "other-names", "messages-text"],
)
async def test_whatsapp_inbox_lenient(
    client: SmsMobileApiClient,
    sim: Sim,
    body: dict[str, Any],
    expected: tuple[ReceivedWhatsApp, ...],
) -> None:
    """The list's layout is undocumented: the usual names are read, oldest first."""
    sim.state.faults.add(Fault("status", path="/getwa/", status=200, body=json.dumps(body)))
    sim.state.faults.add(Fault("status", path="/getwa/synchronisation/", status=200, body="{}"))

    assert await client.get_received_whatsapp() == expected


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"error": ""}, "missing field 'messages' in response"),
        ({"messages": "none"}, "missing field 'messages' in response"),
        ({"messages": [{"guid": "W", "from": "+1"}]}, "missing field 'received_at' in message"),
        ({"messages": [{"from": "+1", "timestamp": 1}]}, "missing field 'guid' in message"),
    ],
)
async def test_whatsapp_inbox_unknown_layout(
    client: SmsMobileApiClient, sim: Sim, body: dict[str, Any], message: str
) -> None:
    """No list is an unknown layout, never an empty inbox; a row needs a guid and a time."""
    sim.state.faults.add(Fault("status", path="/getwa/", status=200, body=json.dumps(body)))
    sim.state.faults.add(Fault("status", path="/getwa/synchronisation/", status=200, body="{}"))

    with pytest.raises(SmsGatewayInvalidResponseError, match=f"^{message}$"):
        await client.get_received_whatsapp()


async def test_window_without_expiry_requested_each_time(
    client: SmsMobileApiClient, sim: Sim, retrieval: None
) -> None:
    """A window answer without its end: a new one is requested at every call."""
    for _ in range(2):
        sim.state.faults.add(
            Fault("status", path="/getwa/synchronisation/", status=200, body='{"error":""}')
        )
        await client.get_received_whatsapp()

    assert len(sim.requests_to("/getwa/synchronisation/")) == 2


async def test_whatsapp_retrieval_inactive(client: SmsMobileApiClient, sim: Sim) -> None:
    """Not activated (the vendor's default): the service's refusal raises as it comes."""
    with pytest.raises(SmsGatewayResponseError) as caught:
        await client.get_received_whatsapp()

    assert caught.value.code == "whatsapp_retrieval_inactive"
    assert sim.requests_to("/getwa/") == []


async def test_whatsapp_retrieval_off_again(
    client: SmsMobileApiClient, sim: Sim, retrieval: None
) -> None:
    """Deactivating says so and forgets the window: the next read asks for a new one."""
    await client.get_received_whatsapp()

    assert await client.set_whatsapp_retrieval(False) is False
    assert await client.set_whatsapp_retrieval(True) is True
    await client.get_received_whatsapp()

    assert len(sim.requests_to("/getwa/synchronisation/")) == 2
    assert sim.fields_to("/getwa/active/")[1] == {"statut": "0", **BASE_FIELDS}


def test_inbox_capability(client: SmsMobileApiClient) -> None:
    """The client declares the WhatsApp inbox and implements its protocol."""
    assert Capability.RECEIVE_WHATSAPP in client.capabilities
    assert isinstance(client, WhatsAppInbox)
    assert feature(client, Capability.RECEIVE_WHATSAPP) is client
