"""The shipped automation blueprints load, validate and do what they say."""

from pathlib import Path
import shutil

from homeassistant.components.automation.config import AUTOMATION_BLUEPRINT_SCHEMA
from homeassistant.components.blueprint import models
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from homeassistant.util.yaml import load_yaml_dict
import pytest
from pytest_homeassistant_custom_component.common import async_mock_service

from custom_components.smsmobileapi.const import DOMAIN, EVENT_SMS_RECEIVED

BLUEPRINTS = Path(__file__).parent.parent / "blueprints" / "automation" / DOMAIN


def _sms(number: str, message: str, *, delayed: bool = False) -> dict[str, object]:
    return {
        "config_entry_id": "entry-1",
        "device_id": None,
        "guid": "G",
        "number": number,
        "message": message,
        "alias": None,
        "received_at": "2026-09-23T12:00:00+00:00",
        "source": "webhook",
        "delayed": delayed,
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
    await hass.async_block_till_done()
    assert [(call.data["message"], call.data["title"]) for call in calls] == [
        ("Door open", "SMS from +32470000001")
    ]
    assert calls[0].data["entity_id"] == ["notify.my_phone"]


async def test_auto_reply(hass: HomeAssistant) -> None:
    """An SMS with the keyword is answered through the same entry, to the sender."""
    calls = async_mock_service(hass, DOMAIN, "send_message")
    await _use(hass, "auto_reply.yaml", {"keyword": "STATUS", "reply": "All good at home."})
    hass.bus.async_fire(EVENT_SMS_RECEIVED, _sms("+32470000001", "status please"))
    hass.bus.async_fire(EVENT_SMS_RECEIVED, _sms("+32470000002", "hello"))
    await hass.async_block_till_done()
    assert [call.data for call in calls] == [
        {
            "config_entry_id": "entry-1",
            "recipients": ["+32470000001"],
            "message": "All good at home.",
        }
    ]
