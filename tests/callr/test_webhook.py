"""Receiving by webhook: CALLR's signed sms.mo and sms.mt.status_update, each fired once."""

from collections.abc import AsyncIterator, Callable
import json
import logging
from pathlib import Path
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_capture_events
from pytest_homeassistant_custom_component.typing import (
    ClientSessionGenerator,
    WebSocketGenerator,
)

from custom_components.smsmobileapi.const import (
    DOMAIN,
    EVENT_MESSAGE_STATUS,
    EVENT_SMS_RECEIVED,
    SMS_SCAN_INTERVAL,
)
from smsmobileapi_simulator import Fault
from smsmobileapi_simulator.callr import sign
from tests.helpers import tick, webhook_names

from .conftest import (
    CALLR_ENTRY_ID,
    CALLR_WEBHOOK_ID,
    HMAC_SECRET,
    WEBHOOK_URL,
    CallrSim,
    delivery,
    setup_entry,
)

FIXTURES = Path(__file__).parents[1] / "fixtures" / "callr"
FIXTURE_SECRET = "callr-fixture-secret"
DELIVERY_STATUS = "sensor.callr_last_delivery_status"
LAST_SMS = "sensor.callr_last_sms_received"
SIGNATURE = "X-CALLR-HmacSignature"


def _fixture(name: str) -> tuple[dict[str, str], bytes]:
    data = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    return dict(data["headers"]), data["raw_body"].encode()


async def _post(
    hass_client_no_auth: ClientSessionGenerator, headers: dict[str, str], body: bytes
) -> int:
    client = await hass_client_no_auth()
    response = await client.post(WEBHOOK_URL, data=body, headers=headers)
    return response.status


