"""What every action shares: registration, its entry, the provider's features, errors, secrets."""

import json

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.smsmobileapi.api import Capability
from custom_components.smsmobileapi.const import (
    DOMAIN,
)
from smsmobileapi_simulator import Fault
from tests.conftest import API_KEY, Simulator

from .helpers import call


async def test_actions_exist_without_entries(hass: HomeAssistant, seeded: Simulator) -> None:
    """The actions are registered when the integration loads, before any entry."""
    from homeassistant.setup import async_setup_component  # noqa: PLC0415

    assert await async_setup_component(hass, DOMAIN, {})
    services = hass.services.async_services_for_domain(DOMAIN)
    assert sorted(services) == [
        "delete_messages",
        "get_calls",
        "get_conversations",
        "get_received_messages",
        "get_sent_messages",
        "mark_as_read",
        "remove_phone",
        "rename_phone",
        "resend_message",
        "send_message",
        "set_alias",
    ]
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "get_calls", {"call_type": "missed"}, response=True)
    assert str(err.value) == "No SMSMobileAPI or CALLR account is loaded"


@pytest.mark.parametrize(
    ("fault", "translation_key", "message"),
    [
        (
            Fault(kind="invalid_key", path="/resend/"),
            "invalid_auth",
            "The service rejected the credentials. Sign in again from the integration page",
        ),
        (
            Fault(kind="expired", path="/resend/"),
            "subscription_expired",
            "The SMSMobileAPI subscription has expired. Renew it in the dashboard",
        ),
        (
            Fault(kind="rate_limit", path="/resend/"),
            "action_rate_limited",
            "The service asked Home Assistant to slow down. Try again in a moment",
        ),
    ],
    ids=["invalid_key", "expired", "rate_limited"],
)
async def test_account_errors_are_translated(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    seeded: Simulator,
    fault: Fault,
    translation_key: str,
    message: str,
) -> None:
    """Account-wide failures of any action have one translated message each."""
    seeded.state.faults.add(fault)
    with pytest.raises(HomeAssistantError) as err:
        await call(hass, "resend_message", {"guid": "G"})
    assert err.value.translation_key == translation_key
    assert str(err.value) == message
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert bool(flows) is (translation_key == "invalid_auth")


async def test_actions_need_the_smsmobileapi_client(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, seeded: Simulator
) -> None:
    """Another provider without these endpoints refuses the management actions clearly."""

    class OtherProvider:
        capabilities = frozenset(Capability)

    loaded_entry.runtime_data.client = OtherProvider()
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "resend_message", {"guid": "G"})
    assert str(err.value) == "The account SMSMobileAPI does not support this action"


async def test_queries_with_unloaded_entry(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, seeded: Simulator
) -> None:
    """Every query refuses an unloaded entry."""
    assert await hass.config_entries.async_unload(loaded_entry.entry_id)
    assert loaded_entry.state is ConfigEntryState.NOT_LOADED
    for service, data in (
        ("get_conversations", {}),
        ("get_calls", {"call_type": "missed"}),
        ("get_sent_messages", {}),
        ("get_received_messages", {}),
    ):
        with pytest.raises(ServiceValidationError) as err:
            await call(
                hass,
                service,
                {"config_entry_id": loaded_entry.entry_id, **data},
                response=True,
            )
        assert err.value.translation_key == "config_entry_not_loaded"


async def test_no_secret_in_any_response(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    seeded: Simulator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The key appears in no response of any action (and, checked by a fixture, no log)."""
    seeded.state.add_sent_sms(seeded.account, recipients="+32470000001", message="x")
    responses = [
        await call(
            hass, "send_message", {"recipients": "+32470000001", "message": "a"}, response=True
        ),
        await call(hass, "get_conversations", {"origin": "sent"}, response=True),
        await call(hass, "get_calls", {"call_type": "incoming"}, response=True),
        await call(hass, "get_sent_messages", {}, response=True),
        await call(hass, "get_received_messages", {}, response=True),
    ]
    assert all(responses)
    assert API_KEY not in json.dumps(responses)
    assert API_KEY in {request["apikey"] for request in seeded.requests_to("/log/sent/sms/")}
