"""Incoming SMS and calls: webhook (legacy and V2) and polling, each delivered exactly once."""

import asyncio
from collections.abc import Callable
from datetime import timedelta
import json
from pathlib import Path
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import Event, HomeAssistant
from homeassistant.helpers import device_registry as dr
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.smsmobileapi.const import (
    CONF_WEBHOOK_SECRET,
    EVENT_CALL,
    EVENT_MESSAGE_STATUS,
    EVENT_SMS_RECEIVED,
    EVENT_WHATSAPP_RECEIVED,
    SLOW_SCAN_INTERVAL,
    SMS_SCAN_INTERVAL,
)
from smsmobileapi_simulator import build_legacy_body, build_v2_request
from smsmobileapi_simulator.webhooks import call_event_data, sms_event_data

from .conftest import API_KEY, NOW, WEBHOOK_ID, Simulator
from .helpers import tick

FIXTURES = Path(__file__).parent / "fixtures" / "webhook_v2"
SECRET = "whsec-test-0123456789"
URL = f"/api/webhook/{WEBHOOK_ID}"


def _fixture(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_text())
    return data


def _signed(
    payload: dict[str, Any], *, secret: str = SECRET, at: int | None = None
) -> tuple[dict[str, str], bytes]:
    """Headers and body of a V2 delivery of ``payload`` (a shipped fixture), signed."""
    from smsmobileapi_simulator import sign_v2  # noqa: PLC0415

    body = json.dumps(payload).encode()
    timestamp = at if at is not None else int(NOW.timestamp())
    return (
        {
            "Content-Type": "application/json",
            "X-SMSMobileAPI-Event": payload["type"],
            "X-SMSMobileAPI-Event-ID": payload["id"],
            "X-SMSMobileAPI-Timestamp": str(timestamp),
            "X-SMSMobileAPI-Signature": sign_v2(secret, timestamp, body),
            "Idempotency-Key": payload["id"],
        },
        body,
    )


@pytest.fixture
async def signed_entry(
    hass: HomeAssistant, seeded: Simulator, make_entry: Callable[..., MockConfigEntry]
) -> MockConfigEntry:
    """An entry with a Webhook V2 secret, set up."""
    entry = make_entry()
    hass.config_entries.async_update_entry(entry, options={CONF_WEBHOOK_SECRET: SECRET})
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry


async def test_first_setup_fires_nothing(
    hass: HomeAssistant, seeded: Simulator, make_entry: Callable[..., MockConfigEntry]
) -> None:
    """The history found at the very first setup is recorded, not fired."""
    sms_events = async_capture_events(hass, EVENT_SMS_RECEIVED)
    call_events = async_capture_events(hass, EVENT_CALL)
    entry = make_entry()
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert sms_events == []
    assert call_events == []
    assert hass.states.get("sensor.smsmobileapi_last_sms_received").attributes["message"] == (
        "See you"
    )


