"""Credentials, models, exceptions, the gateway protocol and the package's independence."""

import ast
from dataclasses import FrozenInstanceError
from datetime import UTC, datetime
import inspect
from pathlib import Path
import re

import aiohttp
import pytest

from custom_components.smsmobileapi import api
from custom_components.smsmobileapi.api import (
    AccessToken,
    ApiKeyCredentials,
    CallLog,
    Capability,
    Channel,
    Conversation,
    ConversationLog,
    ConversationOrigin,
    MessageManager,
    OAuth2Credentials,
    PhoneGateway,
    PhoneSentLog,
    ReceivedSms,
    SentLog,
    SmsGateway,
    SmsGatewayAuthenticationError,
    SmsGatewayConnectionError,
    SmsGatewayError,
    SmsGatewayInvalidResponseError,
    SmsGatewayRateLimitError,
    SmsGatewayResponseError,
    SmsGatewaySubscriptionExpiredError,
    SmsGatewayTimeoutError,
    SmsMobileApiClient,
    WhatsAppChecker,
    WhatsAppInbox,
)

from .conftest import API_KEY, CLIENT_ID, CLIENT_SECRET

API_PACKAGE = Path(api.__file__).parent


# --- credentials ------------------------------------------------------------------------------


def test_api_key_fingerprint() -> None:
    """Stable, 24 hex digits, different per key, never containing the key."""
    fingerprint = ApiKeyCredentials(API_KEY).fingerprint

    assert fingerprint == ApiKeyCredentials(API_KEY).fingerprint
    assert re.fullmatch(r"[0-9a-f]{24}", fingerprint)
    assert API_KEY not in fingerprint
    assert API_KEY.lower() not in fingerprint
    assert fingerprint != ApiKeyCredentials(API_KEY + "x").fingerprint


def test_oauth_fingerprint() -> None:
    """Derived from the client id: survives a new secret, differs from an API key's."""
    credentials = OAuth2Credentials(CLIENT_ID, CLIENT_SECRET)

    assert credentials.fingerprint == OAuth2Credentials(CLIENT_ID, "rotated").fingerprint
    assert credentials.fingerprint != OAuth2Credentials("other", CLIENT_SECRET).fingerprint
    assert credentials.fingerprint != ApiKeyCredentials(CLIENT_ID).fingerprint
    assert re.fullmatch(r"[0-9a-f]{24}", credentials.fingerprint)
    assert CLIENT_SECRET not in credentials.fingerprint


def test_credentials_never_show_secrets() -> None:
    """The repr and str hide the key and the secret; ``secrets`` lists them for scrubbing."""
    key = ApiKeyCredentials(API_KEY)
    oauth = OAuth2Credentials(CLIENT_ID, CLIENT_SECRET)

    assert repr(key) == "ApiKeyCredentials()"
    assert repr(oauth) == f"OAuth2Credentials(client_id={CLIENT_ID!r})"
    for text in (repr(key), str(key), repr(oauth), str(oauth)):
        assert API_KEY not in text
        assert CLIENT_SECRET not in text
    assert key.secrets == (API_KEY,)
    assert oauth.secrets == (CLIENT_SECRET,)
    with pytest.raises(FrozenInstanceError):
        key.api_key = "other"  # type: ignore[misc]


async def test_client_properties() -> None:
    """The client exposes its credentials, a slash-free base URL and every capability."""
    credentials = ApiKeyCredentials(API_KEY)
    async with aiohttp.ClientSession() as session:
        client = SmsMobileApiClient(session, credentials, base_url="https://example.test/v1/")
        default = SmsMobileApiClient(session, credentials)

    assert client.credentials is credentials
    assert client.request_timeout == 30
    client.request_timeout = 2.5
    assert client.request_timeout == 2.5
    assert client.base_url == "https://example.test/v1"
    assert default.base_url == "https://api.smsmobileapi.com"
    assert client.capabilities == frozenset(Capability) - {Capability.SENDER_ID}
    assert API_KEY not in repr(client)


# --- models -----------------------------------------------------------------------------------


def test_access_token_repr_hides_token() -> None:
    """An access token's repr shows its expiry only."""
    token = AccessToken(token="secret-bearer", expires_at=datetime(2026, 9, 23, tzinfo=UTC))

    assert "secret-bearer" not in repr(token)
    assert "2026" in repr(token)


