"""Config flow: SMSMobileAPI (API key or OAuth2 client) or CALLR, tested before it is stored."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from homeassistant.components import webhook
from homeassistant.config_entries import (
    ConfigEntry,
    ConfigFlow,
    ConfigFlowResult,
    ConfigSubentryFlow,
)
from homeassistant.const import CONF_WEBHOOK_ID
from homeassistant.core import callback
from homeassistant.data_entry_flow import AbortFlow, section
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.util import dt as dt_util
import voluptuous as vol

from .api import (
    Capability,
    SmsGatewayAuthenticationError,
    SmsGatewayError,
    SmsGatewaySubscriptionExpiredError,
    feature,
)
from .const import (
    AUTH_API_KEY,
    AUTH_OAUTH2,
    CONF_BASE_URL,
    DOMAIN,
    LOGGER,
    METHOD_CALLR,
    SECTION_ADVANCED,
    SUBENTRY_RECIPIENT,
)
from .devices import async_phone_devices
from .options_flow import SmsMobileApiOptionsFlow
from .providers import SIGN_INS, AnyCredentials, SignIn, async_import_provider, sign_in_of
from .recipient_flow import RecipientSubentryFlow
from .selectors import PASSWORD, TEXT, URL
from .urls import url_error
from .webhook import webhook_url

# The credentials are tried on the received messages of this short window.
_TEST_WINDOW = timedelta(minutes=1)


def _advanced(base_url: str) -> dict[vol.Marker, Any]:
    return {
        vol.Required(SECTION_ADVANCED): section(
            vol.Schema({vol.Required(CONF_BASE_URL, default=base_url): URL}),
            {"collapsed": True},
        )
    }


def _credential_fields(sign_in: SignIn, defaults: Mapping[str, Any]) -> dict[vol.Marker, Any]:
    """The form fields of a way to sign in; names (never secrets) are prefilled."""
    fields: dict[vol.Marker, Any] = {}
    for key in sign_in.fields:
        if key in sign_in.secret_fields:
            fields[vol.Required(key)] = PASSWORD
        else:
            fields[vol.Required(key, default=defaults.get(key, vol.UNDEFINED))] = TEXT
    return fields


def _base_url(user_input: Mapping[str, Any], default: str) -> str:
    advanced = user_input.get(SECTION_ADVANCED) or {}
    return str(advanced.get(CONF_BASE_URL) or default).strip().rstrip("/")


class SmsMobileApiConfigFlow(ConfigFlow, domain=DOMAIN):
    """Set up an SMSMobileAPI or CALLR account."""

    VERSION = 1
    MINOR_VERSION = 1

    @staticmethod
    @callback
    def async_get_options_flow(config_entry: ConfigEntry) -> SmsMobileApiOptionsFlow:
        """Options: polling, sending defaults and the webhook (its URL and secret)."""
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
        """Let the user choose the provider and how to sign in."""
        return self.async_show_menu(
            step_id="user", menu_options=[AUTH_API_KEY, AUTH_OAUTH2, METHOD_CALLR]
        )

    async def async_step_api_key(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """SMSMobileAPI, with the API key shown in the app."""
        return await self._async_step_sign_in(SIGN_INS[AUTH_API_KEY], user_input)

    async def async_step_oauth2(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """SMSMobileAPI, with an OAuth2 client from the dashboard."""
        return await self._async_step_sign_in(SIGN_INS[AUTH_OAUTH2], user_input)

    async def async_step_callr(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """CALLR, with the account's API login and password."""
        return await self._async_step_sign_in(SIGN_INS[METHOD_CALLR], user_input)

    async def _async_step_sign_in(
        self, sign_in: SignIn, user_input: dict[str, Any] | None
    ) -> ConfigFlowResult:
        errors: dict[str, str] = {}
        if user_input is not None:
            await async_import_provider(self.hass, sign_in)
            credentials = sign_in.credentials(user_input)
            base_url = _base_url(user_input, sign_in.default_base_url)
            phone_ids, error = await self._async_test(sign_in, credentials, base_url)
            if error is None:
                await self.async_set_unique_id(credentials.fingerprint)
                self._abort_if_unique_id_configured()
                self._abort_if_phones_configured(phone_ids)
                webhook_id = webhook.async_generate_id()
                return self.async_create_entry(
                    title=sign_in.title,
                    data={
                        **sign_in.entry_data(credentials),
                        CONF_BASE_URL: base_url,
                        CONF_WEBHOOK_ID: webhook_id,
                    },
                    description_placeholders={
                        "webhook_url": webhook_url(self.hass, webhook_id),
                        "dashboard_url": sign_in.portal_url,
                        "provider": sign_in.title,
                    },
                )
            errors["base"] = error
        schema = vol.Schema(
            {
                **_credential_fields(sign_in, user_input or {}),
                **_advanced(sign_in.default_base_url),
            }
        )
        return self.async_show_form(
            step_id=sign_in.step_id,
            data_schema=self.add_suggested_values_to_schema(schema, user_input),
            errors=errors,
            description_placeholders={"dashboard_url": sign_in.portal_url},
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
        sign_in = sign_in_of(entry.data)
        current_url: str = entry.data[CONF_BASE_URL]
        errors: dict[str, str] = {}
        if user_input is not None:
            await async_import_provider(self.hass, sign_in)
            credentials = sign_in.credentials(user_input)
            base_url = _base_url(user_input, current_url) if with_url else current_url
            phone_ids, error = await self._async_test(sign_in, credentials, base_url)
            if error is None:
                if not self._same_account(entry, credentials, phone_ids):
                    return self.async_abort(reason="wrong_account")
                data = {**sign_in.entry_data(credentials), CONF_BASE_URL: base_url}
                return self.async_update_reload_and_abort(
                    entry, unique_id=credentials.fingerprint, data_updates=data
                )
            errors["base"] = error
        fields = _credential_fields(sign_in, entry.data)
        if with_url:
            fields |= _advanced(current_url)
        return self.async_show_form(
            step_id=step_id,
            data_schema=vol.Schema(fields),
            errors=errors,
            description_placeholders={
                "dashboard_url": sign_in.portal_url,
                "name": entry.title,
                "provider": sign_in.title,
            },
        )

    def _same_account(
        self, entry: ConfigEntry, credentials: AnyCredentials, phone_ids: set[str]
    ) -> bool:
        """Same credentials (same login), or new ones that see one of the entry's phones.

        A new SMSMobileAPI key has a new fingerprint: the phones tell whether it is the same
        account. A CALLR login is the account: another login is another account.
        """
        if credentials.fingerprint == entry.unique_id:
            return True
        return bool(_entry_phone_ids(self, entry) & phone_ids)

    def _abort_if_phones_configured(self, phone_ids: set[str]) -> None:
        """The same account through other credentials (say OAuth2 after an API key) is a dupe."""
        for entry in self._async_current_entries(include_ignore=False):
            if _entry_phone_ids(self, entry) & phone_ids:
                raise AbortFlow("already_configured")

    async def _async_test(
        self, sign_in: SignIn, credentials: AnyCredentials, base_url: str
    ) -> tuple[set[str], str | None]:
        """Try the credentials; return the account's phone ids and an error key or None."""
        if (error := url_error(base_url)) is not None:
            return set(), error
        client = sign_in.make_client(async_get_clientsession(self.hass), credentials, base_url)
        phone_ids: set[str] = set()
        try:
            if (phones := feature(client, Capability.PHONES)) is not None:
                listed = await phones.get_phones()
                phone_ids = {phone.phone_id for phone in listed.phones}
            # A real request on a short window: some services refuse a key with HTTP 200.
            await client.get_received_sms(after=dt_util.utcnow() - _TEST_WINDOW)
        except SmsGatewayAuthenticationError:
            return set(), "invalid_auth"
        except SmsGatewaySubscriptionExpiredError:
            return set(), "subscription_expired"
        except SmsGatewayError:
            return set(), "cannot_connect"
        except Exception:  # noqa: BLE001 - any surprise becomes the "unknown" error, logged
            LOGGER.exception("Unexpected error while testing the credentials")
            return set(), "unknown"
        return phone_ids, None


def _entry_phone_ids(flow: ConfigFlow, entry: ConfigEntry) -> set[str]:
    return set(async_phone_devices(flow.hass, entry.entry_id))
