"""Webhook deliveries over loopback: signatures, per-SMS webhooks, retries, duplicates."""

import asyncio
from collections.abc import AsyncIterator
import json

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestServer
import pytest

from smsmobileapi_simulator.callr import CallrAccount, CallrServer, CallrState, verify
from smsmobileapi_simulator.callr.webhooks import CallrWebhookPusher

from .helpers import LOGIN, PASSWORD, CallrApi, Receiver, basic

SECRET = "hook-secret"  # a test HMAC secret


@pytest.fixture
async def flaky() -> AsyncIterator[Receiver]:
    """A receiver answering 500 then 503, then 200."""
    hook = Receiver(statuses=[500, 503])
    await hook.server.start_server()
    yield hook
    await hook.server.close()


async def test_sms_mo_signed_delivery(
    api: CallrApi, state: CallrState, account: CallrAccount, receiver: Receiver
) -> None:
    """An incoming SMS reaches an ``sms.mo`` subscription as the documented signed POST."""
    hook = state.webhooks.subscribe(account, "sms.mo", receiver.url, hmac_secret=SECRET)
    sms = state.add_incoming(account, "+33612345678", "Hello from my phone")
    headers, body, envelope = await receiver.next_json()
    assert headers["Content-Type"] == "application/json"
    assert headers["X-CALLR-EventId"] == envelope["event_id"]
    assert verify(SECRET, body, headers["X-CALLR-HmacSignature"])
    assert list(envelope) == ["event_id", "event_at", "hook_hash", "type", "try", "data"]
    assert envelope["event_at"] == "2026-09-23T12:00:00.000Z"
    assert (envelope["hook_hash"], envelope["type"], envelope["try"]) == (hook.hash, "sms.mo", 0)
    assert len(envelope["event_id"]) == 32
    assert envelope["data"] == state.sms_json(sms)
    await api.drain()
    [delivery] = state.webhooks.deliveries
    assert (delivery.event_id, delivery.status, delivery.try_number, delivery.ok) == (
        envelope["event_id"],
        200,
        0,
        True,
    )
    assert (delivery.duplicate, delivery.bad_signature, delivery.hook_hash) == (
        False,
        False,
        hook.hash,
    )


@pytest.mark.parametrize("dynamic_secret", [None, "per-sms-secret"])
async def test_status_updates_to_subscription_and_per_sms_webhook(
    api: CallrApi,
    state: CallrState,
    account: CallrAccount,
    receiver: Receiver,
    dynamic_secret: str | None,
) -> None:
    """A status change goes to the subscription (signed) and the SMS's own webhook (hook null)."""
    hook = state.webhooks.subscribe(
        account, "sms.mt.status_update", receiver.url, hmac_secret=SECRET
    )
    webhook: dict[str, object] = {"endpoint": receiver.url}
    if dynamic_secret:
        webhook["hmac_secret"] = dynamic_secret
    sms_hash = await api.send(options={"webhook": webhook})
    sms = account.find(sms_hash)
    assert sms is not None
    state.advance(sms)
    seen = {}
    for _ in range(2):
        headers, body, envelope = await receiver.next_json()
        seen[envelope["hook_hash"]] = (headers, body, envelope)
    assert set(seen) == {hook.hash, None}
    sub_headers, sub_body, sub_envelope = seen[hook.hash]
    assert verify(SECRET, sub_body, sub_headers["X-CALLR-HmacSignature"])
    dyn_headers, dyn_body, dyn_envelope = seen[None]
    if dynamic_secret is None:
        assert "X-CALLR-HmacSignature" not in dyn_headers
    else:
        assert verify(dynamic_secret, dyn_body, dyn_headers["X-CALLR-HmacSignature"])
    assert dyn_envelope["type"] == sub_envelope["type"] == "sms.mt.status_update"
    assert dyn_envelope["data"]["status"] == "PENDING"
    assert dyn_envelope["event_id"] != sub_envelope["event_id"]


async def test_retries_keep_event_id_and_count_tries(
    api: CallrApi, state: CallrState, account: CallrAccount, flaky: Receiver
) -> None:
    """Non-2xx answers are retried with ``try`` + 1, the same event id, a fresh signature."""
    state.webhooks.subscribe(account, "sms.mo", flaky.url, hmac_secret=SECRET)
    state.add_incoming(account, "+1", "retry me")
    attempts = [await flaky.next_json() for _ in range(3)]
    assert [envelope["try"] for _, _, envelope in attempts] == [0, 1, 2]
    assert len({envelope["event_id"] for _, _, envelope in attempts}) == 1
    assert len({envelope["event_at"] for _, _, envelope in attempts}) == 1
    assert all(
        verify(SECRET, body, headers["X-CALLR-HmacSignature"]) for headers, body, _ in attempts
    )
    await api.drain()
    assert [(item.try_number, item.status, item.ok) for item in state.webhooks.deliveries] == [
        (0, 500, False),
        (1, 503, False),
        (2, 200, True),
    ]


async def test_gives_up_after_max_tries(
    api: CallrApi, state: CallrState, account: CallrAccount
) -> None:
    """After ``max_tries`` failed attempts the event is dropped."""
    hook = Receiver(statuses=[500, 500, 500])
    await hook.server.start_server()
    state.webhooks.policy.max_tries = 2
    state.webhooks.subscribe(account, "sms.mo", hook.url)
    state.add_incoming(account, "+1", "lost")
    await api.drain()
    assert [item.status for item in state.webhooks.deliveries] == [500, 500]
    assert hook.statuses == [500]
    await hook.server.close()


