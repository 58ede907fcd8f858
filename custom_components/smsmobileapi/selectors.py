"""Form selectors shared by the config, options and recipient flows."""

from __future__ import annotations

from typing import Final

from homeassistant.helpers.selector import (
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)

from .api import Capability, sendable_channels
from .const import CONF_CHANNEL, CONF_SIM, SIM_SLOTS

PASSWORD: Final = TextSelector(TextSelectorConfig(type=TextSelectorType.PASSWORD))
TEXT: Final = TextSelector()
URL: Final = TextSelector(TextSelectorConfig(type=TextSelectorType.URL))
TEL: Final = TextSelector(TextSelectorConfig(type=TextSelectorType.TEL))


def channel_selector(capabilities: frozenset[Capability]) -> SelectSelector:
    """A choice among the channels a provider can send on."""
    return SelectSelector(
        SelectSelectorConfig(
            options=[channel.value for channel in sendable_channels(capabilities)],
            translation_key=CONF_CHANNEL,
            mode=SelectSelectorMode.LIST,
        )
    )


SIM: Final = SelectSelector(
    SelectSelectorConfig(
        options=[str(slot) for slot in SIM_SLOTS],
        translation_key=CONF_SIM,
        mode=SelectSelectorMode.DROPDOWN,
    )
)


def seconds(minimum: int, maximum: int, step: int) -> NumberSelector:
    """A number of seconds typed in a box."""
    return NumberSelector(
        NumberSelectorConfig(
            min=minimum,
            max=maximum,
            step=step,
            unit_of_measurement="s",
            mode=NumberSelectorMode.BOX,
        )
    )
