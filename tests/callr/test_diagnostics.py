"""Diagnostics of a CALLR entry: useful, without the login, password, webhook or texts."""

from collections.abc import Callable
import json

from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from .conftest import (
    BASIC_TOKEN,
    CALLR_WEBHOOK_ID,
    HISTORY,
    HMAC_SECRET,
    LOGIN,
    PASSWORD,
    CallrSim,
    setup_entry,
)

REDACTED = "**REDACTED**"
CLOUDHOOK = "https://hooks.nabu.casa/callr0123456789abcdef"


async def test_diagnostics_redacted(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    callr_history: CallrSim,
    make_callr_entry: Callable[..., MockConfigEntry],
) -> None:
    """Login, password, webhook id, cloudhook URL, secret, numbers and texts are redacted."""
    entry = await setup_entry(
        hass,
        make_callr_entry(
            {"webhook_secret": HMAC_SECRET, "sender": "Home"}, cloudhook_url=CLOUDHOOK
        ),
    )
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, entry)
    data = diagnostics["entry"]["data"]
    assert data == {
        "provider": "callr",
        "username": REDACTED,
        "password": REDACTED,
        "base_url": callr_history.url,
        "webhook_id": REDACTED,
        "cloudhook_url": REDACTED,
    }
    assert diagnostics["entry"]["options"] == {"webhook_secret": REDACTED, "sender": "Home"}
    assert diagnostics["entry"]["unique_id"] == REDACTED
    assert diagnostics["coordinator"]["last_update_success"] is True
    assert diagnostics["data"]["last_sms"]["number"] == REDACTED
    assert diagnostics["data"]["phones"] == []
    text = json.dumps(diagnostics)
    for private in (LOGIN, PASSWORD, BASIC_TOKEN, CALLR_WEBHOOK_ID, CLOUDHOOK, HMAC_SECRET):
        assert private not in text
    for _, number, message in HISTORY:
        assert number not in text
        assert message not in text
