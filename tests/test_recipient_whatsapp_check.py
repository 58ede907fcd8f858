"""The recipient form asks the service whether a WhatsApp recipient's number has WhatsApp."""

from typing import Any

from homeassistant.config_entries import SOURCE_RECONFIGURE, SOURCE_USER
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from smsmobileapi_simulator import Fault

from .conftest import Simulator

CHECK = "/whatsapp/checknumber/"
NO_WHATSAPP = {"name": "Grandpa", "number": "+32 470 00 00 02", "channel": "whatsapp"}


async def _start(hass: HomeAssistant, entry: MockConfigEntry) -> str:
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, "recipient"), context={"source": SOURCE_USER}
    )
    assert result["type"] is FlowResultType.FORM
    return str(result["flow_id"])


async def _submit(hass: HomeAssistant, flow_id: str, user_input: dict[str, Any]) -> dict[str, Any]:
    result = await hass.config_entries.subentries.async_configure(flow_id, user_input)
    await hass.async_block_till_done()
    return dict(result)


def _checked(sim: Simulator) -> list[str]:
    return [fields["recipients"] for fields in sim.requests_to(CHECK)]


@pytest.fixture
def grandpa_without_whatsapp(seeded: Simulator) -> Simulator:
    """The service says +32 470 00 00 02 has no WhatsApp (a phone is online to tell)."""
    seeded.account.without_whatsapp.add("32470000002")
    return seeded


async def test_no_whatsapp_is_a_field_error_then_accepted(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, grandpa_without_whatsapp: Simulator
) -> None:
    """The first submission warns on the number; the same data again creates the recipient."""
    flow_id = await _start(hass, loaded_entry)
    result = await _submit(hass, flow_id, NO_WHATSAPP)
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"number": "no_whatsapp"}
    # The number travels as the service wants it: country code and number, no "+".
    assert _checked(grandpa_without_whatsapp) == ["32470000002"]
    result = await _submit(hass, flow_id, NO_WHATSAPP)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"] == {"name": "Grandpa", "number": "+32470000002", "channel": "whatsapp"}
    # Accepted as confirmed: not asked again.
    assert _checked(grandpa_without_whatsapp) == ["32470000002"]


async def test_other_data_after_the_warning_is_checked_again(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, grandpa_without_whatsapp: Simulator
) -> None:
    """A corrected number is checked anew (and passes); the warning was for the other one."""
    flow_id = await _start(hass, loaded_entry)
    await _submit(hass, flow_id, NO_WHATSAPP)
    result = await _submit(hass, flow_id, {**NO_WHATSAPP, "number": "+32 470 00 00 03"})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert _checked(grandpa_without_whatsapp) == ["32470000002", "32470000003"]


async def test_number_with_whatsapp_is_created_at_once(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, seeded: Simulator
) -> None:
    """A number the service knows on WhatsApp passes in one submission, after one check."""
    flow_id = await _start(hass, loaded_entry)
    result = await _submit(hass, flow_id, {**NO_WHATSAPP, "channel": "sms_whatsapp"})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert _checked(seeded) == ["32470000002"]


async def test_sms_recipient_is_not_checked(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, grandpa_without_whatsapp: Simulator
) -> None:
    """An SMS recipient needs no WhatsApp: nothing is asked."""
    flow_id = await _start(hass, loaded_entry)
    result = await _submit(hass, flow_id, {**NO_WHATSAPP, "channel": "sms"})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert _checked(grandpa_without_whatsapp) == []


@pytest.mark.parametrize(
    "trouble",
    [
        lambda sim: sim.state.faults.add(Fault(kind="status", path=CHECK, status=500)),
        lambda sim: sim.state.faults.add(Fault(kind="html", path=CHECK)),
        # aiohttp itself tries an idempotent request again on a reset connection: reset them all.
        lambda sim: sim.state.faults.add(Fault(kind="reset", path=CHECK, times=None)),
        lambda sim: [setattr(phone, "online", False) for phone in sim.account.phones.values()],
    ],
    ids=["server_error", "proxy_page", "reset", "no_phone_online"],
)
async def test_service_that_cannot_tell_never_blocks(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    grandpa_without_whatsapp: Simulator,
    trouble: Any,  # noqa: ANN401  # parametrized callables of one shape
) -> None:
    """The check fails or cannot be made: the recipient is created without a warning."""
    trouble(grandpa_without_whatsapp)
    flow_id = await _start(hass, loaded_entry)
    result = await _submit(hass, flow_id, NO_WHATSAPP)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert _checked(grandpa_without_whatsapp)


async def test_reconfigure_to_whatsapp_is_checked(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, grandpa_without_whatsapp: Simulator
) -> None:
    """Editing an SMS recipient to WhatsApp warns the same way, then accepts on resubmission."""
    flow_id = await _start(hass, loaded_entry)
    await _submit(hass, flow_id, {**NO_WHATSAPP, "channel": "sms"})
    [subentry_id] = loaded_entry.subentries
    result = await hass.config_entries.subentries.async_init(
        (loaded_entry.entry_id, "recipient"),
        context={"source": SOURCE_RECONFIGURE, "subentry_id": subentry_id},
    )
    result = await _submit(hass, result["flow_id"], NO_WHATSAPP)
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"number": "no_whatsapp"}
    result = await _submit(hass, result["flow_id"], NO_WHATSAPP)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert loaded_entry.subentries[subentry_id].data["channel"] == "whatsapp"
