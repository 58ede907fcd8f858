"""Sending through CALLR: the action and the recipients' notify entities, one POST /sms each."""

import asyncio
from datetime import timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import SOURCE_USER
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType, InvalidData
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.smsmobileapi.api import CallrClient
from custom_components.smsmobileapi.const import DOMAIN
from smsmobileapi_simulator import Fault
from tests.conftest import NOW
from tests.services.helpers import with_running_clock

from .conftest import CallrSim

OPTIONS = {"nature": "ALERTING"}
CANNOT = "CALLR sends plain SMS only: no WhatsApp, phone, SIM, schedule, short links or encryption"


async def _send(hass: HomeAssistant, **data: Any) -> Any:  # noqa: ANN401  # the action's response
    return await hass.services.async_call(
        DOMAIN,
        "send_message",
        {"recipients": ["+33612345678"], "message": "Dinner is ready", **data},
        blocking=True,
        return_response=True,
    )


def _sent_json(sim: CallrSim) -> list[object]:
    return [request.json for request in sim.requests("POST /sms")]


async def test_send_message(
    hass: HomeAssistant, callr_entry: MockConfigEntry, callr_sim: CallrSim
) -> None:
    """One recipient: CALLR gets exactly this JSON; the response holds the SMS's hash."""
    response = await _send(hass, recipients=["+33 6 12 34 56 78"])
    assert _sent_json(callr_sim) == [
        {"to": "+33612345678", "from": "", "body": "Dinner is ready", "options": OPTIONS}
    ]
    [sms] = callr_sim.account.outgoing
    assert response == {
        "messages": [{"recipient": "+33612345678", "guid": sms.hash, "status": "queued"}]
    }
    request = callr_sim.requests("POST /sms")[0]
    assert request.headers["Content-Type"].startswith("application/json")


async def test_one_request_per_recipient(
    hass: HomeAssistant, callr_entry: MockConfigEntry, callr_sim: CallrSim
) -> None:
    """Each recipient gets its own POST /sms and its own guid, in the order given."""
    numbers = ["+33612345678", "+33698765432", "+32470000001"]
    response = await _send(hass, recipients=numbers)
    assert sorted(str(body["to"]) for body in _sent_json(callr_sim)) == sorted(numbers)  # type: ignore[index]
    guids = {sms.to: sms.hash for sms in callr_sim.account.outgoing}
    assert response["messages"] == [
        {"recipient": number, "guid": guids[number], "status": "queued"} for number in numbers
    ]


async def test_sender_option_and_override(
    hass: HomeAssistant, callr_entry: MockConfigEntry, callr_sim: CallrSim
) -> None:
    """The sender option is the ``from``; the action's sender overrides it for one call."""
    hass.config_entries.async_update_entry(callr_entry, options={"sender": "Home"})
    await hass.async_block_till_done()
    await _send(hass)
    await _send(hass, sender="Alarm_1")
    await _send(hass, sender="+33755001122")
    # Empty: CALLR picks its shared number for this call (people can reply to it).
    await _send(hass, sender="")
    assert [body["from"] for body in _sent_json(callr_sim)] == [  # type: ignore[index]
        "Home",
        "Alarm_1",
        "+33755001122",
        "",
    ]
    assert [sms.sender for sms in callr_sim.account.outgoing][:3] == [
        "Home",
        "Alarm_1",
        "+33755001122",
    ]


async def test_invalid_sender_in_the_action_is_refused(
    hass: HomeAssistant, callr_entry: MockConfigEntry, callr_sim: CallrSim
) -> None:
    """A sender CALLR would refuse is refused by the action, before any request."""
    with pytest.raises(ServiceValidationError) as err:
        await _send(hass, sender="Not a valid sender!")
    assert err.value.translation_key == "invalid_sender"
    assert callr_sim.requests("POST /sms") == []


