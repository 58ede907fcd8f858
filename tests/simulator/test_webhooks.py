"""Webhook building (legacy and signed V2) and delivery to a receiver."""

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
import hashlib
import hmac
import json
from pathlib import Path

from aiohttp import web
from aiohttp.test_utils import TestServer
import pytest

from smsmobileapi_simulator import (
    Account,
    SimulatorServer,
    SimulatorState,
    WebhookTarget,
    build_legacy_body,
    build_v2_request,
    sign_v2,
)

from .helpers import NOW, Api, Clock, wait_until

FIXTURES = Path(__file__).parents[1] / "fixtures" / "webhook_v2"
SECRET = "fixture-secret"  # the test signing secret


def test_sign_v2_on_shipped_fixture() -> None:
    """The signature of the fixture body matches an independently computed HMAC."""
    body = (FIXTURES / "sms.received.json").read_bytes()
    timestamp = 1790164801  # the fixture's created_at
    expected = "5659989832d222dc65470b7f8fbcf51b9b6085b37d8c2b9a56631d67fda6050e"  # openssl
    assert sign_v2(SECRET, timestamp, body) == f"v1={expected}"
    recomputed = hmac.new(SECRET.encode(), b"1790164801." + body, hashlib.sha256).hexdigest()
    assert recomputed == expected


@pytest.mark.parametrize("fixture", ["sms.received.json", "call.missed.json"])
def test_build_v2_matches_fixture(fixture: str) -> None:
    """A built request carries the fixture's envelope and verifiable headers."""
    shipped = json.loads((FIXTURES / fixture).read_text())
    headers, body = build_v2_request(
        shipped["type"], shipped["data"], SECRET, NOW, event_id=shipped["id"]
    )
    envelope = json.loads(body)
    assert envelope == {
        **shipped,
        "created_at": "2026-09-23T12:00:00Z",
        "occurred_at": "2026-09-23T12:00:00Z",
    }
    timestamp = int(headers["X-SMSMobileAPI-Timestamp"])
    assert timestamp == int(NOW.timestamp())
    assert headers["X-SMSMobileAPI-Signature"] == sign_v2(SECRET, timestamp, body)
    assert headers["X-SMSMobileAPI-Event"] == shipped["type"]
    assert headers["X-SMSMobileAPI-Event-ID"] == headers["Idempotency-Key"] == shipped["id"]


def test_legacy_body(state: SimulatorState, account: Account, clock: Clock) -> None:
    """The legacy payload has exactly the documented members."""
    sms = state.add_received_sms(
        account, "+123456789", "Hello, this is a test.", received_at=NOW - timedelta(seconds=10)
    )
    assert json.loads(build_legacy_body(sms)) == {
        "date": "2026-09-23",
        "hour": "12:00:00",
        "time_received": "2026-09-23 11:59:50",
        "message": "Hello, this is a test.",
        "number": "+123456789",
        "guid": sms.guid,
    }


def test_v2_target_needs_secret() -> None:
    """Webhook V2 cannot be configured without a secret, nor an unknown format."""
    with pytest.raises(ValueError, match="secret"):
        WebhookTarget("http://127.0.0.1/hook", "v2")
    with pytest.raises(ValueError, match="format"):
        WebhookTarget("http://127.0.0.1/hook", "xml")  # type: ignore[arg-type]


class Receiver:
    """A loopback HTTP server that keeps every POST it gets."""

    def __init__(self) -> None:
        """Start with no deliveries."""
        self.received: asyncio.Queue[tuple[dict[str, str], bytes]] = asyncio.Queue()
        self.server = TestServer(self._app(), host="127.0.0.1")

    def _app(self) -> web.Application:
        async def hook(request: web.Request) -> web.Response:
            await self.received.put((dict(request.headers), await request.read()))
            return web.Response(status=202)

        app = web.Application()
        app.router.add_post("/hook", hook)
        return app

    @property
    def url(self) -> str:
        """The hook URL."""
        return str(self.server.make_url("/hook"))

    async def next(self) -> tuple[dict[str, str], bytes]:
        """Wait for the next delivery."""
        return await asyncio.wait_for(self.received.get(), timeout=5)


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    """A running webhook receiver."""
    hook = Receiver()
    await hook.server.start_server()
    yield hook
    await hook.server.close()


