"""WhatsApp by polling (``poll_whatsapp``): off by default, exactly once beside Webhook V2."""

from collections.abc import Callable
import logging

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_capture_events
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.smsmobileapi.const import (
    CONF_WEBHOOK_SECRET,
    EVENT_SMS_RECEIVED,
    EVENT_WHATSAPP_RECEIVED,
    SMS_SCAN_INTERVAL,
)
from smsmobileapi_simulator import Fault, build_v2_request
from smsmobileapi_simulator.state import SimReceivedWhatsApp
from smsmobileapi_simulator.webhooks import whatsapp_event_data

from .conftest import ENTRY_ID, NOW, WEBHOOK_ID, Simulator
from .helpers import tick

SECRET = "whsec-test-0123456789"
URL = f"/api/webhook/{WEBHOOK_ID}"


def _getwa_requests(sim: Simulator) -> list[str]:
    return [request.path for request in sim.state.requests if request.path.startswith("/getwa")]


async def _setup(
    hass: HomeAssistant, make_entry: Callable[..., MockConfigEntry], **options: object
) -> MockConfigEntry:
    entry = make_entry()
    hass.config_entries.async_update_entry(entry, options=options)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry


@pytest.fixture
async def polling_entry(
    hass: HomeAssistant, seeded: Simulator, make_entry: Callable[..., MockConfigEntry]
) -> MockConfigEntry:
    """An entry with WhatsApp polling on and a Webhook V2 secret, with WhatsApp history."""
    seeded.state.add_received_whatsapp(
        seeded.account, "+32470000011", "Old chat", name="Kim", received_at=NOW
    )
    return await _setup(hass, make_entry, poll_whatsapp=True, **{CONF_WEBHOOK_SECRET: SECRET})


def _pushed(received: SimReceivedWhatsApp) -> tuple[dict[str, str], bytes]:
    return build_v2_request("whatsapp.received", whatsapp_event_data(received), SECRET, NOW)


async def test_off_by_default(
    hass: HomeAssistant,
    seeded: Simulator,
    make_entry: Callable[..., MockConfigEntry],
    freezer: FrozenDateTimeFactory,
) -> None:
    """Without the option, WhatsApp retrieval is neither switched on nor read."""
    await _setup(hass, make_entry)
    seeded.state.add_received_whatsapp(seeded.account, "+32470000011", "Hello")
    await tick(hass, freezer, SMS_SCAN_INTERVAL)
    assert _getwa_requests(seeded) == []
    assert seeded.account.whatsapp_retrieval is False


async def test_setup_switches_retrieval_on_and_records_history(
    hass: HomeAssistant, seeded: Simulator, make_entry: Callable[..., MockConfigEntry]
) -> None:
    """The option is the owner's consent: setup activates retrieval; history fires nothing."""
    seeded.state.add_received_whatsapp(seeded.account, "+32470000011", "Old chat", received_at=NOW)
    events = async_capture_events(hass, EVENT_WHATSAPP_RECEIVED)
    entry = await _setup(hass, make_entry, poll_whatsapp=True)
    assert seeded.requests_to("/getwa/active/") == [
        {"statut": "1", "from": "homeassistant", "apikey": seeded.account.api_key}
    ]
    assert seeded.account.whatsapp_retrieval is True
    assert _getwa_requests(seeded) == ["/getwa/active/", "/getwa/synchronisation/", "/getwa/"]
    assert events == []
    assert entry.runtime_data.inbox.ledger.cursor("whatsapp") == NOW


