"""Repair issues: what the user must act on, raised and cleared as the account changes."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir

from .api import Phone
from .const import (
    DASHBOARD_URL,
    DOMAIN,
    ISSUE_CALL_LOGS_NEED_API_KEY,
    ISSUE_NO_WEBHOOK_NO_POLLING,
    ISSUE_PHONE_NOT_SYNCING,
    ISSUE_SUBSCRIPTION_EXPIRED,
    ISSUE_UNSIGNED_WEBHOOK,
)


def _issue_id(kind: str, entry_id: str, suffix: str = "") -> str:
    return f"{kind}_{entry_id}{'_' + suffix if suffix else ''}"


def _set_issue(
    hass: HomeAssistant,
    issue_id: str,
    *,
    active: bool,
    kind: str,
    severity: ir.IssueSeverity,
    placeholders: dict[str, str],
    learn_more_url: str | None = None,
) -> None:
    """Raise the issue while ``active``, delete it otherwise (both are no-ops when unchanged)."""
    if not active:
        ir.async_delete_issue(hass, DOMAIN, issue_id)
        return
    ir.async_create_issue(
        hass,
        DOMAIN,
        issue_id,
        is_fixable=False,
        is_persistent=False,
        learn_more_url=learn_more_url,
        severity=severity,
        translation_key=kind,
        translation_placeholders=placeholders,
    )


@callback
def async_set_subscription_expired(
    hass: HomeAssistant, entry_id: str, title: str, *, expired: bool
) -> None:
    """Raise the expired-subscription issue, or clear it once a poll succeeds again."""
    _set_issue(
        hass,
        _issue_id(ISSUE_SUBSCRIPTION_EXPIRED, entry_id),
        active=expired,
        kind=ISSUE_SUBSCRIPTION_EXPIRED,
        severity=ir.IssueSeverity.ERROR,
        placeholders={"name": title, "dashboard_url": DASHBOARD_URL},
        learn_more_url=DASHBOARD_URL,
    )


@callback
def async_check_phones(
    hass: HomeAssistant,
    entry_id: str,
    phones: Mapping[str, Phone],
    known: set[str],
    *,
    now: datetime,
    threshold: timedelta,
) -> set[str]:
    """Raise an issue per phone that has not synchronised for ``threshold``; clear the others.

    ``known`` are the phones checked last time (so a phone that left clears its issue);
    returns the phones checked now.
    """
    for phone_id in known - set(phones):
        ir.async_delete_issue(hass, DOMAIN, _issue_id(ISSUE_PHONE_NOT_SYNCING, entry_id, phone_id))
    for phone_id, phone in phones.items():
        silent = phone.last_seen is not None and now - phone.last_seen > threshold
        _set_issue(
            hass,
            _issue_id(ISSUE_PHONE_NOT_SYNCING, entry_id, phone_id),
            active=silent,
            kind=ISSUE_PHONE_NOT_SYNCING,
            severity=ir.IssueSeverity.WARNING,
            placeholders={
                "phone": phone.label or phone_id,
                "minutes": str(int(threshold.total_seconds() // 60)),
                "last_seen": phone.last_seen.isoformat(timespec="minutes")
                if phone.last_seen
                else "",
            },
        )
    return set(phones)


@callback
def async_set_no_webhook_no_polling(
    hass: HomeAssistant, entry_id: str, title: str, *, active: bool
) -> None:
    """Warn when SMS polling is off and no webhook ever arrived: nothing would be received."""
    _set_issue(
        hass,
        _issue_id(ISSUE_NO_WEBHOOK_NO_POLLING, entry_id),
        active=active,
        kind=ISSUE_NO_WEBHOOK_NO_POLLING,
        severity=ir.IssueSeverity.WARNING,
        placeholders={"name": title},
    )


@callback
def async_set_unsigned_webhook(
    hass: HomeAssistant,
    entry_id: str,
    title: str,
    *,
    advice: str = ISSUE_UNSIGNED_WEBHOOK,
    portal_url: str = DASHBOARD_URL,
    active: bool = True,
) -> None:
    """Recommend signed deliveries once unsigned ones arrive (anyone knowing the URL can push).

    ``advice`` is the translation that tells how the entry's service signs its deliveries.
    """
    _set_issue(
        hass,
        _issue_id(ISSUE_UNSIGNED_WEBHOOK, entry_id),
        active=active,
        kind=advice,
        severity=ir.IssueSeverity.WARNING,
        placeholders={"name": title, "dashboard_url": portal_url},
        learn_more_url=portal_url,
    )


@callback
def async_set_call_logs_need_api_key(
    hass: HomeAssistant, entry_id: str, title: str, *, active: bool = True
) -> None:
    """The call logs refused the OAuth2 token: they only take the API key."""
    _set_issue(
        hass,
        _issue_id(ISSUE_CALL_LOGS_NEED_API_KEY, entry_id),
        active=active,
        kind=ISSUE_CALL_LOGS_NEED_API_KEY,
        severity=ir.IssueSeverity.WARNING,
        placeholders={"name": title, "dashboard_url": DASHBOARD_URL},
        learn_more_url=DASHBOARD_URL,
    )


@callback
def async_clear_all(hass: HomeAssistant, entry_id: str) -> None:
    """Remove every issue of an entry (the entry is being removed)."""
    registry = ir.async_get(hass)
    for domain, issue_id in list(registry.issues):
        if domain == DOMAIN and entry_id in issue_id:
            ir.async_delete_issue(hass, DOMAIN, issue_id)
