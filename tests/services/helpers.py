"""Helpers of the action tests."""

import asyncio
from collections.abc import Awaitable
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant, ServiceResponse
from homeassistant.helpers import device_registry as dr

from custom_components.smsmobileapi.const import DOMAIN
from tests.conftest import API_KEY

SENT_FIELDS = {"from": "homeassistant", "apikey": API_KEY}


async def call(
    hass: HomeAssistant, service: str, data: dict[str, Any], *, response: bool = False
) -> ServiceResponse:
    """Call one of the integration's actions and wait for it."""
    return await hass.services.async_call(
        DOMAIN, service, data, blocking=True, return_response=response
    )


def phone_device(hass: HomeAssistant, phone_id: str) -> dr.DeviceEntry:
    """The device of a phone, by the provider's phone id."""
    registry = dr.async_get(hass)
    [device] = [
        device
        for entry in hass.config_entries.async_entries(DOMAIN)
        for device in dr.async_entries_for_config_entry(registry, entry.entry_id)
        if (DOMAIN, f"phone_{phone_id}") in device.identifiers
    ]
    return device


def device_names(hass: HomeAssistant, response: object) -> object:
    """The response with each device id replaced by the device's name (ids are random)."""
    registry = dr.async_get(hass)
    if isinstance(response, dict):
        return {
            key: (
                registry.async_get(value).name
                if key == "device_id" and value is not None
                else device_names(hass, value)
            )
            for key, value in response.items()
        }
    if isinstance(response, list):
        return [device_names(hass, item) for item in response]
    return response


async def with_running_clock[T](freezer: FrozenDateTimeFactory, awaitable: Awaitable[T]) -> T:
    """Await while moving the frozen clock (which the event loop's timers use) in small steps.

    Time is frozen in these tests; the simulator's latency and the client's timeout wait on
    the event loop's clock, so it has to move for them to end.
    """
    task = asyncio.ensure_future(awaitable)
    while not task.done():
        freezer.tick(0.001)
        await asyncio.sleep(0)
    return await task
