"""One generic sensor description serves account and phone sensors: each reads all of it."""

from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.smsmobileapi.api import Capability, Phone
from custom_components.smsmobileapi.sensor import (
    ACCOUNT_SENSORS,
    PHONE_SENSORS,
    PhoneSensor,
    SmsMobileApiSensorDescription,
)

LOW_BATTERY = SmsMobileApiSensorDescription[Phone](
    key="battery_checked",
    value_fn=lambda phone: phone.battery,
    # Shown only while the battery is reported; the label as an attribute.
    available_fn=lambda phone: phone.battery is not None,
    attributes_fn=lambda phone: {"label": phone.label},
    capability=Capability.PHONES,
)


def test_every_description_has_its_capability() -> None:
    """Account sensors need their own capability; phone sensors need phones."""
    assert {description.capability for description in PHONE_SENSORS} == {Capability.PHONES}
    assert Capability.PHONES not in {description.capability for description in ACCOUNT_SENSORS}


async def test_phone_sensor_reads_availability_and_attributes(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    """A phone sensor asks its description for availability and attributes, not only state."""
    coordinator = loaded_entry.runtime_data.coordinator
    phone_id = next(iter(coordinator.data.phones))
    sensor = PhoneSensor(coordinator, LOW_BATTERY, phone_id)
    phone = coordinator.data.phones[phone_id]

    assert sensor.available
    assert sensor.native_value == phone.battery
    assert sensor.extra_state_attributes == {"label": phone.label}

    phones = dict(coordinator.data.phones)
    phones[phone_id] = phone._replace(battery=None)
    coordinator.async_set_updated_data(coordinator.data._replace(phones=phones))
    assert not sensor.available

    del phones[phone_id]
    coordinator.async_set_updated_data(coordinator.data._replace(phones=phones))
    assert not sensor.available
    assert sensor.native_value is None
    assert sensor.extra_state_attributes is None
