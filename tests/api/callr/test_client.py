"""The CALLR client's credentials, properties, capabilities and conformance to the protocols."""

import base64
from dataclasses import FrozenInstanceError
import inspect
import re

import aiohttp
import pytest

from custom_components.smsmobileapi import api
from custom_components.smsmobileapi.api import (
    CALLR_DEFAULT_BASE_URL,
    CALLR_DEFAULT_WINDOW,
    CALLR_MAX_MESSAGE_LENGTH,
    CallrClient,
    CallrCredentials,
    Capability,
    SentLog,
    SmsGateway,
    feature,
)
from custom_components.smsmobileapi.api.callr import const

from .conftest import LOGIN, PASSWORD, assert_no_password

# --- credentials ------------------------------------------------------------------------------


def test_fingerprint_from_the_login_only() -> None:
    """24 hex digits from the login (any case), the same with another password, never secret."""
    credentials = CallrCredentials(LOGIN, PASSWORD)

    assert re.fullmatch(r"[0-9a-f]{24}", credentials.fingerprint)
    assert credentials.fingerprint == CallrCredentials(LOGIN.upper(), "rotated").fingerprint
    assert credentials.fingerprint != CallrCredentials(LOGIN + "x", PASSWORD).fingerprint
    assert credentials.fingerprint not in (LOGIN, PASSWORD)
    assert PASSWORD not in credentials.fingerprint


def test_credentials_hide_the_password() -> None:
    """The repr shows the login only; ``secrets`` lists the password and its Basic token."""
    credentials = CallrCredentials(LOGIN, PASSWORD)

    assert repr(credentials) == f"CallrCredentials(username={LOGIN!r})"
    assert_no_password(credentials)
    assert credentials.secrets == (PASSWORD, credentials.basic_token)
    assert credentials.basic_token == base64.b64encode(f"{LOGIN}:{PASSWORD}".encode()).decode()
    with pytest.raises(FrozenInstanceError):
        credentials.password = "other"  # type: ignore[misc]


def test_basic_token_is_utf8() -> None:
    """A non-Latin-1 login or password is encoded as UTF-8 (what CALLR's SDKs send)."""
    token = CallrCredentials("łogin", "пароль").basic_token

    assert token == base64.b64encode("łogin:пароль".encode()).decode()


# --- the client -------------------------------------------------------------------------------


async def test_client_properties() -> None:
    """Base URL without a trailing slash (nor credentials), settable timeout, safe repr."""
    credentials = CallrCredentials(LOGIN, PASSWORD)
    async with aiohttp.ClientSession() as session:
        client = CallrClient(
            session, credentials, base_url="https://user:secret@example.test/rest/v1.1/"
        )
        default = CallrClient(session, credentials)

    assert client.credentials is credentials
    assert client.base_url == "https://example.test/rest/v1.1"
    assert default.base_url == CALLR_DEFAULT_BASE_URL == "https://api.callr.com/rest/v1.1"
    assert default.request_timeout == 30.0
    client.request_timeout = 2.5
    assert client.request_timeout == 2.5
    assert repr(default) == f"CallrClient(username={LOGIN!r}, base_url={CALLR_DEFAULT_BASE_URL!r})"
    assert_no_password(client, default)


def test_capabilities_and_limits() -> None:
    """A plain SMS with a sender ID, received SMS by polling, and the sent log; nothing else."""
    assert CallrClient.capabilities == {
        Capability.SEND_SMS,
        Capability.SENDER_ID,
        Capability.RECEIVE_SMS,
        Capability.SENT_LOG,
    }
    assert CallrClient.max_message_length == CALLR_MAX_MESSAGE_LENGTH == 1600
    assert CALLR_DEFAULT_WINDOW.days == 7
    assert const.SEND_OPTIONS == {"nature": "ALERTING"}


async def test_features() -> None:
    """``feature`` gives the sent log and nothing of the SMSMobileAPI-only features."""
    async with aiohttp.ClientSession() as session:
        client = CallrClient(session, CallrCredentials(LOGIN, PASSWORD))

    assert feature(client, Capability.SENT_LOG) is client
    for capability in (
        Capability.PHONES,
        Capability.CALLS,
        Capability.MANAGE_MESSAGES,
        Capability.CONVERSATIONS,
        Capability.SENT_FROM_PHONE,
        Capability.RECEIVE_WHATSAPP,
        Capability.CHECK_WHATSAPP,
    ):
        assert feature(client, capability) is None


@pytest.mark.parametrize("protocol", [SmsGateway, SentLog], ids=lambda p: p.__name__)
def test_client_implements_the_protocols(protocol: type) -> None:
    """Every member of ``SmsGateway`` and ``SentLog`` exists, with the same parameters."""
    members = {
        name: value
        for name, value in vars(protocol).items()
        if not name.startswith("_") and (callable(value) or isinstance(value, property))
    }
    assert members

    for name, expected in members.items():
        actual = getattr(CallrClient, name)
        if isinstance(expected, property):
            assert isinstance(actual, property), name
            continue
        wanted = inspect.signature(expected).parameters
        got = inspect.signature(actual).parameters
        assert list(got) == list(wanted), name
        for parameter in wanted.values():
            assert got[parameter.name].kind == parameter.kind, (name, parameter.name)
            assert got[parameter.name].default == parameter.default, (name, parameter.name)
        assert inspect.iscoroutinefunction(actual) == inspect.iscoroutinefunction(expected)
    for attribute in SmsGateway.__annotations__:
        assert hasattr(CallrClient, attribute), attribute


def test_exports() -> None:
    """The package exports the client, its credentials and the CALLR constants."""
    for name in (
        "CallrClient",
        "CallrCredentials",
        "CALLR_DEFAULT_BASE_URL",
        "CALLR_DEFAULT_WINDOW",
        "CALLR_MAX_MESSAGE_LENGTH",
    ):
        assert name in api.__all__
        assert getattr(api, name) is not None
