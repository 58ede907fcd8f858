"""Sensors: the account's messages and calls, each phone's battery, last sync and app version."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import PERCENTAGE, EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.typing import StateType
from homeassistant.util import dt as dt_util

from .api import Call, CallType, Capability, Phone
from .const import PRIVATE_ATTRIBUTES
from .coordinator import SmsMobileApiConfigEntry
from .data import SmsMobileApiData
from .entity import AccountEntity, PhoneEntity, async_add_phone_entities

# Coordinator-driven: no request is made per entity.
PARALLEL_UPDATES = 0

# What the providers report of a message we sent (CALLR adds delivered to the handset).
DELIVERY_STATUSES: Final = ("queued", "sent", "delivered", "failed")


@dataclass(frozen=True, kw_only=True)
class SmsMobileApiSensorDescription[SourceT](SensorEntityDescription):
    """A sensor: how to read its state, attributes and availability from its source.

    The source is the coordinator's data for an account sensor, the phone for a phone sensor.
    One generic class for both: each subclass of a description costs about a millisecond at
    every start (its generated methods are compiled).
    """

    value_fn: Callable[[SourceT], StateType | datetime]
    attributes_fn: Callable[[SourceT], Mapping[str, Any] | None] = lambda _: None
    available_fn: Callable[[SourceT], bool] = lambda _: True
    # What the provider must offer for the sensor to exist.
    capability: Capability


type AccountSensorDescription = SmsMobileApiSensorDescription[SmsMobileApiData]
type PhoneSensorDescription = SmsMobileApiSensorDescription[Phone]


def _call_attributes(call: Call | None) -> dict[str, Any] | None:
    if call is None:
        return None
    return {"number": call.number, "name": call.name, "duration": call.duration}


def _last_call(call_type: CallType) -> Callable[[SmsMobileApiData], Call | None]:
    return lambda data: data.last_calls.get(call_type)


def _last_call_sensor(key: str, call_type: CallType) -> AccountSensorDescription:
    get = _last_call(call_type)
    return SmsMobileApiSensorDescription(
        key=key,
        translation_key=key,
        device_class=SensorDeviceClass.TIMESTAMP,
        value_fn=lambda data: call.call_at if (call := get(data)) else None,
        attributes_fn=lambda data: _call_attributes(get(data)),
        available_fn=lambda data: data.calls_available,
        capability=Capability.CALLS,
    )


ACCOUNT_SENSORS: tuple[AccountSensorDescription, ...] = (
    SmsMobileApiSensorDescription(
        key="unread_sms",
        translation_key="unread_sms",
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda data: data.unread_count,
        capability=Capability.READ_STATUS,
    ),
    SmsMobileApiSensorDescription(
        key="last_sms",
        translation_key="last_sms",
        device_class=SensorDeviceClass.TIMESTAMP,
        value_fn=lambda data: data.last_sms.received_at if data.last_sms else None,
        attributes_fn=lambda data: (
            {
                "number": sms.number,
                "message": sms.message,
                "alias": sms.alias,
                "guid": sms.guid,
                "phone": sms.phone_id,
            }
            if (sms := data.last_sms)
            else None
        ),
        capability=Capability.RECEIVE_SMS,
    ),
    SmsMobileApiSensorDescription(
        key="sms_received_today",
        translation_key="sms_received_today",
        value_fn=lambda data: data.sms_received_on(dt_util.utcnow()),
        capability=Capability.RECEIVE_SMS,
    ),
    SmsMobileApiSensorDescription(
        key="last_delivery_status",
        translation_key="last_delivery_status",
        device_class=SensorDeviceClass.ENUM,
        options=list(DELIVERY_STATUSES),
        value_fn=lambda data: (
            status.status
            if (status := data.last_delivery) and status.status in DELIVERY_STATUSES
            else None
        ),
        attributes_fn=lambda data: (
            {"guid": status.guid, "channel": status.channel}
            if (status := data.last_delivery)
            else None
        ),
        capability=Capability.SEND_SMS,
    ),
    SmsMobileApiSensorDescription(
        key="missed_calls_today",
        translation_key="missed_calls_today",
        value_fn=lambda data: data.missed_calls_on(dt_util.utcnow()),
        available_fn=lambda data: data.calls_available,
        capability=Capability.CALLS,
    ),
    _last_call_sensor("last_missed_call", CallType.MISSED),
    _last_call_sensor("last_incoming_call", CallType.INCOMING),
    _last_call_sensor("last_outgoing_call", CallType.OUTGOING),
)

PHONE_SENSORS: tuple[PhoneSensorDescription, ...] = (
    SmsMobileApiSensorDescription(
        key="battery",
        device_class=SensorDeviceClass.BATTERY,
        native_unit_of_measurement=PERCENTAGE,
        state_class=SensorStateClass.MEASUREMENT,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda phone: phone.battery,
        capability=Capability.PHONES,
    ),
    SmsMobileApiSensorDescription(
        key="last_seen",
        translation_key="last_seen",
        device_class=SensorDeviceClass.TIMESTAMP,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda phone: phone.last_seen,
        capability=Capability.PHONES,
    ),
    SmsMobileApiSensorDescription(
        key="app_version",
        translation_key="app_version",
        entity_category=EntityCategory.DIAGNOSTIC,
        entity_registry_enabled_default=False,
        value_fn=lambda phone: phone.version,
        capability=Capability.PHONES,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: SmsMobileApiConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the account's sensors, and each phone's as phones connect."""
    coordinator = entry.runtime_data.coordinator
    async_add_entities(
        AccountSensor(coordinator, description)
        for description in ACCOUNT_SENSORS
        if description.capability in coordinator.client.capabilities
    )
    async_add_phone_entities(
        entry,
        async_add_entities,
        lambda phone_id: [
            PhoneSensor(coordinator, description, phone_id) for description in PHONE_SENSORS
        ],
    )


class AccountSensor(AccountEntity, SensorEntity):
    """A sensor of the account."""

    entity_description: AccountSensorDescription
    _unrecorded_attributes = PRIVATE_ATTRIBUTES

    @property
    def native_value(self) -> StateType | datetime:
        """Read the state from the coordinator's data."""
        return self.entity_description.value_fn(self.coordinator.data)

    @property
    def available(self) -> bool:
        """Available while the coordinator works and the service gives what the sensor shows."""
        return super().available and self.entity_description.available_fn(self.coordinator.data)

    @property
    def extra_state_attributes(self) -> Mapping[str, Any] | None:
        """Details of the last message or call."""
        return self.entity_description.attributes_fn(self.coordinator.data)


class PhoneSensor(PhoneEntity, SensorEntity):
    """A sensor of one connected phone."""

    entity_description: PhoneSensorDescription

    @property
    def native_value(self) -> StateType | datetime:
        """Read the state from the phone's last poll."""
        phone = self.phone
        return self.entity_description.value_fn(phone) if phone else None

    @property
    def available(self) -> bool:
        """Available while the phone is connected and gives what the sensor shows."""
        phone = self.phone
        return (
            super().available and phone is not None and self.entity_description.available_fn(phone)
        )

    @property
    def extra_state_attributes(self) -> Mapping[str, Any] | None:
        """What the sensor's description reads besides the state (nothing so far)."""
        phone = self.phone
        return self.entity_description.attributes_fn(phone) if phone else None
