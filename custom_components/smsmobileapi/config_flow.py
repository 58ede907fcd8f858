"""Config flow: API key or OAuth2 client, tested before anything is stored."""

from __future__ import annotations

from collections.abc import Mapping
from ipaddress import ip_address
import re
from typing import Any

from homeassistant.components import webhook
from homeassistant.config_entries import (
    ConfigEntry,
    ConfigFlow,
    ConfigFlowResult,
    ConfigSubentryFlow,
)
from homeassistant.const import (
    CONF_API_KEY,
    CONF_CLIENT_ID,
    CONF_CLIENT_SECRET,
    CONF_WEBHOOK_ID,
)
from homeassistant.core import callback
from homeassistant.data_entry_flow import AbortFlow, section
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.util import dt as dt_util
import voluptuous as vol
import yarl

from .api import (
    DEFAULT_BASE_URL,
    ApiKeyCredentials,
    Credentials,
    OAuth2Credentials,
    SmsGatewayAuthenticationError,
    SmsGatewayError,
    SmsGatewaySubscriptionExpiredError,
    SmsMobileApiClient,
)
from .const import (
    AUTH_API_KEY,
    AUTH_OAUTH2,
    CONF_AUTH_TYPE,
    CONF_BASE_URL,
    CONF_PROVIDER,
    DASHBOARD_URL,
    DOMAIN,
    LOGGER,
    PROVIDER_SMSMOBILEAPI,
    SECTION_ADVANCED,
    SUBENTRY_RECIPIENT,
)
from .devices import async_phone_devices
from .options_flow import SmsMobileApiOptionsFlow
from .recipient_flow import RecipientSubentryFlow
from .selectors import PASSWORD, TEXT, URL
from .webhook import webhook_url


def _advanced(base_url: str) -> dict[vol.Marker, Any]:
    return {
        vol.Required(SECTION_ADVANCED): section(
            vol.Schema({vol.Required(CONF_BASE_URL, default=base_url): URL}),
            {"collapsed": True},
        )
    }


def _credential_fields(auth_type: str, defaults: Mapping[str, Any]) -> dict[vol.Marker, Any]:
    if auth_type == AUTH_API_KEY:
        return {vol.Required(CONF_API_KEY): PASSWORD}
    return {
        vol.Required(CONF_CLIENT_ID, default=defaults.get(CONF_CLIENT_ID, vol.UNDEFINED)): TEXT,
        vol.Required(CONF_CLIENT_SECRET): PASSWORD,
    }


def _credentials(auth_type: str, data: Mapping[str, Any]) -> Credentials:
    if auth_type == AUTH_API_KEY:
        return ApiKeyCredentials(data[CONF_API_KEY].strip())
    return OAuth2Credentials(data[CONF_CLIENT_ID].strip(), data[CONF_CLIENT_SECRET].strip())


def _credential_data(credentials: Credentials) -> dict[str, str]:
    if isinstance(credentials, ApiKeyCredentials):
        return {CONF_AUTH_TYPE: AUTH_API_KEY, CONF_API_KEY: credentials.api_key}
    return {
        CONF_AUTH_TYPE: AUTH_OAUTH2,
        CONF_CLIENT_ID: credentials.client_id,
        CONF_CLIENT_SECRET: credentials.client_secret,
    }


def _base_url(user_input: Mapping[str, Any], default: str) -> str:
    advanced = user_input.get(SECTION_ADVANCED) or {}
    return str(advanced.get(CONF_BASE_URL) or default).strip().rstrip("/")


_HOSTNAME = re.compile(
    r"(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))*\.?", re.IGNORECASE
)


def url_error(url: str) -> str | None:
    """Why a server URL cannot be used, as a form error key; None when it can.

    The credentials travel with every request: only https, or http to this machine (the
    local simulator).
    """
    try:
        parsed = yarl.URL(url)
        host = parsed.raw_host
    except (ValueError, TypeError):
        return "invalid_url"
    if (
        not parsed.is_absolute()
        or parsed.scheme not in ("http", "https")
        or not host
        or not (_HOSTNAME.fullmatch(host) or _is_ip(host))
    ):
        return "invalid_url"
    if parsed.scheme == "http" and not _is_loopback(host):
        return "url_not_https"
    return None


def _is_ip(host: str) -> bool:
    try:
        ip_address(host)
    except ValueError:
        return False
    return True


def _is_loopback(host: str) -> bool:
    return host == "localhost" or (_is_ip(host) and ip_address(host).is_loopback)


