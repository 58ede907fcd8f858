"""Config flow: API key or OAuth2 client, tested before anything is stored."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from homeassistant.components import webhook
from homeassistant.config_entries import (
    ConfigEntry,
    ConfigEntryState,
    ConfigFlow,
    ConfigFlowResult,
    ConfigSubentry,
    ConfigSubentryFlow,
    OptionsFlowWithReload,
    SubentryFlowResult,
)
from homeassistant.const import (
    CONF_API_KEY,
    CONF_CLIENT_ID,
    CONF_CLIENT_SECRET,
    CONF_NAME,
    CONF_SCAN_INTERVAL,
    CONF_WEBHOOK_ID,
)
from homeassistant.core import callback
from homeassistant.data_entry_flow import AbortFlow, section
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.selector import (
    BooleanSelector,
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    SelectOptionDict,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)
from homeassistant.util import dt as dt_util
import voluptuous as vol

from .api import (
    DEFAULT_BASE_URL,
    ApiKeyCredentials,
    Channel,
    Credentials,
    OAuth2Credentials,
    SmsMobileApiAuthenticationError,
    SmsMobileApiClient,
    SmsMobileApiError,
    SmsMobileApiSubscriptionExpiredError,
)
from .const import (
    AUTH_API_KEY,
    AUTH_OAUTH2,
    CONF_AUTH_TYPE,
    CONF_BASE_URL,
    CONF_CLOUDHOOK_URL,
    CONF_DEFAULT_CHANNEL,
    CONF_DEFAULT_SIM,
    CONF_POLL_ANSWERED_CALLS,
    CONF_POLL_MISSED_CALLS,
    CONF_POLL_SMS,
    CONF_PROVIDER,
    CONF_SLOW_SCAN_INTERVAL,
    CONF_STALE_PHONE_MINUTES,
    CONF_WEBHOOK_SECRET,
    DASHBOARD_URL,
    DEFAULT_STALE_PHONE_MINUTES,
    DOMAIN,
    LOGGER,
    MAX_SCAN_INTERVAL,
    MAX_SLOW_SCAN_INTERVAL,
    MIN_SCAN_INTERVAL,
    MIN_SLOW_SCAN_INTERVAL,
    PROVIDER_SMSMOBILEAPI,
    SECTION_ADVANCED,
    SLOW_SCAN_INTERVAL,
    SMS_SCAN_INTERVAL,
)
from .identifiers import phone_identifier
from .phone_numbers import InvalidPhoneNumberError, to_e164
from .services import (
    CONF_CHANNEL,
    CONF_NUMBER,
    CONF_PHONE,
    CONF_SIM,
    SUBENTRY_RECIPIENT,
    default_channel,
)
from .webhook import webhook_url

_PASSWORD = TextSelector(TextSelectorConfig(type=TextSelectorType.PASSWORD))
_TEXT = TextSelector()
_URL = TextSelector(TextSelectorConfig(type=TextSelectorType.URL))
_TEL = TextSelector(TextSelectorConfig(type=TextSelectorType.TEL))
_CHANNEL = SelectSelector(
    SelectSelectorConfig(
        options=[channel.value for channel in Channel],
        translation_key=CONF_CHANNEL,
        mode=SelectSelectorMode.LIST,
    )
)
_SIM = SelectSelector(
    SelectSelectorConfig(
        options=["1", "2"], translation_key=CONF_SIM, mode=SelectSelectorMode.DROPDOWN
    )
)


def _advanced(base_url: str) -> dict[vol.Marker, Any]:
    return {
        vol.Required(SECTION_ADVANCED): section(
            vol.Schema({vol.Required(CONF_BASE_URL, default=base_url): _URL}),
            {"collapsed": True},
        )
    }


def _credential_fields(auth_type: str, defaults: Mapping[str, Any]) -> dict[vol.Marker, Any]:
    if auth_type == AUTH_API_KEY:
        return {vol.Required(CONF_API_KEY): _PASSWORD}
    return {
        vol.Required(CONF_CLIENT_ID, default=defaults.get(CONF_CLIENT_ID, vol.UNDEFINED)): _TEXT,
        vol.Required(CONF_CLIENT_SECRET): _PASSWORD,
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


def _base_url(user_input: Mapping[str, Any]) -> str:
    advanced = user_input.get(SECTION_ADVANCED) or {}
    return str(advanced.get(CONF_BASE_URL) or DEFAULT_BASE_URL).strip().rstrip("/")


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
            base_url = _base_url(user_input)
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
            base_url = _base_url(user_input) if with_url else current_url
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
        client = SmsMobileApiClient(
            async_get_clientsession(self.hass), credentials, base_url=base_url
        )
        try:
            phones = await client.get_phones()
            # The SMS endpoints may refuse a key with HTTP 200 and an error in the body.
            await client.get_received_sms(after=dt_util.utcnow())
        except SmsMobileApiAuthenticationError:
            return set(), "invalid_auth"
        except SmsMobileApiSubscriptionExpiredError:
            return set(), "subscription_expired"
        except SmsMobileApiError:
            return set(), "cannot_connect"
        except Exception:  # noqa: BLE001 - any surprise becomes the "unknown" error, logged
            LOGGER.exception("Unexpected error while testing the credentials")
            return set(), "unknown"
        return {phone.device_id for phone in phones.phones}, None


def _seconds(minimum: int, maximum: int, step: int) -> NumberSelector:
    return NumberSelector(
        NumberSelectorConfig(
            min=minimum,
            max=maximum,
            step=step,
            unit_of_measurement="s",
            mode=NumberSelectorMode.BOX,
        )
    )


_OPTIONS_SCHEMA = vol.Schema(
    {
        vol.Required(CONF_SCAN_INTERVAL, default=int(SMS_SCAN_INTERVAL.total_seconds())): vol.All(
            _seconds(MIN_SCAN_INTERVAL, MAX_SCAN_INTERVAL, 10), vol.Coerce(int)
        ),
        vol.Required(
            CONF_SLOW_SCAN_INTERVAL, default=int(SLOW_SCAN_INTERVAL.total_seconds())
        ): vol.All(_seconds(MIN_SLOW_SCAN_INTERVAL, MAX_SLOW_SCAN_INTERVAL, 60), vol.Coerce(int)),
        vol.Required(CONF_POLL_SMS, default=True): BooleanSelector(),
        vol.Required(CONF_POLL_MISSED_CALLS, default=True): BooleanSelector(),
        vol.Required(CONF_POLL_ANSWERED_CALLS, default=True): BooleanSelector(),
        vol.Required(CONF_STALE_PHONE_MINUTES, default=DEFAULT_STALE_PHONE_MINUTES): vol.All(
            NumberSelector(
                NumberSelectorConfig(
                    min=5, max=1440, step=5, unit_of_measurement="min", mode=NumberSelectorMode.BOX
                )
            ),
            vol.Coerce(int),
        ),
        vol.Required(CONF_DEFAULT_CHANNEL, default="sms"): _CHANNEL,
        vol.Optional(CONF_DEFAULT_SIM): SelectSelector(
            SelectSelectorConfig(
                options=["1", "2"], translation_key="sim", mode=SelectSelectorMode.DROPDOWN
            )
        ),
        vol.Optional(CONF_WEBHOOK_SECRET): _PASSWORD,
    }
)


class SmsMobileApiOptionsFlow(OptionsFlowWithReload):
    """Polling, sending defaults, phone health and the webhook; the entry reloads on change."""

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Show the webhook URL and every option."""
        if user_input is not None:
            options = dict(user_input)
            secret = str(options.pop(CONF_WEBHOOK_SECRET, "") or "").strip()
            if secret:
                options[CONF_WEBHOOK_SECRET] = secret
            return self.async_create_entry(data=options)
        return self.async_show_form(
            step_id="init",
            data_schema=self.add_suggested_values_to_schema(
                _OPTIONS_SCHEMA, self.config_entry.options
            ),
            description_placeholders={
                "webhook_url": webhook_url(
                    self.hass,
                    self.config_entry.data[CONF_WEBHOOK_ID],
                    self.config_entry.data.get(CONF_CLOUDHOOK_URL),
                ),
                "dashboard_url": DASHBOARD_URL,
            },
        )


