"""Actions on received and sent messages: resend, mark as read, alias, delete."""

from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from smsmobileapi_simulator import Fault
from tests.conftest import Simulator

from .helpers import SENT_FIELDS, call


async def test_resend_message(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, seeded: Simulator
) -> None:
    """A message in error is queued again; one that is not in error cannot be."""
    failed = seeded.state.add_sent_sms(
        seeded.account, recipients="+32470000001", message="Lost", status="error"
    )
    await call(hass, "resend_message", {"guid": failed.guid})
    assert seeded.requests_to("/resend/") == [{"guid": failed.guid, **SENT_FIELDS}]
    assert failed.status == "queued"
    with pytest.raises(HomeAssistantError) as err:
        await call(hass, "resend_message", {"guid": failed.guid})
    assert err.value.translation_key == "resend_failed"
    assert str(err.value) == (
        f"Could not resend the message {failed.guid}: /resend/ failed with error not_in_error: "
        "Only messages in error status can be resent"
    )


async def test_mark_as_read(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, seeded: Simulator
) -> None:
    """Each message is marked read on the service and no longer counted as unread."""
    guids = [sms.guid for sms in seeded.account.received[:2]]
    await call(hass, "mark_as_read", {"guid": guids})
    assert sorted(seeded.requests_to("/getsms/set-read/"), key=str) == sorted(
        ({"guid_message": guid, **SENT_FIELDS} for guid in guids), key=str
    )
    assert [sms.read for sms in seeded.account.received] == [True, True, False]
    # Only the third is still unread, and the sensor shows it at once (no poll in between).
    assert hass.states.get("sensor.smsmobileapi_unread_sms").state == "1"


async def test_mark_as_read_partial_failure(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, seeded: Simulator
) -> None:
    """An unknown message is reported; the others are still marked."""
    good = seeded.account.received[0].guid
    with pytest.raises(HomeAssistantError) as err:
        await call(hass, "mark_as_read", {"guid": [good, "UNKNOWN"]})
    assert str(err.value) == (
        f"Could not mark every message as read. Marked as read: {good}. Failed: UNKNOWN "
        "(/getsms/set-read/ failed with error not_found: No received SMS has this GUID)"
    )
    assert seeded.account.received[0].read


async def test_set_alias(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, seeded: Simulator
) -> None:
    """An alias is set, and an empty one clears it."""
    sms = seeded.account.received[0]
    await call(hass, "set_alias", {"guid": sms.guid, "alias": "Alex"})
    assert sms.alias == "Alex"
    await call(hass, "set_alias", {"guid": sms.guid})
    assert sms.alias is None
    assert seeded.requests_to("/getsms/update/") == [
        {"guid": sms.guid, "alias": "Alex", **SENT_FIELDS},
        {"guid": sms.guid, "alias": "", **SENT_FIELDS},
    ]
    with pytest.raises(HomeAssistantError) as err:
        await call(hass, "set_alias", {"guid": "UNKNOWN", "alias": "X"})
    assert err.value.translation_key == "set_alias_failed"


async def test_delete_messages(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, seeded: Simulator
) -> None:
    """One message by id, or the messages of a period."""
    first = seeded.account.received[0]
    assert hass.states.get("sensor.smsmobileapi_unread_sms").state == "3"
    await call(hass, "delete_messages", {"guid": first.guid})
    assert first not in seeded.account.received
    assert hass.states.get("sensor.smsmobileapi_unread_sms").state == "2"
    await call(hass, "delete_messages", {"date_start": "2026-09-23", "date_end": "2026-09-24"})
    assert seeded.account.received == []
    assert seeded.requests_to("/deletesms/") == [
        {"guid_message": first.guid, **SENT_FIELDS},
        {"date_start": "2026-09-23", "date_end": "2026-09-24", **SENT_FIELDS},
    ]


@pytest.mark.parametrize(
    ("data", "translation_key"),
    [
        ({}, "delete_needs_target"),
        ({"date_end": "2026-09-23"}, "delete_needs_target"),
        ({"guid": "G", "date_start": "2026-09-23"}, "delete_guid_or_dates"),
        ({"date_start": "2026-09-23", "date_end": "2026-09-22"}, "invalid_date_range"),
    ],
    ids=["nothing", "end_only", "guid_and_dates", "end_before_start"],
)
async def test_delete_messages_refused(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    seeded: Simulator,
    data: dict[str, Any],
    translation_key: str,
) -> None:
    """Deleting needs one message or a period, never both, never a period backwards."""
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "delete_messages", data)
    assert err.value.translation_key == translation_key
    assert seeded.requests_to("/deletesms/") == []
    assert len(seeded.account.received) == 3


async def test_delete_messages_failure(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, seeded: Simulator
) -> None:
    """A failure of the service is translated and names the service's error."""
    seeded.state.faults.add(Fault(kind="html", path="/deletesms/"))
    with pytest.raises(HomeAssistantError) as err:
        await call(hass, "delete_messages", {"guid": seeded.account.received[0].guid})
    assert str(err.value) == (
        "Could not delete the messages: Unreadable answer from /deletesms/ (HTTP 502)"
    )


async def test_mark_as_read_account_error(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, seeded: Simulator
) -> None:
    """A rejected key while marking messages is the credentials error, with a reauth."""
    seeded.state.faults.add(Fault(kind="invalid_key", path="/getsms/set-read/", times=None))
    with pytest.raises(HomeAssistantError) as err:
        await call(hass, "mark_as_read", {"guid": ["A", "B"]})
    assert err.value.translation_key == "invalid_auth"