class SmsMobileApiConfigFlow(ConfigFlow, domain=DOMAIN):
    """Set up an SMSMobileAPI account."""

    VERSION = 1
    MINOR_VERSION = 1

    @staticmethod
    @callback
    def async_get_options_flow(config_entry: ConfigEntry) -> SmsMobileApiOptionsFlow:
        """Options: the webhook secret, and the webhook URL to paste in the dashboard."""
        return SmsMobileApiOptionsFlow()

    @classmethod
    @callback
    def async_get_supported_subentry_types(
        cls,
        config_entry: ConfigEntry,  # noqa: ARG003 - Home Assistant's signature
    ) -> dict[str, type[ConfigSubentryFlow]]:
        """Recipients: each one is a notify entity."""
        return {SUBENTRY_RECIPIENT: RecipientSubentryFlow}

    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Let the user choose how to authenticate."""
        return self.async_show_menu(step_id="user", menu_options=[AUTH_API_KEY, AUTH_OAUTH2])

    async def async_step_api_key(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Authenticate with the API key shown in the app."""
        return await self._async_step_credentials(AUTH_API_KEY, user_input)

    async def async_step_oauth2(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Authenticate with an OAuth2 client from the dashboard."""
        return await self._async_step_credentials(AUTH_OAUTH2, user_input)

    async def _async_step_credentials(
        self, auth_type: str, user_input: dict[str, Any] | None
    ) -> ConfigFlowResult:
        errors: dict[str, str] = {}
        if user_input is not None:
            credentials = _credentials(auth_type, user_input)
            base_url = _base_url(user_input, DEFAULT_BASE_URL)
            phone_ids, error = await self._async_test(credentials, base_url)
            if error is None:
                await self.async_set_unique_id(credentials.fingerprint)
                self._abort_if_unique_id_configured()
                self._abort_if_phones_configured(phone_ids)
                webhook_id = webhook.async_generate_id()
                return self.async_create_entry(
                    title="SMSMobileAPI",
                    data={
                        CONF_PROVIDER: PROVIDER_SMSMOBILEAPI,
                        **_credential_data(credentials),
                        CONF_BASE_URL: base_url,
                        CONF_WEBHOOK_ID: webhook_id,
                    },
                    description_placeholders={
                        "webhook_url": webhook_url(self.hass, webhook_id),
                        "dashboard_url": DASHBOARD_URL,
                    },
                )
            errors["base"] = error
        schema = vol.Schema(
            {**_credential_fields(auth_type, user_input or {}), **_advanced(DEFAULT_BASE_URL)}
        )
        return self.async_show_form(
            step_id=auth_type,
            data_schema=self.add_suggested_values_to_schema(schema, user_input),
            errors=errors,
            description_placeholders={"dashboard_url": DASHBOARD_URL},
        )

    async def async_step_reauth(self, entry_data: Mapping[str, Any]) -> ConfigFlowResult:
        """The service rejected the stored credentials."""
        return await self.async_step_reauth_confirm()

    async def async_step_reauth_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for new credentials of the same account."""
        return await self._async_step_update(
            "reauth_confirm", self._get_reauth_entry(), user_input, with_url=False
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change the credentials or the server of an existing entry."""
        return await self._async_step_update(
            "reconfigure", self._get_reconfigure_entry(), user_input, with_url=True
        )

    async def _async_step_update(
        self,
        step_id: str,
        entry: ConfigEntry,
        user_input: dict[str, Any] | None,
        *,
        with_url: bool,
    ) -> ConfigFlowResult:
        auth_type: str = entry.data[CONF_AUTH_TYPE]
        current_url: str = entry.data[CONF_BASE_URL]
        errors: dict[str, str] = {}
        if user_input is not None:
            credentials = _credentials(auth_type, user_input)
            base_url = _base_url(user_input, current_url) if with_url else current_url
            phone_ids, error = await self._async_test(credentials, base_url)
            if error is None:
                if not self._same_account(entry, credentials, phone_ids):
                    return self.async_abort(reason="wrong_account")
                data = {**_credential_data(credentials), CONF_BASE_URL: base_url}
                return self.async_update_reload_and_abort(
                    entry, unique_id=credentials.fingerprint, data_updates=data
                )
            errors["base"] = error
        fields = _credential_fields(auth_type, entry.data)
        if with_url:
            fields |= _advanced(current_url)
        return self.async_show_form(
            step_id=step_id,
            data_schema=vol.Schema(fields),
            errors=errors,
            description_placeholders={
                "dashboard_url": DASHBOARD_URL,
                "name": entry.title,
            },
        )

    def _same_account(
        self, entry: ConfigEntry, credentials: Credentials, phone_ids: set[str]
    ) -> bool:
        """Same credentials, or new ones that see at least one of the entry's phones.

        A new API key has a new fingerprint: the phones tell whether it is the same account.
        """
        if credentials.fingerprint == entry.unique_id:
            return True
        known = _entry_phone_ids(self, entry)
        return bool(known & phone_ids)

    def _abort_if_phones_configured(self, phone_ids: set[str]) -> None:
        """The same account through other credentials (say OAuth2 after an API key) is a dupe."""
        for entry in self._async_current_entries(include_ignore=False):
            if _entry_phone_ids(self, entry) & phone_ids:
                raise AbortFlow("already_configured")

    async def _async_test(
        self, credentials: Credentials, base_url: str
    ) -> tuple[set[str], str | None]:
        """Try the credentials; return the account's phone ids and an error key or None."""
        if (error := url_error(base_url)) is not None:
            return set(), error
        client = SmsMobileApiClient(
            async_get_clientsession(self.hass), credentials, base_url=base_url
        )
        try:
            phones = await client.get_phones()
            # The SMS endpoints may refuse a key with HTTP 200 and an error in the body.
            await client.get_received_sms(after=dt_util.utcnow())
        except SmsGatewayAuthenticationError:
            return set(), "invalid_auth"
        except SmsGatewaySubscriptionExpiredError:
            return set(), "subscription_expired"
        except SmsGatewayError:
            return set(), "cannot_connect"
        except Exception:  # noqa: BLE001 - any surprise becomes the "unknown" error, logged
            LOGGER.exception("Unexpected error while testing the credentials")
            return set(), "unknown"
        return {phone.phone_id for phone in phones.phones}, None


def _entry_phone_ids(flow: ConfigFlow, entry: ConfigEntry) -> set[str]:
    return set(async_phone_devices(flow.hass, entry.entry_id))