class RecipientSubentryFlow(ConfigSubentryFlow):
    """Add or edit a recipient: a name, a number, a channel and optionally a phone and SIM."""

    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> SubentryFlowResult:
        """Add a recipient."""
        return await self._async_step_recipient("user", user_input, None)

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Edit a recipient; its notify entity uses the new settings at once."""
        return await self._async_step_recipient(
            "reconfigure", user_input, self._get_reconfigure_subentry()
        )

    async def _async_step_recipient(
        self,
        step_id: str,
        user_input: dict[str, Any] | None,
        subentry: ConfigSubentry | None,
    ) -> SubentryFlowResult:
        entry = self._get_entry()
        if entry.state is not ConfigEntryState.LOADED:
            return self.async_abort(reason="entry_not_loaded")
        errors: dict[str, str] = {}
        if user_input is not None:
            data, error_field, error = self._recipient_data(entry, user_input, subentry)
            if error is None:
                title = data[CONF_NAME]
                unique_id = _recipient_unique_id(data)
                if subentry is None:
                    return self.async_create_entry(title=title, data=data, unique_id=unique_id)
                return self.async_update_and_abort(
                    entry, subentry, title=title, data=data, unique_id=unique_id
                )
            errors[error_field] = error
        current = user_input
        if current is None and subentry is not None:
            current = {**subentry.data, CONF_NAME: subentry.title}
            if CONF_SIM in current:
                current[CONF_SIM] = str(current[CONF_SIM])
        schema = vol.Schema(
            {
                vol.Required(CONF_NAME): _TEXT,
                vol.Required(CONF_NUMBER): _TEL,
                vol.Required(CONF_CHANNEL, default=default_channel(entry).value): _CHANNEL,
                **self._phone_field(entry, subentry),
                vol.Optional(CONF_SIM): _SIM,
            }
        )
        return self.async_show_form(
            step_id=step_id,
            data_schema=self.add_suggested_values_to_schema(schema, current),
            errors=errors,
        )

    def _phone_field(
        self, entry: ConfigEntry, subentry: ConfigSubentry | None
    ) -> dict[vol.Marker, Any]:
        """A choice among the connected phones (and the one chosen before, if it left)."""
        phones = entry.runtime_data.coordinator.data.phones
        options = [
            SelectOptionDict(value=sid, label=phone.label or sid) for sid, phone in phones.items()
        ]
        chosen = subentry.data.get(CONF_PHONE) if subentry is not None else None
        if chosen is not None and chosen not in phones:
            options.append(SelectOptionDict(value=chosen, label=chosen))
        if not options:
            return {}
        selector = SelectSelector(
            SelectSelectorConfig(options=options, mode=SelectSelectorMode.DROPDOWN)
        )
        return {vol.Optional(CONF_PHONE): selector}

    def _recipient_data(
        self,
        entry: ConfigEntry,
        user_input: dict[str, Any],
        subentry: ConfigSubentry | None,
    ) -> tuple[dict[str, Any], str, str | None]:
        """The subentry data, or the field in error and the error."""
        try:
            number = to_e164(user_input[CONF_NUMBER], self.hass.config.country)
        except InvalidPhoneNumberError:
            return {}, CONF_NUMBER, "invalid_number"
        data: dict[str, Any] = {
            CONF_NAME: str(user_input[CONF_NAME]).strip() or number,
            CONF_NUMBER: number,
            CONF_CHANNEL: user_input[CONF_CHANNEL],
        }
        if phone := user_input.get(CONF_PHONE):
            data[CONF_PHONE] = phone
        if sim := user_input.get(CONF_SIM):
            data[CONF_SIM] = int(sim)
        unique_id = _recipient_unique_id(data)
        for other in entry.subentries.values():
            if other.unique_id == unique_id and (
                subentry is None or other.subentry_id != subentry.subentry_id
            ):
                return {}, "base", "already_configured"
        return data, "", None


def _recipient_unique_id(data: Mapping[str, Any]) -> str:
    """A recipient is a number and a channel: the same pair twice would send twice."""
    return f"{data[CONF_CHANNEL]}_{data[CONF_NUMBER]}"


def _entry_phone_ids(flow: ConfigFlow, entry: ConfigEntry) -> set[str]:
    registry = dr.async_get(flow.hass)
    ids: set[str] = set()
    for device in dr.async_entries_for_config_entry(registry, entry.entry_id):
        for domain, identifier in device.identifiers:
            if domain == DOMAIN and (sid := phone_identifier(identifier)) is not None:
                ids.add(sid)
    return ids
