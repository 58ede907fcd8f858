"""Translated errors of the actions and the notify entities.

``ServiceValidationError`` for what the user asked wrongly (refused before any request);
``HomeAssistantError`` for what the service refused or failed to do. Messages are built from the
client's scrubbed errors: no credential ever reaches them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Mapping
from typing import TYPE_CHECKING

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError

from .api import (
    SmsGatewayAuthenticationError,
    SmsGatewayError,
    SmsGatewayRateLimitError,
    SmsGatewaySubscriptionExpiredError,
)
from .const import DOMAIN

if TYPE_CHECKING:
    # Only for annotations: the coordinator's module imports the inbox, which imports this one.
    from .coordinator import SmsMobileApiConfigEntry


def validation_error(key: str, **placeholders: str) -> ServiceValidationError:
    """The user's input cannot be acted on (translation ``exceptions.<key>``)."""
    return ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key=key,
        translation_placeholders=placeholders or None,
    )


def action_error(key: str, **placeholders: str) -> HomeAssistantError:
    """The service failed to do what was asked (translation ``exceptions.<key>``)."""
    return HomeAssistantError(
        translation_domain=DOMAIN,
        translation_key=key,
        translation_placeholders=placeholders or None,
    )


def is_account_wide(error: SmsGatewayError) -> bool:
    """Errors that every further request of the account would get too."""
    return isinstance(
        error,
        SmsGatewayAuthenticationError
        | SmsGatewaySubscriptionExpiredError
        | SmsGatewayRateLimitError,
    )


def gateway_error(
    hass: HomeAssistant,
    entry: SmsMobileApiConfigEntry,
    error: SmsGatewayError,
    key: str,
    placeholders: Mapping[str, str],
) -> HomeAssistantError:
    """A translated error for a failed request; rejected credentials also start a reauth."""
    if isinstance(error, SmsGatewayAuthenticationError):
        entry.async_start_reauth(hass)
        return action_error("invalid_auth")
    if isinstance(error, SmsGatewaySubscriptionExpiredError):
        return action_error("subscription_expired")
    if isinstance(error, SmsGatewayRateLimitError):
        return action_error("action_rate_limited")
    return action_error(key, **placeholders, error=str(error))


async def async_call_gateway[T](
    hass: HomeAssistant,
    entry: SmsMobileApiConfigEntry,
    request: Awaitable[T],
    key: str,
    **placeholders: str,
) -> T:
    """Await one request; a failure becomes the translated error ``key``."""
    try:
        return await request
    except SmsGatewayError as err:
        raise gateway_error(hass, entry, err, key, placeholders) from err