async def test_polled_message_fires_once_then_push_adds_nothing(
    hass: HomeAssistant,
    polling_entry: MockConfigEntry,
    seeded: Simulator,
    hass_client_no_auth: ClientSessionGenerator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A new message fires once by polling; the same message pushed later fires nothing."""
    events = async_capture_events(hass, EVENT_WHATSAPP_RECEIVED)
    freezer.tick(30)
    received = seeded.state.add_received_whatsapp(
        seeded.account, "+32470000012", "Is it ready?", name="Sam"
    )
    await tick(hass, freezer, SMS_SCAN_INTERVAL)
    await tick(hass, freezer, SMS_SCAN_INTERVAL)
    assert [event.data for event in events] == [
        {
            "config_entry_id": ENTRY_ID,
            "kind": "received",
            "guid": received.guid,
            "number": "+32470000012",
            "number_type": "mobile",
            "name": "Sam",
            "message": "Is it ready?",
            "voice": False,
            "received_at": "2026-09-23T12:00:30+00:00",
            "source": "poll",
            "delayed": False,
            "verified": True,
            "provider": "smsmobileapi",
        }
    ]
    client = await hass_client_no_auth()
    headers, body = _pushed(received)
    response = await client.post(URL, data=body, headers=headers)
    assert response.status == 202
    await hass.async_block_till_done()
    assert len(events) == 1
    state = hass.states.get("event.smsmobileapi_whatsapp")
    assert state.attributes["guid"] == received.guid


async def test_pushed_message_fires_once_then_poll_adds_nothing(
    hass: HomeAssistant,
    polling_entry: MockConfigEntry,
    seeded: Simulator,
    hass_client_no_auth: ClientSessionGenerator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A message pushed by Webhook V2 fires at once; polling it afterwards fires nothing."""
    events = async_capture_events(hass, EVENT_WHATSAPP_RECEIVED)
    freezer.tick(30)
    received = seeded.state.add_received_whatsapp(seeded.account, "+32470000012", "Pushed")
    client = await hass_client_no_auth()
    headers, body = _pushed(received)
    assert (await client.post(URL, data=body, headers=headers)).status == 202
    await hass.async_block_till_done()
    assert [(e.data["guid"], e.data["source"]) for e in events] == [(received.guid, "webhook")]
    await tick(hass, freezer, SMS_SCAN_INTERVAL)
    await tick(hass, freezer, SMS_SCAN_INTERVAL)
    assert len(events) == 1
    # The polls did list it (it arrived while the synchronisation window was open).
    assert received.synced
    assert len(seeded.requests_to("/getwa/")) == 3


@pytest.mark.parametrize(
    "refuse",
    [
        lambda sim: setattr(sim.account, "whatsapp_retrieval", False),
        lambda sim: sim.state.faults.add(Fault(kind="status", path="/getwa/", times=None)),
        lambda sim: sim.state.faults.add(Fault(kind="html", path="/getwa/", times=None)),
    ],
    ids=["retrieval_switched_off", "server_error", "proxy_page"],
)
async def test_refusal_keeps_sms_working(
    hass: HomeAssistant,
    polling_entry: MockConfigEntry,
    seeded: Simulator,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
    refuse: Callable[[Simulator], object],
) -> None:
    """The service refuses /getwa/: one warning; SMS are still read and entities available."""
    sms_events = async_capture_events(hass, EVENT_SMS_RECEIVED)
    refuse(seeded)
    caplog.clear()
    for _ in range(3):
        seeded.state.add_received_sms(seeded.account, number="+32470000001", message="Still here")
        await tick(hass, freezer, SMS_SCAN_INTERVAL)
        assert hass.states.get("sensor.smsmobileapi_last_sms_received").state != STATE_UNAVAILABLE
        assert hass.states.get("sensor.smsmobileapi_unread_sms").state != STATE_UNAVAILABLE
    assert len(sms_events) == 3
    warnings = [
        record.getMessage()
        for record in caplog.records
        if record.name.startswith("custom_components.smsmobileapi")
        and record.levelno >= logging.WARNING
    ]
    assert len(warnings) == 1
    assert warnings[0].startswith("WhatsApp messages cannot be read by polling")


async def test_activation_refused_at_setup_is_a_warning(
    hass: HomeAssistant,
    seeded: Simulator,
    make_entry: Callable[..., MockConfigEntry],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Switching retrieval on fails: the entry still loads, with a warning."""
    seeded.state.faults.add(Fault(kind="status", path="/getwa/active/"))
    entry = await _setup(hass, make_entry, poll_whatsapp=True)
    assert entry.runtime_data.coordinator.last_update_success
    assert "WhatsApp retrieval could not be switched on" in caplog.text