async def test_long_message_is_sent_whole(
    hass: HomeAssistant, callr_entry: MockConfigEntry, callr_sim: CallrSim
) -> None:
    """A long text goes in one request (CALLR splits and bills it in parts)."""
    text = "Long alert. " * 100
    await _send(hass, message=text)
    [body] = _sent_json(callr_sim)
    assert body["body"] == text  # type: ignore[index]
    assert callr_sim.account.outgoing[0].parts == 8


async def test_too_long_message_is_refused(
    hass: HomeAssistant, callr_entry: MockConfigEntry, callr_sim: CallrSim
) -> None:
    """Past CALLR's bound (1 600 characters), nothing is sent."""
    with pytest.raises(ServiceValidationError) as err:
        await _send(hass, message="x" * 1601)
    assert err.value.translation_key == "message_too_long"
    assert callr_sim.requests("POST /sms") == []


@pytest.mark.parametrize(
    ("data", "key", "option"),
    [
        ({"channel": "whatsapp"}, "channel_not_supported", None),
        ({"channel": "sms_whatsapp"}, "channel_not_supported", None),
        ({"media_url": "https://example.com/a.jpg"}, "option_not_supported", "media_url"),
        ({"sim": 2}, "option_not_supported", "sim"),
        ({"phone": "phone-kitchen"}, "option_not_supported", "phone"),
        ({"schedule": (NOW + timedelta(hours=1)).isoformat()}, "option_not_supported", "schedule"),
        ({"shorten_urls": True}, "option_not_supported", "shorten_urls"),
        ({"encrypt": True}, "option_not_supported", "encrypt"),
    ],
    ids=["whatsapp", "sms_whatsapp", "media_url", "sim", "phone", "schedule", "shorten", "encrypt"],
)
async def test_what_callr_cannot_do_is_refused(
    hass: HomeAssistant,
    callr_entry: MockConfigEntry,
    callr_sim: CallrSim,
    data: dict[str, Any],
    key: str,
    option: str | None,
) -> None:
    """Each option CALLR lacks is refused with a translated error, before any request."""
    with pytest.raises(ServiceValidationError) as err:
        await _send(hass, **data)
    assert err.value.translation_key == key
    if option is not None:
        assert err.value.translation_placeholders == {"option": option, "title": "CALLR"}
        assert str(err.value) == (
            f"The account CALLR cannot send with {option}: its service does not offer it ({CANNOT})"
        )
    assert callr_sim.requests("POST /sms") == []


async def test_false_flags_are_no_options(
    hass: HomeAssistant, callr_entry: MockConfigEntry, callr_sim: CallrSim
) -> None:
    """``shorten_urls: false``, ``encrypt: false`` and ``channel: sms`` ask for nothing."""
    await _send(hass, shorten_urls=False, encrypt=False, channel="sms")
    assert len(callr_sim.requests("POST /sms")) == 1


async def test_timeout_is_never_retried(
    hass: HomeAssistant,
    callr_entry: MockConfigEntry,
    callr_sim: CallrSim,
    freezer: FrozenDateTimeFactory,
) -> None:
    """No answer in time: the SMS may be on its way, so it is reported as unknown, never resent."""
    client = callr_entry.runtime_data.client
    assert isinstance(client, CallrClient)
    client.request_timeout = 0.1
    callr_sim.state.faults.add(Fault(kind="timeout", path="POST /sms", delay=0.2))
    with pytest.raises(HomeAssistantError) as err:
        await with_running_clock(freezer, _send(hass))
    # Let the simulator finish its late answer (nobody reads it).
    await with_running_clock(freezer, asyncio.sleep(0.2))
    assert err.value.translation_key == "send_failed"
    assert err.value.translation_placeholders == {
        "sent": "-",
        "not_sent": "-",
        "unknown": "+33612345678",
    }
    assert len(callr_sim.requests("POST /sms")) == 1