async def test_legacy_push(
    api: Api, state: SimulatorState, account: Account, receiver: Receiver
) -> None:
    """A control-route SMS is pushed in the legacy format; calls are not."""
    state.webhook = WebhookTarget(receiver.url)
    answer = await api.request("POST", "/_sim/sms", json_body={"number": "+1", "message": "hi"})
    headers, body = await receiver.next()
    assert json.loads(body)["guid"] == answer.json["guid"]
    assert headers["Content-Type"] == "application/json"
    assert "X-SMSMobileAPI-Signature" not in headers
    state.add_call(account, "missed", "+1", push=True)
    state.add_received_sms(account, "+2", "second", push=True)
    _, body = await receiver.next()
    assert json.loads(body)["number"] == "+2"


async def test_v2_push_sms_and_call(
    api: Api, state: SimulatorState, account: Account, receiver: Receiver
) -> None:
    """V2 pushes are signed envelopes for SMS and calls."""
    state.webhook = WebhookTarget(receiver.url, "v2", SECRET)
    sms = state.add_received_sms(account, "+15551234567", "Call me", alias="Taylor", push=True)
    headers, body = await receiver.next()
    timestamp = int(headers["X-SMSMobileAPI-Timestamp"])
    assert headers["X-SMSMobileAPI-Signature"] == sign_v2(SECRET, timestamp, body)
    envelope = json.loads(body)
    assert (envelope["type"], envelope["api_version"]) == ("sms.received", "2026-09-22")
    assert envelope["data"] == {
        "guid": sms.guid,
        "from": "+15551234567",
        "message": "Call me",
        "received_at": "2026-09-23T12:00:00Z",
        "alias": "Taylor",
        "device_id": "phone-1",
    }
    call = state.add_call(account, "incoming", "+1555", name="Morgan", duration=30, push=True)
    headers, body = await receiver.next()
    assert headers["X-SMSMobileAPI-Event"] == "call.incoming"
    assert json.loads(body)["data"] == {
        "guid": call.guid,
        "number": "+1555",
        "name": "Morgan",
        "duration_seconds": 30,
        "device_id": "phone-1",
        "call_at": "2026-09-23 12:00:00",
    }


async def test_no_push_without_flag_or_target(
    api: Api, state: SimulatorState, account: Account, receiver: Receiver
) -> None:
    """Nothing is sent without a target, nor for SMS added without ``push``."""
    state.add_received_sms(account, "+1", "silent", push=True)
    state.webhook = WebhookTarget(receiver.url)
    state.add_received_sms(account, "+1", "not pushed")
    state.add_received_sms(account, "+1", "pushed", push=True)
    _, body = await receiver.next()
    assert json.loads(body)["message"] == "pushed"
    assert receiver.received.empty()


async def test_failed_delivery_is_recorded(
    api: Api, state: SimulatorState, account: Account, receiver: Receiver
) -> None:
    """Delivery outcomes are kept: the status, or the error when nobody listens."""
    state.webhook = WebhookTarget(receiver.url)
    state.add_received_sms(account, "+1", "ok", push=True)
    await _deliveries(state, 1)
    await receiver.server.close()
    state.add_received_sms(account, "+1", "lost", push=True)
    await _deliveries(state, 2)
    ok, lost = state.webhook_deliveries
    assert (ok.event_type, ok.status, ok.error) == ("sms.received", 202, None)
    assert lost.status is None
    assert lost.error


async def _deliveries(state: SimulatorState, count: int) -> None:
    """Wait until ``count`` delivery outcomes are recorded."""
    await wait_until(lambda: len(state.webhook_deliveries) >= count)


async def test_stop_cancels_deliveries_in_flight(state: SimulatorState, account: Account) -> None:
    """Stopping the server does not wait for a webhook receiver that never answers."""
    stalled = asyncio.Event()

    async def hang(_request: web.Request) -> web.Response:
        stalled.set()
        await asyncio.sleep(30)
        return web.Response()

    app = web.Application()
    app.router.add_post("/hook", hang)
    receiver = TestServer(app, host="127.0.0.1")
    await receiver.start_server()
    server = SimulatorServer(state)
    await server.start()
    state.webhook = WebhookTarget(str(receiver.make_url("/hook")))
    state.add_received_sms(account, "+1", "stuck", push=True)
    await asyncio.wait_for(stalled.wait(), timeout=5)
    async with asyncio.timeout(2):
        await server.stop()
    await receiver.close()
    assert state.webhook_deliveries == []


