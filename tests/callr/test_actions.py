"""Actions on a CALLR entry: those without a CALLR equivalent refused, the two logs read."""

from datetime import timedelta
from typing import Any

from homeassistant.core import HomeAssistant, ServiceResponse
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.smsmobileapi.const import DOMAIN
from smsmobileapi_simulator import Fault
from tests.conftest import NOW

from .conftest import CallrSim


async def _call(hass: HomeAssistant, service: str, data: dict[str, Any]) -> ServiceResponse:
    supports = hass.services.supports_response(DOMAIN, service)
    return await hass.services.async_call(
        DOMAIN, service, data, blocking=True, return_response=supports != "none"
    )


@pytest.mark.parametrize(
    ("service", "data"),
    [
        ("resend_message", {"guid": "ABCD1234"}),
        ("mark_as_read", {"guid": ["ABCD1234"]}),
        ("set_alias", {"guid": "ABCD1234", "alias": "Mom"}),
        ("delete_messages", {"guid": "ABCD1234"}),
        ("delete_messages", {"date_start": "2026-09-01"}),
        ("rename_phone", {"phone": "phone-kitchen", "label": "Kitchen"}),
        ("remove_phone", {"phone": "phone-kitchen"}),
        ("get_conversations", {}),
        ("get_calls", {"call_type": "missed"}),
        ("get_calls", {"call_type": "incoming"}),
        ("get_sent_messages", {"from_phone": True}),
        ("get_received_messages", {"unread_only": True}),
    ],
)
async def test_actions_without_callr_equivalent_are_refused(
    hass: HomeAssistant,
    callr_entry: MockConfigEntry,
    callr_sim: CallrSim,
    service: str,
    data: dict[str, Any],
) -> None:
    """A translated refusal naming the account, and no request to CALLR."""
    requests_before = len(callr_sim.state.requests)
    with pytest.raises(ServiceValidationError) as err:
        await _call(hass, service, data)
    assert err.value.translation_key == "action_not_supported"
    assert err.value.translation_placeholders == {"title": "CALLR"}
    assert str(err.value) == "The account CALLR does not support this action"
    assert len(callr_sim.state.requests) == requests_before


async def test_get_received_messages(
    hass: HomeAssistant, callr_entry: MockConfigEntry, callr_sim: CallrSim
) -> None:
    """The received SMS of the window, newest first, read with GET /sms?type=IN."""
    response = await _call(
        hass, "get_received_messages", {"since": (NOW - timedelta(minutes=30)).isoformat()}
    )
    [request] = [
        r for r in callr_sim.requests("GET /sms") if r.query["from"] == "2026-09-23 11:30:00"
    ]
    assert request.query == {
        "type": "IN",
        "from": "2026-09-23 11:30:00",
        "to": "2026-09-23 12:00:00",
    }
    [recent] = [sms for sms in callr_sim.account.incoming if sms.text == "Earlier reply"]
    assert response == {
        "messages": [
            {
                "guid": recent.hash,
                "number": "+33698765432",
                "message": "Earlier reply",
                "alias": None,
                "received_at": "2026-09-23T11:40:00+00:00",
                "device_id": None,
            }
        ]
    }
    everything = await _call(hass, "get_received_messages", {})
    assert [item["message"] for item in everything["messages"]] == ["Earlier reply", "Old news"]  # type: ignore[index, union-attr]
    by_number = await _call(hass, "get_received_messages", {"number": "+33 6 12 34 56 78"})
    assert [item["message"] for item in by_number["messages"]] == ["Old news"]  # type: ignore[index, union-attr]


async def _sent(sim: CallrSim) -> tuple[str, str]:
    state, account = sim.state, sim.account
    delivered = state.send_sms(account, "+33612345678", "Alarm: door", at=NOW - timedelta(hours=2))
    state.deliver(delivered, push=False)
    failed = state.send_sms(account, "+33698765432", "Alarm: window", at=NOW - timedelta(hours=1))
    state.set_status(failed, "ERROR", push=False)
    return delivered.hash, failed.hash


async def test_get_sent_messages(
    hass: HomeAssistant, callr_entry: MockConfigEntry, callr_sim: CallrSim
) -> None:
    """The SMS sent through CALLR, newest sent first (GET /sms?type=OUT); errors only; keyword."""
    delivered, failed = await _sent(callr_sim)
    response = await _call(hass, "get_sent_messages", {})
    assert [r.query["type"] for r in callr_sim.requests("GET /sms")][-1] == "OUT"
    assert response == {
        "messages": [
            {
                "guid": delivered,
                "recipients": "+33612345678",
                "message": "Alarm: door",
                "status": "received",
                "sent_at": "2026-09-23T12:00:00+00:00",
                "device_id": None,
                "sim": None,
                "whatsapp": False,
                "error": None,
            },
            {
                "guid": failed,
                "recipients": "+33698765432",
                "message": "Alarm: window",
                "status": "error",
                "sent_at": "2026-09-23T11:00:00+00:00",
                "device_id": None,
                "sim": None,
                "whatsapp": False,
                "error": "api",
            },
        ]
    }
    errors = await _call(hass, "get_sent_messages", {"errors_only": True})
    assert [item["guid"] for item in errors["messages"]] == [failed]  # type: ignore[index, union-attr]
    door = await _call(hass, "get_sent_messages", {"keyword": "DOOR"})
    assert [item["guid"] for item in door["messages"]] == [delivered]  # type: ignore[index, union-attr]


async def test_get_sent_message_by_guid(
    hass: HomeAssistant, callr_entry: MockConfigEntry, callr_sim: CallrSim
) -> None:
    """A guid is looked up with GET /sms/<hash>; an unknown or received one lists nothing."""
    delivered, _ = await _sent(callr_sim)
    response = await _call(hass, "get_sent_messages", {"guid": delivered})
    assert [item["guid"] for item in response["messages"]] == [delivered]  # type: ignore[index, union-attr]
    assert [r.path for r in callr_sim.requests("GET /sms/{hash}")] == [
        f"/rest/v1.1/sms/{delivered}"
    ]
    unknown = await _call(hass, "get_sent_messages", {"guid": "ZZZZ9999"})
    assert unknown == {"messages": []}
    received = callr_sim.account.incoming[0].hash
    assert await _call(hass, "get_sent_messages", {"guid": received}) == {"messages": []}
    # Not a CALLR hash: nothing is asked (it would end up in the URL's path).
    lookups = len(callr_sim.requests("GET /sms/{hash}"))
    assert await _call(hass, "get_sent_messages", {"guid": "../sms?x"}) == {"messages": []}
    assert len(callr_sim.requests("GET /sms/{hash}")) == lookups


async def test_log_failure_is_a_translated_error(
    hass: HomeAssistant, callr_entry: MockConfigEntry, callr_sim: CallrSim
) -> None:
    """CALLR failing to answer is the action's translated error, without the password."""
    callr_sim.state.faults.add(Fault(kind="status", path="GET /sms", status=500))
    with pytest.raises(HomeAssistantError) as err:
        await _call(hass, "get_received_messages", {})
    assert err.value.translation_key == "get_received_messages_failed"
    assert "HTTP 500" in err.value.translation_placeholders["error"]
