"""Repair issues: raised when the user must act, cleared once things are right again."""

from collections.abc import Callable
from datetime import timedelta

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.smsmobileapi.const import (
    CONF_POLL_SMS,
    CONF_STALE_PHONE_MINUTES,
    DOMAIN,
    SLOW_SCAN_INTERVAL,
    SMS_SCAN_INTERVAL,
)
from smsmobileapi_simulator import Fault, build_legacy_body

from .conftest import ENTRY_ID, NOW, WEBHOOK_ID, Simulator
from .helpers import tick


def _issues(hass: HomeAssistant) -> dict[str, ir.IssueEntry]:
    return {
        issue_id: issue
        for (domain, issue_id), issue in ir.async_get(hass).issues.items()
        if domain == DOMAIN
    }


async def test_phone_not_syncing(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    seeded: Simulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A phone silent for over 30 minutes gets an issue; it clears when the phone syncs."""
    issues = _issues(hass)
    office = issues[f"phone_not_syncing_{ENTRY_ID}_phone-office"]
    assert office.translation_key == "phone_not_syncing"
    assert office.translation_placeholders == {
        "phone": "Office phone",
        "minutes": "30",
        "last_seen": "2026-09-23T09:00+00:00",
    }
    assert office.severity is ir.IssueSeverity.WARNING
    assert f"phone_not_syncing_{ENTRY_ID}_phone-kitchen" not in issues
    seeded.account.phones["phone-office"].last_seen = NOW + SLOW_SCAN_INTERVAL
    await tick(hass, freezer, SLOW_SCAN_INTERVAL)
    assert f"phone_not_syncing_{ENTRY_ID}_phone-office" not in _issues(hass)
    # A phone that leaves the account takes its issue with it.
    seeded.account.phones["phone-kitchen"].last_seen = NOW - timedelta(hours=2)
    await tick(hass, freezer, SLOW_SCAN_INTERVAL)
    assert f"phone_not_syncing_{ENTRY_ID}_phone-kitchen" in _issues(hass)
    seeded.state.delete_phone(seeded.account, "phone-kitchen")
    await tick(hass, freezer, SLOW_SCAN_INTERVAL)
    assert f"phone_not_syncing_{ENTRY_ID}_phone-kitchen" not in _issues(hass)


async def test_threshold_from_options(
    hass: HomeAssistant, seeded: Simulator, make_entry: Callable[..., MockConfigEntry]
) -> None:
    """The silence threshold is an option."""
    entry = make_entry()
    hass.config_entries.async_update_entry(entry, options={CONF_STALE_PHONE_MINUTES: 240})
    assert await hass.config_entries.async_setup(entry.entry_id)
    assert not any(issue_id.startswith("phone_not_syncing") for issue_id in _issues(hass))


async def test_subscription_expired(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    seeded: Simulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """An expired subscription raises an issue linking to the dashboard; a good poll clears it."""
    seeded.account.expired = True
    await tick(hass, freezer, SMS_SCAN_INTERVAL)
    issue = _issues(hass)[f"subscription_expired_{ENTRY_ID}"]
    assert issue.severity is ir.IssueSeverity.ERROR
    assert issue.learn_more_url == "https://smsmobileapi.com/"
    seeded.account.expired = False
    await tick(hass, freezer, SMS_SCAN_INTERVAL)
    assert f"subscription_expired_{ENTRY_ID}" not in _issues(hass)


async def test_subscription_expired_fault(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    seeded: Simulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The body-level form of the error (HTTP 200, ``subscription_expire``) raises it too."""
    seeded.state.faults.add(Fault(kind="expired", path="/getsms/"))
    await tick(hass, freezer, SMS_SCAN_INTERVAL)
    assert f"subscription_expired_{ENTRY_ID}" in _issues(hass)


async def test_no_polling_and_no_webhook(
    hass: HomeAssistant,
    seeded: Simulator,
    make_entry: Callable[..., MockConfigEntry],
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """SMS polling off and no webhook ever: warn; the first webhook clears it for good."""
    entry = make_entry()
    hass.config_entries.async_update_entry(entry, options={CONF_POLL_SMS: False})
    assert await hass.config_entries.async_setup(entry.entry_id)
    assert _issues(hass)[f"no_webhook_no_polling_{ENTRY_ID}"].severity is (ir.IssueSeverity.WARNING)
    assert seeded.requests_to("/getsms/") == []
    client = await hass_client_no_auth()
    sms = seeded.state.add_received_sms(seeded.account, number="+1", message="hello")
    response = await client.post(f"/api/webhook/{WEBHOOK_ID}", data=build_legacy_body(sms))
    assert response.status == 200
    assert f"no_webhook_no_polling_{ENTRY_ID}" not in _issues(hass)
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert f"no_webhook_no_polling_{ENTRY_ID}" not in _issues(hass)


async def test_issues_removed_with_entry(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, seeded: Simulator
) -> None:
    """Deleting the entry deletes its repair issues."""
    assert any(issue_id.endswith("phone-office") for issue_id in _issues(hass))
    assert await hass.config_entries.async_remove(loaded_entry.entry_id)
    await hass.async_block_till_done()
    assert _issues(hass) == {}