async def test_timeout_and_refused_connection_are_retried(
    api: CallrApi, state: CallrState, account: CallrAccount
) -> None:
    """No answer within ``timeout``, or nobody listening, counts as a failed attempt."""
    slow = Receiver(delays=[1.0])
    await slow.server.start_server()
    state.webhooks.policy.timeout = 0.2
    state.webhooks.subscribe(account, "sms.mo", slow.url)
    state.add_incoming(account, "+1", "slow")
    await api.drain()
    first, second = state.webhooks.deliveries
    assert (first.status, first.try_number, second.status, second.try_number) == (None, 0, 200, 1)
    assert "Timeout" in (first.error or "")
    await slow.server.close()
    state.webhooks.deliveries.clear()
    state.webhooks.policy.max_tries = 2
    state.add_incoming(account, "+1", "nobody home")
    await api.drain()
    assert [(item.status, item.error is not None) for item in state.webhooks.deliveries] == [
        (None, True),
        (None, True),
    ]


async def test_forced_duplicate(
    api: CallrApi, state: CallrState, account: CallrAccount, receiver: Receiver
) -> None:
    """A forced duplicate delivers the same bytes twice; the next event is delivered once."""
    state.webhooks.subscribe(account, "sms.mo", receiver.url, hmac_secret=SECRET)
    state.webhooks.force_duplicates()
    state.add_incoming(account, "+1", "twice")
    first, second = await receiver.next(), await receiver.next()
    assert first == second
    state.add_incoming(account, "+1", "once")
    _, _, envelope = await receiver.next_json()
    assert envelope["data"]["text"] == "once"
    await api.drain()
    assert receiver.received.empty()
    assert [item.duplicate for item in state.webhooks.deliveries] == [False, True, False]
    assert state.webhooks.deliveries[0].event_id == state.webhooks.deliveries[1].event_id


async def test_forced_bad_signature_then_retry(
    api: CallrApi, state: CallrState, account: CallrAccount
) -> None:
    """A wrongly signed attempt refused by the receiver is retried, correctly signed."""
    strict = Receiver(statuses=[401])
    await strict.server.start_server()
    state.webhooks.subscribe(account, "sms.mo", strict.url, hmac_secret=SECRET)
    state.webhooks.force_bad_signatures()
    state.add_incoming(account, "+1", "tampered?")
    bad_headers, bad_body = await strict.next()
    good_headers, good_body = await strict.next()
    assert not verify(SECRET, bad_body, bad_headers["X-CALLR-HmacSignature"])
    assert verify(SECRET, good_body, good_headers["X-CALLR-HmacSignature"])
    await api.drain()
    assert [(item.status, item.bad_signature) for item in state.webhooks.deliveries] == [
        (401, True),
        (200, False),
    ]
    await strict.server.close()


async def test_server_end_to_end(
    state: CallrState, account: CallrAccount, receiver: Receiver
) -> None:
    """``CallrServer``: base URL, a send through it and a drained status-update delivery."""
    server = CallrServer(state, base_path="/custom/")
    with pytest.raises(RuntimeError):
        _ = server.url
    state.webhooks.subscribe(account, "sms.mt.status_update", receiver.url)
    async with server:
        assert server.base_url == f"{server.url}/custom"
        async with (
            aiohttp.ClientSession(headers=basic(LOGIN, PASSWORD)) as session,
            session.post(
                f"{server.base_url}/sms", json={"to": "+33612345678", "body": "x"}
            ) as response,
        ):
            sms_hash = (await response.json())["data"]
        sms = account.find(sms_hash)
        assert sms is not None
        state.deliver(sms)
        await server.drain_webhooks()
        assert [item.ok for item in state.webhooks.deliveries] == [True] * 4
    statuses = []
    while not receiver.received.empty():
        statuses.append(json.loads((await receiver.next())[1])["data"]["status"])
    assert statuses == ["PENDING", "SENT", "REMOTE_QUEUED", "RECEIVED"]


async def test_stop_cancels_deliveries_in_flight(state: CallrState, account: CallrAccount) -> None:
    """Stopping the server does not wait for a receiver that never answers, nor for retries."""
    stalled = asyncio.Event()

    async def hang(_request: web.Request) -> web.Response:
        stalled.set()
        await asyncio.sleep(30)
        return web.Response()

    app = web.Application()
    app.router.add_post("/hook", hang)
    hanging = TestServer(app, host="127.0.0.1")
    await hanging.start_server()
    server = CallrServer(state, unprefixed=False)
    await server.start()
    state.webhooks.subscribe(account, "sms.mo", str(hanging.make_url("/hook")))
    state.add_incoming(account, "+1", "stuck")
    await asyncio.wait_for(stalled.wait(), timeout=5)
    async with asyncio.timeout(2):
        await server.stop()
    await server.stop()  # idempotent
    await hanging.close()
    assert state.webhooks.deliveries == []


async def test_pusher_close_without_start(state: CallrState) -> None:
    """Closing a pusher that never started does nothing and fails nothing."""
    pusher = CallrWebhookPusher(state)
    await pusher.close()
    state.webhooks.subscribe(state.add_account("a", "b"), "sms.mo", "http://127.0.0.1:9/h")
    state.add_incoming(state.accounts["a"], "+1", "x")
    await pusher.drain()
    assert state.webhooks.deliveries == []