async def test_signed_sms_fires_once(
    hass: HomeAssistant,
    signed_callr_entry: MockConfigEntry,
    callr_sim: CallrSim,
    hass_client_no_auth: ClientSessionGenerator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A signed sms.mo fires at once; its retry, a second subscription's copy and polls do not."""
    events = async_capture_events(hass, EVENT_SMS_RECEIVED)
    sms = callr_sim.incoming("+33612345678", "Alarm off?")
    event_id = callr_sim.state.new_event_id()
    headers, body = delivery(callr_sim, "sms.mo", sms, event_id=event_id)
    assert await _post(hass_client_no_auth, headers, body) == 202
    await hass.async_block_till_done()
    assert [event.data for event in events] == [
        {
            "config_entry_id": CALLR_ENTRY_ID,
            "device_id": None,
            "guid": sms.hash,
            "number": "+33612345678",
            "number_type": "mobile",
            "message": "Alarm off?",
            "alias": None,
            "received_at": "2026-09-23T12:00:00+00:00",
            "source": "webhook",
            "delayed": False,
            "verified": True,
            "provider": "callr",
        }
    ]
    assert hass.states.get(LAST_SMS).attributes["guid"] == sms.hash
    # CALLR retries (same event id, next try), another subscription (a new event id).
    for again in (
        delivery(callr_sim, "sms.mo", sms, event_id=event_id, try_number=1),
        delivery(callr_sim, "sms.mo", sms),
    ):
        assert await _post(hass_client_no_auth, *again) == 202
    await tick(hass, freezer, SMS_SCAN_INTERVAL)
    await tick(hass, freezer, SMS_SCAN_INTERVAL)
    assert len(events) == 1
    # A signed delivery raises no advice to sign.
    assert ir.async_get(hass).async_get_issue(DOMAIN, f"unsigned_webhook_{CALLR_ENTRY_ID}") is None


async def test_sms_seen_by_polling_first_fires_nothing_when_pushed(
    hass: HomeAssistant,
    signed_callr_entry: MockConfigEntry,
    callr_sim: CallrSim,
    hass_client_no_auth: ClientSessionGenerator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The webhook arrives late, after a poll already fired the SMS: nothing more."""
    events = async_capture_events(hass, EVENT_SMS_RECEIVED)
    sms = callr_sim.incoming("+33612345678", "Polled first")
    await tick(hass, freezer, SMS_SCAN_INTERVAL)
    assert await _post(hass_client_no_auth, *delivery(callr_sim, "sms.mo", sms)) == 202
    await hass.async_block_till_done()
    assert [(e.data["guid"], e.data["source"]) for e in events] == [(sms.hash, "poll")]


async def test_shipped_fixture_signed_with_its_secret(
    hass: HomeAssistant,
    callr_history: CallrSim,
    make_callr_entry: Callable[..., MockConfigEntry],
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """CALLR's real-shaped signed body is accepted byte for byte; an old SMS is delayed."""
    await setup_entry(hass, make_callr_entry({"webhook_secret": FIXTURE_SECRET}))
    events = async_capture_events(hass, EVENT_SMS_RECEIVED)
    assert await _post(hass_client_no_auth, *_fixture("webhook-sms-mo.json")) == 202
    await hass.async_block_till_done()
    assert [
        (e.data["guid"], e.data["message"], e.data["received_at"], e.data["delayed"])
        for e in events
    ] == [("ZK4Q2W7M", "Hello from my phone", "2025-03-31T15:42:00+00:00", True)]


def _tamper_signature(headers: dict[str, str], body: bytes) -> tuple[dict[str, str], bytes]:
    return {**headers, SIGNATURE: sign("not-the-secret", body)}, body


def _drop_signature(headers: dict[str, str], body: bytes) -> tuple[dict[str, str], bytes]:
    return {key: value for key, value in headers.items() if key != SIGNATURE}, body


def _tamper_body(headers: dict[str, str], body: bytes) -> tuple[dict[str, str], bytes]:
    return headers, body.replace(b"Let me in", b"Let us in")


def _reserialised(headers: dict[str, str], body: bytes) -> tuple[dict[str, str], bytes]:
    # The same JSON written differently: the signature covers the raw bytes.
    return headers, json.dumps(json.loads(body), indent=1).encode()


def _non_ascii(headers: dict[str, str], body: bytes) -> tuple[dict[str, str], bytes]:
    return {**headers, SIGNATURE: "é" + headers[SIGNATURE][1:]}, body


def _empty(headers: dict[str, str], body: bytes) -> tuple[dict[str, str], bytes]:
    return {**headers, SIGNATURE: ""}, body


@pytest.mark.parametrize(
    "tamper",
    [_tamper_signature, _drop_signature, _tamper_body, _reserialised, _non_ascii, _empty],
    ids=["wrong_secret", "missing", "body_changed", "reserialised", "non_ascii", "empty"],
)
async def test_bad_signature_is_refused(
    hass: HomeAssistant,
    signed_callr_entry: MockConfigEntry,
    callr_sim: CallrSim,
    hass_client_no_auth: ClientSessionGenerator,
    tamper: Callable[[dict[str, str], bytes], tuple[dict[str, str], bytes]],
    freezer: FrozenDateTimeFactory,
) -> None:
    """With a secret set, anything not signed with it gets 401 and fires nothing."""
    events = async_capture_events(hass, EVENT_SMS_RECEIVED)
    statuses = async_capture_events(hass, EVENT_MESSAGE_STATUS)
    sms = callr_sim.incoming("+33612345678", "Let me in")
    assert await _post(hass_client_no_auth, *tamper(*delivery(callr_sim, "sms.mo", sms))) == 401
    sent = callr_sim.state.send_sms(callr_sim.account, "+33612345678", "Let me in")
    callr_sim.state.set_status(sent, "SENT", push=False)
    status_delivery = tamper(*delivery(callr_sim, "sms.mt.status_update", sent))
    assert await _post(hass_client_no_auth, *status_delivery) == 401
    await hass.async_block_till_done()
    assert events == []
    assert statuses == []
    # The refused SMS is still new for the next poll, which fires it (verified, from CALLR).
    await tick(hass, freezer, SMS_SCAN_INTERVAL)
    assert [(e.data["guid"], e.data["source"], e.data["message"]) for e in events] == [
        (sms.hash, "poll", "Let me in")
    ]


async def test_unsigned_sms_confirmed_with_the_service(
    hass: HomeAssistant,
    callr_entry: MockConfigEntry,
    callr_sim: CallrSim,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """Without a secret, an unsigned sms.mo is looked up on CALLR: found, it fires verified."""
    events = async_capture_events(hass, EVENT_SMS_RECEIVED)
    sms = callr_sim.incoming("+33612345678", "Real one")
    polls_before = len(callr_sim.requests("GET /sms"))
    headers, body = delivery(callr_sim, "sms.mo", sms, secret=None)
    assert SIGNATURE not in headers
    assert await _post(hass_client_no_auth, headers, body) == 202
    await hass.async_block_till_done()
    assert [(e.data["guid"], e.data["verified"], e.data["source"]) for e in events] == [
        (sms.hash, True, "webhook")
    ]
    # One lookup, of received SMS, in a window that holds the pushed SMS.
    [lookup] = callr_sim.requests("GET /sms")[polls_before:]
    assert lookup.query["type"] == "IN"
    assert lookup.query["from"] <= "2026-09-23 12:00:00" <= lookup.query["to"]
    issue = ir.async_get(hass).async_get_issue(DOMAIN, f"unsigned_webhook_{CALLR_ENTRY_ID}")
    assert issue is not None


def _forged(sim: CallrSim, sms_hash: str, sender: str, text: str) -> bytes:
    sms = sim.incoming(sender, text)
    data = sim.state.sms_json(sms)
    del sim.account.sms[sms.hash]
    data["hash"] = sms_hash
    payload: dict[str, Any] = {
        "event_id": "forged-event",
        "event_at": "2026-09-23T12:00:00.000Z",
        "hook_hash": "HOOKHASH",
        "type": "sms.mo",
        "try": 0,
        "data": data,
    }
    return json.dumps(payload).encode()


async def test_forged_sms_fires_unverified_once(
    hass: HomeAssistant,
    callr_entry: MockConfigEntry,
    callr_sim: CallrSim,
    hass_client_no_auth: ClientSessionGenerator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """An unsigned SMS that CALLR does not know fires once, verified false; polls add nothing."""
    events = async_capture_events(hass, EVENT_SMS_RECEIVED)
    body = _forged(callr_sim, "FORGED01", "+33899123456", "Call me back now")
    headers = {"Content-Type": "application/json"}
    assert await _post(hass_client_no_auth, headers, body) == 202
    assert await _post(hass_client_no_auth, headers, body) == 202
    await hass.async_block_till_done()
    await tick(hass, freezer, SMS_SCAN_INTERVAL)
    assert [(e.data["guid"], e.data["verified"], e.data["number_type"]) for e in events] == [
        ("FORGED01", False, "premium_rate")
    ]


async def test_forged_copy_of_a_real_sms_fires_the_services_copy(
    hass: HomeAssistant,
    callr_entry: MockConfigEntry,
    callr_sim: CallrSim,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """A push reusing a real SMS's hash with another sender and text: CALLR's copy fires."""
    events = async_capture_events(hass, EVENT_SMS_RECEIVED)
    real = callr_sim.incoming("+33612345678", "Hi")
    body = _forged(callr_sim, real.hash, "+33899123456", "Send money")
    assert await _post(hass_client_no_auth, {"Content-Type": "application/json"}, body) == 202
    await hass.async_block_till_done()
    assert [(e.data["number"], e.data["message"], e.data["verified"]) for e in events] == [
        ("+33612345678", "Hi", True)
    ]


async def test_unsigned_sms_when_the_service_cannot_confirm(
    hass: HomeAssistant,
    callr_entry: MockConfigEntry,
    callr_sim: CallrSim,
    hass_client_no_auth: ClientSessionGenerator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """CALLR cannot be asked: the push fires unverified, once; the next poll adds nothing."""
    events = async_capture_events(hass, EVENT_SMS_RECEIVED)
    sms = callr_sim.incoming("+33612345678", "Hi")
    callr_sim.state.faults.add(Fault(kind="status", path="GET /sms", status=500))
    headers, body = delivery(callr_sim, "sms.mo", sms, secret=None)
    assert await _post(hass_client_no_auth, headers, body) == 202
    await hass.async_block_till_done()
    await tick(hass, freezer, SMS_SCAN_INTERVAL)
    assert [(e.data["guid"], e.data["verified"]) for e in events] == [(sms.hash, False)]


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("SENT", "sent"),
        ("RECEIVED", "delivered"),
        ("ERROR", "failed"),
        ("FAILED", "failed"),
        ("EXPIRED", "failed"),
    ],
)
async def test_status_update_fires_message_status(
    hass: HomeAssistant,
    signed_callr_entry: MockConfigEntry,
    callr_sim: CallrSim,
    hass_client_no_auth: ClientSessionGenerator,
    status: str,
    expected: str,
) -> None:
    """Each delivery report CALLR maps fires the status event and sets the sensor, once."""
    events = async_capture_events(hass, EVENT_MESSAGE_STATUS)
    sent = callr_sim.state.send_sms(callr_sim.account, "+33612345678", "Alarm")
    callr_sim.state.set_status(sent, status, push=False)  # type: ignore[arg-type]
    headers, body = delivery(callr_sim, "sms.mt.status_update", sent)
    assert await _post(hass_client_no_auth, headers, body) == 202
    # The same report again (a retry, or a second subscription): acknowledged, not fired.
    again = delivery(callr_sim, "sms.mt.status_update", sent, try_number=1)
    assert await _post(hass_client_no_auth, *again) == 202
    await hass.async_block_till_done()
    assert [event.data for event in events] == [
        {
            "config_entry_id": CALLR_ENTRY_ID,
            "guid": sent.hash,
            "status": expected,
            "channel": "sms",
            "verified": True,
            "provider": "callr",
        }
    ]
    sensor = hass.states.get(DELIVERY_STATUS)
    assert sensor.state == expected
    assert sensor.attributes["guid"] == sent.hash
    assert sensor.attributes["channel"] == "sms"
    assert sensor.attributes["options"] == ["queued", "sent", "delivered", "failed"]


async def test_intermediate_statuses_fire_nothing(
    hass: HomeAssistant,
    signed_callr_entry: MockConfigEntry,
    callr_sim: CallrSim,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """PENDING and REMOTE_QUEUED are acknowledged but fire nothing; the sensor waits for SENT."""
    events = async_capture_events(hass, EVENT_MESSAGE_STATUS)
    sent = callr_sim.state.send_sms(callr_sim.account, "+33612345678", "Alarm")
    for status in ("PENDING", "SENT", "REMOTE_QUEUED"):
        callr_sim.state.set_status(sent, status, push=False)  # type: ignore[arg-type]
        headers, body = delivery(callr_sim, "sms.mt.status_update", sent)
        assert await _post(hass_client_no_auth, headers, body) == 202
        await hass.async_block_till_done()
        if status == "PENDING":
            assert hass.states.get(DELIVERY_STATUS).state == "unknown"
    assert [event.data["status"] for event in events] == ["sent"]
    assert hass.states.get(DELIVERY_STATUS).state == "sent"


async def test_unsigned_status_update_is_unverified(
    hass: HomeAssistant,
    callr_entry: MockConfigEntry,
    callr_sim: CallrSim,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """Without a secret, a delivery report fires with verified false."""
    events = async_capture_events(hass, EVENT_MESSAGE_STATUS)
    sent = callr_sim.state.send_sms(callr_sim.account, "+33612345678", "Alarm")
    callr_sim.state.deliver(sent, push=False)
    headers, body = delivery(callr_sim, "sms.mt.status_update", sent, secret=None)
    assert await _post(hass_client_no_auth, headers, body) == 202
    await hass.async_block_till_done()
    assert [(e.data["status"], e.data["verified"]) for e in events] == [("delivered", False)]


def _signed(payload: object) -> tuple[dict[str, str], bytes]:
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return {"Content-Type": "application/json", SIGNATURE: sign(HMAC_SECRET, body)}, body


_MO_WITHOUT_HASH = {
    "event_id": "e1",
    "type": "sms.mo",
    "try": 0,
    "data": {"type": "IN", "from": "+33612345678", "text": "x", "date_received": "x"},
}


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b"not json", 400),
        (b"[1, 2]", 400),
        (b"null", 400),
        (b"{}", 400),
        (_MO_WITHOUT_HASH, 400),
        ({"event_id": "e2", "type": "sms.mo", "data": []}, 400),
        ({"event_id": "e3", "type": "sms.mt.status_update", "data": {"hash": "ABCD1234"}}, 400),
        ({"event_id": "e4", "type": "not a type!", "data": {}}, 400),
        ({"event_id": "e5", "type": "sms.other", "data": {}}, 202),
        (b"[" * 70_000, 413),
        (b'{"a": "' + b"x" * 70_000 + b'"}', 413),
        (b"\xff\xfe\x00{", 400),
    ],
    ids=[
        "not_json",
        "array",
        "null",
        "empty_object",
        "mo_without_hash",
        "mo_data_not_object",
        "status_without_status",
        "bad_type",
        "unknown_type_acknowledged",
        "deep_oversized",
        "oversized",
        "not_utf8",
    ],
)
async def test_malformed_bodies_get_4xx(
    hass: HomeAssistant,
    signed_callr_entry: MockConfigEntry,
    hass_client_no_auth: ClientSessionGenerator,
    caplog: pytest.LogCaptureFixture,
    body: object,
    status: int,
) -> None:
    """Signed but unreadable (or too large) bodies get a 4xx, never a 500, and fire nothing."""
    events = async_capture_events(hass, EVENT_SMS_RECEIVED)
    statuses = async_capture_events(hass, EVENT_MESSAGE_STATUS)
    assert await _post(hass_client_no_auth, *_signed(body)) == status
    await hass.async_block_till_done()
    assert events == []
    assert statuses == []
    assert [
        record.getMessage()
        for record in caplog.records
        if record.name.startswith("custom_components.smsmobileapi")
        and (record.levelno >= logging.WARNING or record.exc_info)
    ] == []


async def test_simulator_pushes_end_to_end(
    hass: HomeAssistant,
    signed_callr_entry: MockConfigEntry,
    callr_sim: CallrSim,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """CALLR's own pushes over HTTP (duplicated on purpose) fire each SMS and report once."""
    client = await hass_client_no_auth()
    url = str(client.make_url(WEBHOOK_URL))
    hooks = callr_sim.state.webhooks
    for event_type in ("sms.mo", "sms.mt.status_update"):
        hooks.subscribe(callr_sim.account, event_type, url, hmac_secret=HMAC_SECRET)  # type: ignore[arg-type]
    received = async_capture_events(hass, EVENT_SMS_RECEIVED)
    statuses = async_capture_events(hass, EVENT_MESSAGE_STATUS)
    hooks.force_duplicates(2)
    sms = callr_sim.state.add_incoming(callr_sim.account, "+33612345678", "Pushed")
    sent = callr_sim.state.send_sms(callr_sim.account, "+33612345678", "Alarm")
    callr_sim.state.deliver(sent)
    await callr_sim.server.drain_webhooks()
    await hass.async_block_till_done()
    assert all(outcome.ok for outcome in hooks.deliveries)
    assert sum(outcome.duplicate for outcome in hooks.deliveries) == 2
    assert [(e.data["guid"], e.data["source"]) for e in received] == [(sms.hash, "webhook")]
    assert [e.data["status"] for e in statuses] == ["sent", "delivered"]


async def test_unsigned_webhook_issue_of_a_callr_entry_points_to_callr(
    hass: HomeAssistant,
    callr_entry: MockConfigEntry,
    callr_sim: CallrSim,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """The advice to sign deliveries sends a CALLR user to the CALLR portal (hmac_secret)."""
    sms = callr_sim.incoming("+33612345678", "Unsigned")
    assert await _post(hass_client_no_auth, *delivery(callr_sim, "sms.mo", sms, secret=None)) == 202
    await hass.async_block_till_done()
    issue = ir.async_get(hass).async_get_issue(DOMAIN, f"unsigned_webhook_{CALLR_ENTRY_ID}")
    assert issue is not None
    assert issue.learn_more_url == "https://app.callr.com/"
    assert issue.translation_key == "unsigned_callr_webhook"
    assert issue.translation_placeholders == {
        "name": callr_entry.title,
        "dashboard_url": "https://app.callr.com/",
    }


async def test_oversized_chunked_body_is_refused(
    hass: HomeAssistant,
    signed_callr_entry: MockConfigEntry,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """A body without a length that grows past the bound is cut off with 413, nothing fired."""
    events = async_capture_events(hass, EVENT_SMS_RECEIVED)

    async def _chunks() -> AsyncIterator[bytes]:
        yield b'{"type": "sms.mo", "data": "'
        for _ in range(80):
            yield b"x" * 1024

    client = await hass_client_no_auth()
    response = await client.post(WEBHOOK_URL, data=_chunks())
    assert response.status == 413
    await hass.async_block_till_done()
    assert events == []


async def test_webhook_is_named_callr(
    hass: HomeAssistant, callr_entry: MockConfigEntry, hass_ws_client: WebSocketGenerator
) -> None:
    """A CALLR account's webhook is CALLR's in Home Assistant's list, not SMSMobileAPI's."""
    assert (await webhook_names(hass, hass_ws_client))[CALLR_WEBHOOK_ID] == "CALLR"
