"""The ways to sign in (SMSMobileAPI by API key or OAuth2 client, CALLR by login) and their clients.

A config entry's data says which provider and credentials it holds; this module turns them into
the provider's client. Everything after that is chosen by the client's capabilities.

A provider's client is imported when an entry (or a form) first needs it, off the event loop
(``async_import_provider``): an account uses one provider, and Home Assistant need not import the
other's client at all.
"""

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Final, NamedTuple

import aiohttp
from homeassistant.const import (
    CONF_API_KEY,
    CONF_CLIENT_ID,
    CONF_CLIENT_SECRET,
    CONF_PASSWORD,
    CONF_USERNAME,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers.importlib import async_import_module

from . import api
from .api import Capability, SmsGateway
from .api.callr.const import DEFAULT_BASE_URL as CALLR_DEFAULT_BASE_URL
from .api.smsmobileapi.const import DEFAULT_BASE_URL
from .const import (
    AUTH_API_KEY,
    AUTH_OAUTH2,
    CALLR_PORTAL_URL,
    CONF_AUTH_TYPE,
    CONF_BASE_URL,
    CONF_PROVIDER,
    DASHBOARD_URL,
    METHOD_CALLR,
    PROVIDER_CALLR,
    PROVIDER_SMSMOBILEAPI,
    PROVIDER_TITLES,
)

if TYPE_CHECKING:
    # The providers' own modules, imported when an entry of theirs is set up.
    from .api import ApiKeyCredentials, CallrCredentials, OAuth2Credentials

type AnyCredentials = ApiKeyCredentials | OAuth2Credentials | CallrCredentials


class SignIn(NamedTuple):
    """One way to sign in: its config-flow step, provider, fields and client."""

    step_id: str
    provider: str
    title: str
    default_base_url: str
    # What the user types (the first one is shown again, prefilled, when asked again).
    fields: tuple[str, ...]
    secret_fields: tuple[str, ...]
    # Where the account is managed (the device's configuration URL, the forms' links).
    portal_url: str
    model: str
    # The repair issue's text on signing webhook deliveries (how this service does it).
    unsigned_advice: str
    # The provider's client package (``custom_components.smsmobileapi.api.<package>``).
    package: str
    make_credentials: Callable[[Mapping[str, str]], AnyCredentials]
    make_client: Callable[[aiohttp.ClientSession, Any, str], SmsGateway]
    client_class: Callable[[], type[SmsGateway]]

    @property
    def capabilities(self) -> frozenset[Capability]:
        """What the provider's client offers."""
        return self.client_class().capabilities

    def credentials(self, data: Mapping[str, Any]) -> AnyCredentials:
        """The credentials typed in a form (or stored in an entry), trimmed."""
        return self.make_credentials({key: str(data[key]).strip() for key in self.fields})

    def entry_data(self, credentials: AnyCredentials) -> dict[str, str]:
        """What an entry stores of these credentials (with the provider)."""
        data = {CONF_PROVIDER: self.provider}
        if self.provider == PROVIDER_SMSMOBILEAPI:
            data[CONF_AUTH_TYPE] = self.step_id
        return data | {key: getattr(credentials, _ATTRIBUTES[key]) for key in self.fields}


_ATTRIBUTES: Final = {
    CONF_API_KEY: "api_key",
    CONF_CLIENT_ID: "client_id",
    CONF_CLIENT_SECRET: "client_secret",
    CONF_USERNAME: "username",
    CONF_PASSWORD: "password",
}

SIGN_INS: Final = {
    AUTH_API_KEY: SignIn(
        step_id=AUTH_API_KEY,
        provider=PROVIDER_SMSMOBILEAPI,
        title=PROVIDER_TITLES[PROVIDER_SMSMOBILEAPI],
        default_base_url=DEFAULT_BASE_URL,
        fields=(CONF_API_KEY,),
        secret_fields=(CONF_API_KEY,),
        portal_url=DASHBOARD_URL,
        model="SMS gateway account",
        unsigned_advice="unsigned_webhook",
        package="smsmobileapi",
        make_credentials=lambda data: api.ApiKeyCredentials(data[CONF_API_KEY]),
        make_client=lambda session, credentials, url: api.SmsMobileApiClient(
            session, credentials, base_url=url
        ),
        client_class=lambda: api.SmsMobileApiClient,
    ),
    AUTH_OAUTH2: SignIn(
        step_id=AUTH_OAUTH2,
        provider=PROVIDER_SMSMOBILEAPI,
        title=PROVIDER_TITLES[PROVIDER_SMSMOBILEAPI],
        default_base_url=DEFAULT_BASE_URL,
        fields=(CONF_CLIENT_ID, CONF_CLIENT_SECRET),
        secret_fields=(CONF_CLIENT_SECRET,),
        portal_url=DASHBOARD_URL,
        model="SMS gateway account",
        unsigned_advice="unsigned_webhook",
        package="smsmobileapi",
        make_credentials=lambda data: api.OAuth2Credentials(
            data[CONF_CLIENT_ID], data[CONF_CLIENT_SECRET]
        ),
        make_client=lambda session, credentials, url: api.SmsMobileApiClient(
            session, credentials, base_url=url
        ),
        client_class=lambda: api.SmsMobileApiClient,
    ),
    METHOD_CALLR: SignIn(
        step_id=METHOD_CALLR,
        provider=PROVIDER_CALLR,
        title=PROVIDER_TITLES[PROVIDER_CALLR],
        default_base_url=CALLR_DEFAULT_BASE_URL,
        fields=(CONF_USERNAME, CONF_PASSWORD),
        secret_fields=(CONF_PASSWORD,),
        portal_url=CALLR_PORTAL_URL,
        model="CALLR account",
        unsigned_advice="unsigned_callr_webhook",
        package="callr",
        make_credentials=lambda data: api.CallrCredentials(
            data[CONF_USERNAME], data[CONF_PASSWORD]
        ),
        make_client=lambda session, credentials, url: api.CallrClient(
            session, credentials, base_url=url
        ),
        client_class=lambda: api.CallrClient,
    ),
}


def sign_in_of(data: Mapping[str, Any]) -> SignIn:
    """How an entry signs in, from its data."""
    if data.get(CONF_PROVIDER) == PROVIDER_CALLR:
        return SIGN_INS[METHOD_CALLR]
    return SIGN_INS[data.get(CONF_AUTH_TYPE, AUTH_API_KEY)]


def create_client(session: aiohttp.ClientSession, data: Mapping[str, Any]) -> SmsGateway:
    """The client of an entry's provider, with its stored credentials and server."""
    sign_in = sign_in_of(data)
    return sign_in.make_client(session, sign_in.credentials(data), data[CONF_BASE_URL])


async def async_import_provider(hass: HomeAssistant, sign_in: SignIn) -> None:
    """Import the client of a way to sign in, off the event loop (once; then nothing to do).

    Before its credentials, client or capabilities are used in the event loop: they would be
    imported there otherwise.
    """
    await async_import_module(hass, f"{api.__name__}.{sign_in.package}.client")
    await async_import_module(hass, f"{api.__name__}.{sign_in.package}.auth")