@pytest.mark.parametrize(
    ("form", "types"),
    [
        ({}, ["sms.api.submitted"]),
        ({"waonly": "yes", "sendwa": "1", "sendsms": "0"}, ["whatsapp.submitted"]),
        ({"sendwa": "1", "sendsms": "1"}, ["sms.api.submitted", "whatsapp.submitted"]),
    ],
)
async def test_v2_push_submitted(
    api: Api,
    state: SimulatorState,
    account: Account,
    receiver: Receiver,
    form: dict[str, str],
    types: list[str],
) -> None:
    """With ``message_events`` an accepted send pushes one submitted event per channel."""
    state.webhook = WebhookTarget(receiver.url, "v2", SECRET, message_events=True)
    answer = await api.post("/sendsms/", recipients="+15551234567", message="Hi", **form)
    guid = answer.json["result"]["id"]
    for event_type in types:
        headers, body = await receiver.next()
        assert headers["X-SMSMobileAPI-Event"] == event_type
        assert json.loads(body)["data"] == {
            "guid": guid,
            "recipients": "+15551234567",
            "message": "Hi",
            "device_id": "phone-1",
            "at": "2026-09-23T12:00:00Z",
        }
    assert receiver.received.empty()


async def test_message_events_need_the_flag_and_v2(
    api: Api, state: SimulatorState, account: Account, receiver: Receiver
) -> None:
    """Without ``message_events`` a send pushes nothing; the legacy webhook never pushes them."""
    state.webhook = WebhookTarget(receiver.url, "v2", SECRET)
    await api.post("/sendsms/", recipients="+1", message="quiet")
    state.webhook = WebhookTarget(receiver.url, message_events=True)
    await api.post("/sendsms/", recipients="+1", message="legacy")
    state.push_message_event(state.sent[0], "sms.sent")
    state.add_received_sms(account, "+2", "marker", push=True)
    _, body = await receiver.next()
    assert json.loads(body)["message"] == "marker"


@pytest.mark.parametrize(
    ("event_type", "status"),
    [("sms.sent", "queued"), ("sms.mobile.sent", "queued"), ("whatsapp.failed", "error")],
)
async def test_push_message_event(
    api: Api,
    state: SimulatorState,
    account: Account,
    receiver: Receiver,
    event_type: str,
    status: str,
) -> None:
    """Later steps of a sent message are pushed on demand (control route too)."""
    state.webhook = WebhookTarget(receiver.url, "v2", SECRET)
    sent = state.add_sent_sms(account, recipients="+1", message="x")
    answer = await api.request(
        "POST", "/_sim/message_event", json_body={"guid": sent.guid.upper(), "type": event_type}
    )
    assert (answer.status, answer.json) == (201, {"type": event_type, "guid": sent.guid})
    headers, body = await receiver.next()
    assert headers["X-SMSMobileAPI-Event"] == event_type
    assert json.loads(body)["data"]["guid"] == sent.guid
    assert sent.status == status


async def test_message_event_validation(api: Api, state: SimulatorState, account: Account) -> None:
    """Unknown types and messages are refused."""
    sent = state.add_sent_sms(account, recipients="+1", message="x")
    with pytest.raises(ValueError, match="unknown message event"):
        state.push_message_event(sent, "sms.received")
    for body, status in (
        ({"guid": sent.guid, "type": "sms.received"}, 400),
        ({"guid": "nope", "type": "sms.sent"}, 404),
    ):
        assert (await api.request("POST", "/_sim/message_event", json_body=body)).status == status


async def test_v2_push_whatsapp(
    api: Api, state: SimulatorState, account: Account, receiver: Receiver
) -> None:
    """A received WhatsApp message is pushed with the vendor example's fields (V2 only)."""
    state.webhook = WebhookTarget(receiver.url, "v2", SECRET)
    answer = await api.request(
        "POST",
        "/_sim/whatsapp",
        json_body={"number": "+15559876543", "message": "Is my order ready?", "name": "Jordan"},
    )
    assert answer.status == 201
    [received] = account.whatsapp_received
    assert answer.json == {"guid": received.guid, "synced": False}
    headers, body = await receiver.next()
    assert headers["X-SMSMobileAPI-Event"] == "whatsapp.received"
    assert json.loads(body)["data"] == {
        "guid": received.guid,
        "data_id": received.data_id,
        "from": "+15559876543",
        "contact_name": "Jordan",
        "message": "Is my order ready?",
        "is_voice_message": False,
        "received_at": "2026-09-23T12:00:00Z",
    }
    state.webhook = WebhookTarget(receiver.url)
    state.add_received_whatsapp(account, "+1", "not in the legacy format", push=True)
    state.add_received_sms(account, "+2", "marker", push=True)
    _, body = await receiver.next()
    assert json.loads(body)["message"] == "marker"