async def test_refused_send_is_reported(
    hass: HomeAssistant, callr_entry: MockConfigEntry, callr_sim: CallrSim
) -> None:
    """CALLR's error envelope on a send fails that recipient, with CALLR's message."""
    callr_sim.state.faults.add(Fault(kind="status", path="POST /sms", status=400))
    with pytest.raises(HomeAssistantError) as err:
        await _send(hass)
    placeholders = err.value.translation_placeholders
    assert placeholders["sent"] == "-"
    assert placeholders["not_sent"].startswith("+33612345678 (POST /sms failed (HTTP 400")
    assert len(callr_sim.requests("POST /sms")) == 1


async def test_rejected_password_on_send_starts_reauth(
    hass: HomeAssistant, callr_entry: MockConfigEntry, callr_sim: CallrSim
) -> None:
    """The password changed at CALLR: the send fails and Home Assistant asks to sign in again."""
    callr_sim.state.rotate_password(callr_sim.account, "changed elsewhere")
    with pytest.raises(HomeAssistantError) as err:
        await _send(hass)
    await hass.async_block_till_done()
    assert err.value.translation_key == "send_failed"
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [flow["context"]["source"] for flow in flows] == ["reauth"]


async def _add_recipient(
    hass: HomeAssistant, entry: MockConfigEntry, user_input: dict[str, Any]
) -> dict[str, Any]:
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, "recipient"), context={"source": SOURCE_USER}
    )
    assert result["type"] is FlowResultType.FORM
    result = await hass.config_entries.subentries.async_configure(result["flow_id"], user_input)
    await hass.async_block_till_done()
    return dict(result)


async def test_recipient_form_and_notify_entity(
    hass: HomeAssistant, callr_entry: MockConfigEntry, callr_sim: CallrSim
) -> None:
    """A CALLR recipient: name, number and SMS only; its notify entity sends with the sender."""
    result = await hass.config_entries.subentries.async_init(
        (callr_entry.entry_id, "recipient"), context={"source": SOURCE_USER}
    )
    assert [str(key) for key in result["data_schema"].schema] == [
        "name",
        "number",
        "channel",
        "conversation_agent",
    ]
    result = await _add_recipient(
        hass, callr_entry, {"name": "Alex", "number": "+33 6 98 76 54 32", "channel": "sms"}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    hass.config_entries.async_update_entry(callr_entry, options={"sender": "Home"})
    await hass.async_block_till_done()
    await hass.services.async_call(
        "notify",
        "send_message",
        {"entity_id": "notify.alex", "message": "Door open", "title": "Alarm"},
        blocking=True,
    )
    assert _sent_json(callr_sim) == [
        {"to": "+33698765432", "from": "Home", "body": "Alarm\nDoor open", "options": OPTIONS}
    ]
    state = hass.states.get("notify.alex")
    assert state is not None
    assert state.state != "unknown"


async def test_recipient_whatsapp_channel_is_refused_for_callr(
    hass: HomeAssistant, callr_entry: MockConfigEntry, callr_sim: CallrSim
) -> None:
    """The recipient form of a CALLR entry offers no WhatsApp: the schema refuses it."""
    result = await hass.config_entries.subentries.async_init(
        (callr_entry.entry_id, "recipient"), context={"source": SOURCE_USER}
    )
    with pytest.raises(InvalidData) as err:
        await hass.config_entries.subentries.async_configure(
            result["flow_id"], {"name": "Alex", "number": "+33698765432", "channel": "whatsapp"}
        )
    assert err.value.path == ["channel"]
    assert callr_entry.subentries == {}


async def test_parts_reported_when_callr_gives_them(
    hass: HomeAssistant, callr_entry: MockConfigEntry, callr_sim: CallrSim
) -> None:
    """An answer that is an SMS object with its parts: the response tells how many."""
    body = '{"status":"success","data":{"hash":"PARTS123","parts":3}}'
    callr_sim.state.faults.add(Fault(kind="status", path="POST /sms", status=200, body=body))
    response = await _send(hass, message="Long alert. " * 30)
    assert response == {
        "messages": [
            {"recipient": "+33612345678", "guid": "PARTS123", "status": "queued", "parts": 3}
        ]
    }