def test_models_are_frozen_with_defaults() -> None:
    """Models are immutable; optional fields default to None or empty."""
    sms = ReceivedSms(
        guid="G", number="+1", message="m", received_at=datetime(2026, 9, 23, tzinfo=UTC)
    )

    assert (sms.phone_id, sms.alias, sms.sms_id) == (None, None, None)
    assert Conversation(number="+1") == Conversation(number="+1", alias=None, messages=())
    with pytest.raises(AttributeError):
        sms.guid = "H"  # type: ignore[misc]


def test_enum_values() -> None:
    """Enum values are the wire and service-call values."""
    assert [channel.value for channel in Channel] == ["sms", "whatsapp", "sms_whatsapp"]
    assert [origin.value for origin in ConversationOrigin] == ["received", "sent"]


# --- exceptions -------------------------------------------------------------------------------


def test_exception_tree() -> None:
    """Timeouts are connection errors; invalid responses are response errors; one base."""
    assert issubclass(SmsGatewayTimeoutError, SmsGatewayConnectionError)
    assert issubclass(SmsGatewayInvalidResponseError, SmsGatewayResponseError)
    for error in (
        SmsGatewayConnectionError,
        SmsGatewayAuthenticationError,
        SmsGatewaySubscriptionExpiredError,
        SmsGatewayRateLimitError,
        SmsGatewayResponseError,
    ):
        assert error.__bases__ == (SmsGatewayError,)
    assert SmsGatewayError.__bases__ == (Exception,)


def test_exception_attributes() -> None:
    """Rate limits keep Retry-After; response errors keep code and status (default None)."""
    assert SmsGatewayRateLimitError("x").retry_after is None
    assert SmsGatewayRateLimitError("x", retry_after=2.5).retry_after == 2.5
    error = SmsGatewayResponseError("y")
    assert (str(error), error.code, error.status) == ("y", None, None)
    invalid = SmsGatewayInvalidResponseError("z", code="c", status=502)
    assert (invalid.code, invalid.status) == ("c", 502)


# --- the gateway protocol and the package ------------------------------------------------------


PROTOCOLS = (
    SmsGateway,
    PhoneGateway,
    CallLog,
    MessageManager,
    ConversationLog,
    SentLog,
    PhoneSentLog,
    WhatsAppChecker,
    WhatsAppInbox,
)


def _protocol_members() -> dict[str, object]:
    return {
        name: value
        for protocol in PROTOCOLS
        for name, value in vars(protocol).items()
        if not name.startswith("_") and (callable(value) or isinstance(value, property))
    }


def test_client_implements_gateway_protocol() -> None:
    """Every method of ``SmsGateway`` and of each feature exists on the client, same parameters."""
    members = _protocol_members()

    assert set(members) >= {
        "base_url",
        "send_message",
        "get_received_sms",
        "get_phones",
        "get_missed_calls",
        "get_answered_calls",
        "resend",
        "mark_read",
        "get_conversations",
        "get_sent_messages",
    }
    for name, expected in members.items():
        actual = getattr(SmsMobileApiClient, name)
        if isinstance(expected, property):
            assert isinstance(actual, property), name
            continue
        wanted = inspect.signature(expected).parameters
        got = inspect.signature(actual).parameters
        assert list(got) == list(wanted), name
        for parameter in wanted.values():
            assert got[parameter.name].kind == parameter.kind, (name, parameter.name)
            if parameter.default not in (inspect.Parameter.empty, Ellipsis):
                assert got[parameter.name].default == parameter.default, (name, parameter.name)
        assert inspect.iscoroutinefunction(actual) == inspect.iscoroutinefunction(expected)
    assert "capabilities" in SmsGateway.__annotations__


def test_package_exports() -> None:
    """Every name in ``__all__`` exists."""
    for name in api.__all__:
        assert getattr(api, name) is not None, name


API_MODULES = sorted(str(path.relative_to(API_PACKAGE)) for path in API_PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("module", API_MODULES, ids=str)
def test_no_home_assistant_import(module: str) -> None:
    """The client package imports nothing from Home Assistant (it could be a library)."""
    tree = ast.parse((API_PACKAGE / module).read_text(encoding="utf-8"))
    imported: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            imported.append(node.module)

    assert [name for name in imported if name.split(".")[0] == "homeassistant"] == []
    assert [name for name in imported if name.startswith("custom_components")] == []
