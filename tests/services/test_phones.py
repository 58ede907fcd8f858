"""Actions on the account's phones: rename, remove."""

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import device_registry as dr
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.smsmobileapi.const import SLOW_SCAN_INTERVAL, SMS_SCAN_INTERVAL
from smsmobileapi_simulator import Fault
from tests.conftest import Simulator
from tests.helpers import tick

from .helpers import SENT_FIELDS, call, phone_device


async def test_rename_phone(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    seeded: Simulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The phone is renamed on the service and its device at once, and stays renamed."""
    kitchen = phone_device(hass, "phone-kitchen")
    await call(hass, "rename_phone", {"phone": kitchen.id, "label": "Hall phone"})
    assert seeded.requests_to("/gateway/mobile/update/") == [
        {"sid": "phone-kitchen", "label": "Hall phone", **SENT_FIELDS}
    ]
    assert seeded.account.phones["phone-kitchen"].label == "Hall phone"
    assert phone_device(hass, "phone-kitchen").name == "Hall phone"
    # The next polls (phones are read less often than SMS) keep the new name.
    await tick(hass, freezer, SMS_SCAN_INTERVAL)
    assert phone_device(hass, "phone-kitchen").name == "Hall phone"
    await tick(hass, freezer, SLOW_SCAN_INTERVAL)
    assert phone_device(hass, "phone-kitchen").name == "Hall phone"


async def test_rename_phone_failure(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, seeded: Simulator
) -> None:
    """A refused rename leaves the device's name alone."""
    seeded.state.faults.add(Fault(kind="status", path="/gateway/mobile/update/", status=500))
    kitchen = phone_device(hass, "phone-kitchen")
    with pytest.raises(HomeAssistantError) as err:
        await call(hass, "rename_phone", {"phone": kitchen.id, "label": "Hall"})
    assert err.value.translation_key == "rename_phone_failed"
    assert phone_device(hass, "phone-kitchen").name == "Kitchen phone"


async def test_remove_phone(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, seeded: Simulator
) -> None:
    """The phone leaves the account, and its device and entities leave Home Assistant."""
    office = phone_device(hass, "phone-office")
    await call(hass, "remove_phone", {"phone": office.id})
    assert seeded.requests_to("/gateway/mobile/delete/") == [{"sid": "phone-office", **SENT_FIELDS}]
    assert "phone-office" not in seeded.account.phones
    assert dr.async_get(hass).async_get(office.id) is None
    await hass.async_block_till_done()
    assert hass.states.get("sensor.office_phone_battery") is None
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "remove_phone", {"phone": "phone-office"})
    assert err.value.translation_key == "unknown_phone"


async def test_remove_phone_of_other_integration(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, seeded: Simulator
) -> None:
    """A device of another integration is not a phone of the account."""
    other = MockConfigEntry(domain="other")
    other.add_to_hass(hass)
    device = dr.async_get(hass).async_get_or_create(
        config_entry_id=other.entry_id, identifiers={("other", "x")}
    )
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "remove_phone", {"phone": device.id})
    assert err.value.translation_key == "unknown_phone"
    assert seeded.requests_to("/gateway/mobile/delete/") == []
