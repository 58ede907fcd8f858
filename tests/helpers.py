"""Helpers shared by the tests."""

from datetime import timedelta
import json
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import async_fire_time_changed
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from custom_components.smsmobileapi.const import DOMAIN


def integration_states(hass: HomeAssistant) -> dict[str, dict[str, Any]]:
    """State, attributes and registry facts of every entity of the integration, by entity id.

    Our own, version-independent shape, so the same snapshot holds on every Home Assistant
    version we test.
    """
    registry = er.async_get(hass)
    result: dict[str, dict[str, Any]] = {}
    for entry in sorted(registry.entities.values(), key=lambda item: item.entity_id):
        if entry.platform != DOMAIN:
            continue
        state = hass.states.get(entry.entity_id)
        result[entry.entity_id] = {
            "unique_id": entry.unique_id,
            "translation_key": entry.translation_key,
            "entity_category": entry.entity_category,
            "disabled_by": entry.disabled_by,
            "original_device_class": entry.original_device_class,
            "state": state.state if state else None,
            "attributes": dict(state.attributes) if state else None,
        }
    # Plain JSON values: enum members print differently from one Home Assistant version to another.
    return json.loads(json.dumps(result, default=str))


async def tick(hass: HomeAssistant, freezer: FrozenDateTimeFactory, delta: timedelta) -> None:
    """Move the frozen clock, fire the timers due, and wait for the polls they start."""
    freezer.tick(delta)
    async_fire_time_changed(hass)
    # Coordinator refreshes run as background tasks.
    await hass.async_block_till_done(wait_background_tasks=True)


async def webhook_names(hass: HomeAssistant, ws_client: WebSocketGenerator) -> dict[str, str]:
    """The names of the registered webhooks by ID, as Home Assistant's webhook list shows them."""
    client = await ws_client(hass)
    await client.send_json_auto_id({"type": "webhook/list"})
    answer = await client.receive_json()
    assert answer["success"]
    return {hook["webhook_id"]: hook["name"] for hook in answer["result"]}