async def test_poll_fires_new_sms_once(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    seeded: Simulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A new SMS found by polling fires once, however often it is polled again."""
    events = async_capture_events(hass, EVENT_SMS_RECEIVED)
    sms = seeded.state.add_received_sms(
        seeded.account, number="+32470000001", message="Door open", sid="phone-kitchen"
    )
    for _ in range(3):
        await tick(hass, freezer, SMS_SCAN_INTERVAL)
    assert len(events) == 1
    registry = dr.async_get(hass)
    kitchen = next(
        device
        for device in dr.async_entries_for_config_entry(registry, loaded_entry.entry_id)
        if device.name == "Kitchen phone"
    )
    assert events[0].data == {
        "config_entry_id": loaded_entry.entry_id,
        "device_id": kitchen.id,
        "guid": sms.guid,
        "number": "+32470000001",
        "number_type": "mobile",
        "message": "Door open",
        "alias": None,
        "received_at": sms.received_at.isoformat(),
        "source": "poll",
        "delayed": False,
        "verified": True,
        "provider": "smsmobileapi",
    }
    state = hass.states.get("event.kitchen_phone_sms")
    assert state.attributes["event_type"] == "received"
    assert state.attributes["message"] == "Door open"
    assert API_KEY not in json.dumps(events[0].data)


async def test_identical_texts_are_two_events(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    seeded: Simulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Two identical texts from the same sender are two messages."""
    events = async_capture_events(hass, EVENT_SMS_RECEIVED)
    for _ in range(2):
        seeded.state.add_received_sms(seeded.account, number="+32470000001", message="Ping")
    await tick(hass, freezer, SMS_SCAN_INTERVAL)
    assert [event.data["message"] for event in events] == ["Ping", "Ping"]
    assert events[0].data["guid"] != events[1].data["guid"]


async def test_legacy_webhook_then_poll(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    seeded: Simulator,
    hass_client_no_auth: ClientSessionGenerator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The legacy webhook fires at once; the poll that later sees the same SMS does not."""
    events = async_capture_events(hass, EVENT_SMS_RECEIVED)
    client = await hass_client_no_auth()
    sms = seeded.state.add_received_sms(seeded.account, number="+32470000002", message="Hi")
    response = await client.post(URL, data=build_legacy_body(sms))
    assert response.status == 200
    await hass.async_block_till_done()
    assert [event.data["source"] for event in events] == ["webhook"]
    assert hass.states.get("sensor.smsmobileapi_last_sms_received").attributes["message"] == "Hi"
    await tick(hass, freezer, SMS_SCAN_INTERVAL)
    assert len(events) == 1
    # The same webhook delivered again (the service retries) fires nothing either.
    response = await client.post(URL, data=build_legacy_body(sms))
    assert response.status == 200
    assert len(events) == 1


async def test_poll_then_webhook(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    seeded: Simulator,
    hass_client_no_auth: ClientSessionGenerator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A webhook that comes after the poll already fired the SMS fires nothing."""
    events = async_capture_events(hass, EVENT_SMS_RECEIVED)
    sms = seeded.state.add_received_sms(seeded.account, number="+32470000002", message="Late")
    await tick(hass, freezer, SMS_SCAN_INTERVAL)
    client = await hass_client_no_auth()
    response = await client.post(URL, data=build_legacy_body(sms))
    assert response.status == 200
    assert [event.data["source"] for event in events] == ["poll"]


async def test_webhook_and_poll_concurrently(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    seeded: Simulator,
    hass_client_no_auth: ClientSessionGenerator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Many SMS pushed and polled at the same time: each fires exactly once."""
    events = async_capture_events(hass, EVENT_SMS_RECEIVED)
    client = await hass_client_no_auth()
    messages = [
        seeded.state.add_received_sms(seeded.account, number="+32470000003", message=f"n{i}")
        for i in range(20)
    ]
    posts = [client.post(URL, data=build_legacy_body(sms)) for sms in messages[::2]]
    results = await asyncio.gather(tick(hass, freezer, SMS_SCAN_INTERVAL), *posts)
    assert all(response.status == 200 for response in results[1:])
    await hass.async_block_till_done()
    assert sorted(event.data["guid"] for event in events) == sorted(s.guid for s in messages)


async def test_restart_replays_nothing_and_catches_up(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    seeded: Simulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """After a restart: nothing fired before fires again; what came meanwhile fires, delayed."""
    events = async_capture_events(hass, EVENT_SMS_RECEIVED)
    call_events = async_capture_events(hass, EVENT_CALL)
    seeded.state.add_received_sms(seeded.account, number="+32470000004", message="Before")
    await tick(hass, freezer, SMS_SCAN_INTERVAL)
    assert [event.data["message"] for event in events] == ["Before"]
    assert await hass.config_entries.async_unload(loaded_entry.entry_id)
    await hass.async_block_till_done()
    # Home Assistant is down for 40 minutes; an SMS and a missed call arrive meanwhile.
    freezer.tick(timedelta(minutes=20))
    down_sms = seeded.state.add_received_sms(
        seeded.account, number="+32470000005", message="While down"
    )
    seeded.state.add_call(
        seeded.account,
        call_type="missed",
        number="+32470000006",
        name="Kim",
        at=NOW + timedelta(minutes=21),
        duration=0,
    )
    freezer.tick(timedelta(minutes=20))
    assert await hass.config_entries.async_setup(loaded_entry.entry_id)
    await hass.async_block_till_done()
    assert [event.data["message"] for event in events] == ["Before", "While down"]
    assert events[1].data["delayed"] is True
    assert events[1].data["received_at"] == down_sms.received_at.isoformat()
    assert [(e.data["number"], e.data["call_type"], e.data["delayed"]) for e in call_events] == [
        ("+32470000006", "missed", True)
    ]
    await tick(hass, freezer, SMS_SCAN_INTERVAL)
    await tick(hass, freezer, SLOW_SCAN_INTERVAL)
    assert len(events) == 2
    assert len(call_events) == 1


async def test_calls_of_each_type_by_polling(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    seeded: Simulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Missed, incoming and outgoing calls found by polling fire once each."""
    events = async_capture_events(hass, EVENT_CALL)
    at = NOW + timedelta(minutes=1)
    for kind, number in (("missed", "+3211"), ("incoming", "+3222"), ("outgoing", "+3233")):
        seeded.state.add_call(
            seeded.account,
            call_type=kind,
            number=number,
            name=None,
            at=at,
            duration=0 if kind == "missed" else 30,
        )
    freezer.tick(timedelta(minutes=2))
    await tick(hass, freezer, SLOW_SCAN_INTERVAL)
    await tick(hass, freezer, SLOW_SCAN_INTERVAL)
    assert sorted((e.data["call_type"], e.data["number"]) for e in events) == [
        ("incoming", "+3222"),
        ("missed", "+3211"),
        ("outgoing", "+3233"),
    ]
    assert all(e.data["source"] == "poll" and e.data["delayed"] is False for e in events)
    assert hass.states.get("event.smsmobileapi_call").attributes["event_type"] in {
        "missed",
        "incoming",
        "outgoing",
    }
    assert hass.states.get("sensor.smsmobileapi_missed_calls_today").state == "2"


async def test_v2_sms_signed(
    hass: HomeAssistant,
    signed_entry: MockConfigEntry,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """A V2 sms.received, signed with the secret, fires once; its replay fires nothing."""
    events = async_capture_events(hass, EVENT_SMS_RECEIVED)
    client = await hass_client_no_auth()
    headers, body = _signed(_fixture("sms.received"))
    response = await client.post(URL, data=body, headers=headers)
    assert response.status == 202
    response = await client.post(URL, data=body, headers=headers)
    assert response.status == 202
    assert len(events) == 1
    assert events[0].data | {"config_entry_id": None} == {
        "config_entry_id": None,
        "device_id": None,
        "guid": "SMS-GUID-1001",
        "number": "+15551234567",
        "number_type": None,
        "message": "Can you call me back?",
        "alias": "Taylor",
        "received_at": "2026-09-23T12:00:00+00:00",
        "source": "webhook",
        "delayed": False,
        "verified": True,
        "provider": "smsmobileapi",
    }


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(lambda h, b: ({**h, "X-SMSMobileAPI-Signature": "v1=00"}, b), id="bad_sig"),
        pytest.param(
            lambda h, b: ({k: v for k, v in h.items() if "Signature" not in k}, b), id="unsigned"
        ),
        pytest.param(lambda h, b: (h, b.replace(b"call me", b"CALL ME")), id="altered_body"),
        pytest.param(
            lambda h, b: _signed(json.loads(b), at=int(NOW.timestamp()) - 301), id="stale"
        ),
        pytest.param(lambda h, b: _signed(json.loads(b), secret="other"), id="other_secret"),
    ],
)
async def test_v2_refused_without_valid_signature(
    hass: HomeAssistant,
    signed_entry: MockConfigEntry,
    hass_client_no_auth: ClientSessionGenerator,
    tamper: Callable[[dict[str, str], bytes], tuple[dict[str, str], bytes]],
) -> None:
    """Once a secret is set, unsigned, badly signed and stale requests get 401, fire nothing."""
    events = async_capture_events(hass, EVENT_SMS_RECEIVED)
    client = await hass_client_no_auth()
    headers, body = tamper(*_signed(_fixture("sms.received")))
    response = await client.post(URL, data=body, headers=headers)
    assert response.status == 401
    legacy = await client.post(URL, data=b'{"guid":"x","number":"+1","message":"m"}')
    assert legacy.status == 401
    assert events == []


async def test_v2_calls_whatsapp_and_status(
    hass: HomeAssistant,
    signed_entry: MockConfigEntry,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """Each V2 type fires its bus event and its event entity; unknown types are acknowledged."""
    calls = async_capture_events(hass, EVENT_CALL)
    whatsapp = async_capture_events(hass, EVENT_WHATSAPP_RECEIVED)
    status = async_capture_events(hass, EVENT_MESSAGE_STATUS)
    client = await hass_client_no_auth()
    for name in ("call.missed", "whatsapp.received", "whatsapp.voice.transcribed"):
        response = await client.post(
            URL, data=_signed(_fixture(name))[1], headers=_signed(_fixture(name))[0]
        )
        assert response.status == 202
    for event_type, event_id in (
        ("sms.failed", "e-1"),
        ("whatsapp.sent", "e-2"),
        ("email.received", "e-3"),
        ("brand.new.type", "e-4"),
    ):
        headers, body = build_v2_request(
            event_type, {"guid": "G-7"}, SECRET, NOW, event_id=event_id
        )
        response = await client.post(URL, data=body, headers=headers)
        assert response.status == 202
    assert [(c.data["call_type"], c.data["number"], c.data["name"]) for c in calls] == [
        ("missed", "+15557654321", "Morgan")
    ]
    assert [(w.data["kind"], w.data["message"]) for w in whatsapp] == [
        ("received", "Is my order ready?"),
        ("voice_transcribed", "Please call me when the package is available."),
    ]
    assert [(s.data["status"], s.data["channel"], s.data["guid"]) for s in status] == [
        ("failed", "sms", "G-7"),
        ("sent", "whatsapp", "G-7"),
    ]
    state = hass.states.get("event.smsmobileapi_whatsapp")
    assert state.attributes["event_type"] == "voice_transcribed"


@pytest.mark.parametrize(
    ("body", "headers", "status"),
    [
        (b"not json", {}, 400),
        (b"[1, 2]", {}, 400),
        (b'{"number": "+1"}', {}, 400),
        (b"[" * 70_000, {}, 413),
        (b'{"id": "x", "type": "sms.received", "data": {"from": "+1"}}', {}, 400),
        (b'{"id": "x", "type": "call.missed", "data": []}', {}, 400),
    ],
    ids=["not_json", "not_object", "missing_guid", "oversized", "v2_missing_guid", "v2_bad_data"],
)
async def test_malformed_bodies(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    hass_client_no_auth: ClientSessionGenerator,
    body: bytes,
    headers: dict[str, str],
    status: int,
) -> None:
    """Bad bodies get a clear status and change nothing."""
    events: list[Event] = async_capture_events(hass, EVENT_SMS_RECEIVED)
    client = await hass_client_no_auth()
    response = await client.post(URL, data=body, headers=headers)
    assert response.status == status
    assert events == []


async def test_wrong_method(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """Only POST is accepted."""
    client = await hass_client_no_auth()
    response = await client.get(URL)
    assert response.status == 405
    response = await client.put(URL, data=b"{}")
    assert response.status == 405


async def test_webhook_gone_after_unload(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    seeded: Simulator,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """After unload the webhook is unregistered: a push fires nothing."""
    events = async_capture_events(hass, EVENT_SMS_RECEIVED)
    assert await hass.config_entries.async_unload(loaded_entry.entry_id)
    client = await hass_client_no_auth()
    sms = seeded.state.add_received_sms(seeded.account, number="+32470000002", message="Hi")
    await client.post(URL, data=build_legacy_body(sms))
    assert events == []


async def test_v2_sms_from_simulator_matches_poll(
    hass: HomeAssistant,
    signed_entry: MockConfigEntry,
    seeded: Simulator,
    hass_client_no_auth: ClientSessionGenerator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The same SMS and call by V2 webhook and by polling fire once each."""
    sms_events = async_capture_events(hass, EVENT_SMS_RECEIVED)
    call_events = async_capture_events(hass, EVENT_CALL)
    client = await hass_client_no_auth()
    sms = seeded.state.add_received_sms(seeded.account, number="+32470000009", message="Both")
    call = seeded.state.add_call(
        seeded.account, call_type="missed", number="+32470000010", name="Lee", at=NOW, duration=0
    )
    for event_type, data in (
        ("sms.received", sms_event_data(sms)),
        ("call.missed", call_event_data(call)),
    ):
        headers, body = build_v2_request(event_type, data, SECRET, NOW)
        assert (await client.post(URL, data=body, headers=headers)).status == 202
    await tick(hass, freezer, SMS_SCAN_INTERVAL)
    await tick(hass, freezer, SLOW_SCAN_INTERVAL)
    assert [e.data["source"] for e in sms_events] == ["webhook"]
    assert [e.data["source"] for e in call_events] == ["webhook"]


async def test_lone_surrogates_are_replaced(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    seeded: Simulator,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """A truncated emoji (a lone surrogate) never reaches an event, a state or the recorder."""
    events = async_capture_events(hass, EVENT_SMS_RECEIVED)
    body = (
        '{"guid": "SURROGATE-1", "number": "+32470000001", "message": "Bye \\ud83d",'
        f' "timestamp_unix": {int(NOW.timestamp())}}}'
    ).encode()
    client = await hass_client_no_auth()
    response = await client.post(URL, data=body)
    assert response.status == 200
    await hass.async_block_till_done()
    [event] = events
    assert event.data["message"] == "Bye \ufffd"
    event.data["message"].encode("utf-8")  # a lone surrogate would raise here
    assert (
        "\ud83d"
        not in hass.states.get("sensor.smsmobileapi_last_sms_received").attributes["message"]
    )
