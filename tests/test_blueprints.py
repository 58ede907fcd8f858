"""The shipped automation blueprints load, validate and do what they say."""

from pathlib import Path
import shutil

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.automation.config import AUTOMATION_BLUEPRINT_SCHEMA
from homeassistant.components.blueprint import models
from homeassistant.core import HomeAssistant, SupportsResponse
from homeassistant.setup import async_setup_component
from homeassistant.util.yaml import load_yaml_dict
import pytest
from pytest_homeassistant_custom_component.common import async_mock_service

from custom_components.smsmobileapi.const import DOMAIN, EVENT_SMS_RECEIVED

BLUEPRINTS = Path(__file__).parent.parent / "blueprints" / "automation" / DOMAIN


def _sms(
    number: str,
    message: str,
    *,
    delayed: bool = False,
    verified: bool = True,
    number_type: str | None = "mobile",
) -> dict[str, object]:
    return {
        "config_entry_id": "entry-1",
        "device_id": None,
        "guid": "G",
        "number": number,
        "number_type": number_type,
        "message": message,
        "alias": None,
        "received_at": "2026-09-23T12:00:00+00:00",
        "source": "webhook",
        "delayed": delayed,
        "verified": verified,
    }


@pytest.mark.parametrize("name", ["forward_sms.yaml", "auto_reply.yaml"])
def test_blueprint_is_valid(name: str) -> None:
    """Each blueprint passes Home Assistant's blueprint schema for automations."""
    blueprint = models.Blueprint(
        load_yaml_dict(str(BLUEPRINTS / name)),
        expected_domain="automation",
        schema=AUTOMATION_BLUEPRINT_SCHEMA,
    )
    assert blueprint.domain == "automation"
    assert blueprint.inputs


async def _use(hass: HomeAssistant, name: str, inputs: dict[str, object]) -> None:
    target = Path(hass.config.path("blueprints", "automation", DOMAIN))

    def _copy() -> None:
        target.mkdir(parents=True, exist_ok=True)
        shutil.copy(BLUEPRINTS / name, target / name)

    await hass.async_add_executor_job(_copy)
    assert await async_setup_component(
        hass,
        "automation",
        {
            "automation": {
                "use_blueprint": {"path": f"{DOMAIN}/{name}", "input": inputs},
            }
        },
    )
    await hass.async_block_till_done()


async def test_forward_sms(hass: HomeAssistant) -> None:
    """Chosen senders are forwarded to the notify entity; others and late ones are not."""
    calls = async_mock_service(hass, "notify", "send_message")
    await _use(
        hass,
        "forward_sms.yaml",
        {"notify_target": "notify.my_phone", "senders": ["+32470000001"]},
    )
    hass.bus.async_fire(EVENT_SMS_RECEIVED, _sms("+32470000001", "Door open"))
    hass.bus.async_fire(EVENT_SMS_RECEIVED, _sms("+32470000002", "Spam"))
    hass.bus.async_fire(EVENT_SMS_RECEIVED, _sms("+32470000001", "Old", delayed=True))
    hass.bus.async_fire(EVENT_SMS_RECEIVED, _sms("+32470000001", "Forged", verified=False))
    await hass.async_block_till_done()
    assert [(call.data["message"], call.data["title"]) for call in calls] == [
        ("Door open", "SMS from +32470000001")
    ]
    assert calls[0].data["entity_id"] == ["notify.my_phone"]


async def test_auto_reply(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> None:
    """A verified SMS with the keyword from a mobile number is answered, once per cooldown.

    Forged (unverified), late, premium-rate and recently answered senders get nothing.
    """
    freezer.move_to("2026-09-23T12:00:00+00:00")
    lookups = async_mock_service(
        hass,
        DOMAIN,
        "get_sent_messages",
        response={
            "messages": [
                # Answered 5 minutes ago: still in the cooldown.
                {"recipients": "+32470000003", "sent_at": "2026-09-23T11:55:00+00:00"},
                # Answered an hour ago: the cooldown is over.
                {"recipients": "+32470000004", "sent_at": "2026-09-23T11:00:00+00:00"},
                # Another number that contains the sender's: not the sender.
                {"recipients": "+324700000011", "sent_at": "2026-09-23T11:59:00+00:00"},
            ]
        },
        supports_response=SupportsResponse.ONLY,
    )
    calls = async_mock_service(hass, DOMAIN, "send_message")
    await _use(
        hass,
        "auto_reply.yaml",
        {"keyword": "STATUS", "reply": "All good at home.", "cooldown": 10},
    )
    for event in (
        _sms("+32470000001", "status please"),
        _sms("+32470000002", "hello"),
        _sms("+32470000005", "STATUS", verified=False),
        _sms("+32470000006", "status", delayed=True),
        _sms("+33892123456", "status", number_type="premium_rate"),
        _sms("SHORTCODE", "status", number_type=None),
        _sms("+32470000003", "status"),
        _sms("+32470000004", "status"),
    ):
        hass.bus.async_fire(EVENT_SMS_RECEIVED, event)
    await hass.async_block_till_done()
    assert [call.data for call in calls] == [
        {
            "config_entry_id": "entry-1",
            "recipients": [number],
            "message": "All good at home.",
        }
        for number in ("+32470000001", "+32470000004")
    ]
    # The template renders the number as a number (the action's schema makes it the digits):
    # the log's keyword filter matches it inside "+32...".
    assert [str(call.data["keyword"]) for call in lookups] == [
        "32470000001",
        "32470000003",
        "32470000004",
    ]
