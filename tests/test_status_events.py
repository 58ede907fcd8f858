"""Webhook V2 steps of a sent message: submitted (queued) and sent from the phone (sent)."""

from collections.abc import Callable

from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_capture_events
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.smsmobileapi.const import CONF_WEBHOOK_SECRET, DOMAIN, EVENT_MESSAGE_STATUS
from smsmobileapi_simulator import WebhookTarget, build_v2_request

from .conftest import ENTRY_ID, NOW, WEBHOOK_ID, Simulator

SECRET = "whsec-test-0123456789"
URL = f"/api/webhook/{WEBHOOK_ID}"
SENSOR = "sensor.smsmobileapi_last_delivery_status"


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


@pytest.mark.parametrize(
    ("event_type", "status", "channel"),
    [
        ("sms.api.submitted", "queued", "sms"),
        ("sms.mobile.sent", "sent", "sms"),
        ("whatsapp.submitted", "queued", "whatsapp"),
    ],
)
async def test_step_fires_message_status(
    hass: HomeAssistant,
    signed_entry: MockConfigEntry,
    hass_client_no_auth: ClientSessionGenerator,
    event_type: str,
    status: str,
    channel: str,
) -> None:
    """Each step that names a message fires the status event and sets the sensor, once."""
    events = async_capture_events(hass, EVENT_MESSAGE_STATUS)
    client = await hass_client_no_auth()
    headers, body = build_v2_request(event_type, {"guid": "G-42"}, SECRET, NOW, event_id="e-1")
    assert (await client.post(URL, data=body, headers=headers)).status == 202
    assert (await client.post(URL, data=body, headers=headers)).status == 202
    await hass.async_block_till_done()
    assert [event.data for event in events] == [
        {
            "config_entry_id": ENTRY_ID,
            "guid": "G-42",
            "status": status,
            "channel": channel,
            "verified": True,
            "provider": "smsmobileapi",
        }
    ]
    sensor = hass.states.get(SENSOR)
    assert sensor.state == status
    assert sensor.attributes["guid"] == "G-42"
    assert sensor.attributes["channel"] == channel


async def test_step_without_message_id_is_ignored(
    hass: HomeAssistant,
    signed_entry: MockConfigEntry,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """An SMS sent by hand on the phone (no id of ours) is acknowledged and fires nothing."""
    events = async_capture_events(hass, EVENT_MESSAGE_STATUS)
    client = await hass_client_no_auth()
    headers, body = build_v2_request("sms.mobile.sent", {"recipients": "+32470000001"}, SECRET, NOW)
    assert (await client.post(URL, data=body, headers=headers)).status == 202
    await hass.async_block_till_done()
    assert events == []
    assert hass.states.get(SENSOR).state == "unknown"


async def test_send_then_steps_pushed_by_the_service(
    hass: HomeAssistant,
    signed_entry: MockConfigEntry,
    seeded: Simulator,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """End to end: send_message, the service pushes submitted then sent; the sensor follows."""
    client = await hass_client_no_auth()
    seeded.state.webhook = WebhookTarget(
        str(client.make_url(URL)), format="v2", secret=SECRET, message_events=True
    )
    events = async_capture_events(hass, EVENT_MESSAGE_STATUS)
    response = await hass.services.async_call(
        DOMAIN,
        "send_message",
        {"recipients": ["+32470000001"], "message": "Hi"},
        blocking=True,
        return_response=True,
    )
    guid = response["messages"][0]["guid"]  # type: ignore[index]
    await seeded.server.drain_webhooks()
    await hass.async_block_till_done()
    assert hass.states.get(SENSOR).state == "queued"
    [sent] = seeded.state.sent
    seeded.state.push_message_event(sent, "sms.mobile.sent")
    await seeded.server.drain_webhooks()
    await hass.async_block_till_done()
    assert [(e.data["guid"], e.data["status"]) for e in events] == [
        (guid, "queued"),
        (guid, "sent"),
    ]
    assert hass.states.get(SENSOR).state == "sent"
    assert all(delivery.status == 202 for delivery in seeded.state.webhook_deliveries)
