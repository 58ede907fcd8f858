"""OAuth2: token fetched once, cached, refreshed before expiry and after a rejection."""

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
import logging

from freezegun.api import FrozenDateTimeFactory
import pytest

from custom_components.smsmobileapi.api import (
    AccessToken,
    CallType,
    OAuth2Credentials,
    SmsGatewayAuthenticationError,
    SmsGatewayFeatureUnavailableError,
    SmsGatewayInvalidResponseError,
    SmsGatewayResponseError,
    SmsGatewaySubscriptionExpiredError,
    SmsGatewayTimeoutError,
    SmsMobileApiClient,
)
from smsmobileapi_simulator import Fault, RecordedRequest

from .conftest import (
    API_KEY,
    CLIENT_ID,
    CLIENT_SECRET,
    FAST_TIMEOUT,
    NOW,
    Sim,
    assert_no_secret,
)

TOKEN_FORM = {
    "grant_type": "client_credentials",
    "client_id": CLIENT_ID,
    "client_secret": CLIENT_SECRET,
}


def _authorization(request: RecordedRequest) -> str | None:
    headers = {name.lower(): value for name, value in request.headers.items()}
    return headers.get("authorization")


def _issued(sim: Sim) -> list[str]:
    """Tokens the simulator issued, oldest first."""
    return list(sim.state.tokens)


async def test_token_fetched_once_and_cached(oauth_client: SmsMobileApiClient, sim: Sim) -> None:
    """One token request for many calls; every call carries it; no API key is ever sent."""
    await oauth_client.get_received_sms()
    await oauth_client.get_phones()
    await oauth_client.send_message("+32470000009", "Hi")
    await oauth_client.get_answered_calls(CallType.INCOMING)

    [token_request] = sim.requests_to("/oauth2/token")
    assert token_request.method == "POST"
    assert token_request.form == TOKEN_FORM
    [token] = _issued(sim)
    api_requests = [r for r in sim.state.requests if r is not token_request]
    assert len(api_requests) == 4
    for request in api_requests:
        assert _authorization(request) == f"Bearer {token}"
        fields = {**request.query, **request.form}
        assert "apikey" not in fields
        assert fields["from"] == "homeassistant"
    assert _authorization(token_request) is None


async def test_concurrent_first_calls_share_one_token(
    oauth_client: SmsMobileApiClient, sim: Sim
) -> None:
    """Calls started together wait for the same token instead of each fetching one."""
    await asyncio.gather(*(oauth_client.get_received_sms() for _ in range(5)))

    assert len(sim.requests_to("/oauth2/token")) == 1
    assert len(sim.requests_to("/getsms/")) == 5


async def test_access_token(oauth_client: SmsMobileApiClient, sim: Sim) -> None:
    """``get_access_token`` returns the issued token and its expiry; repr hides the token."""
    token = await oauth_client.get_access_token()

    assert token == AccessToken(token=_issued(sim)[0], expires_at=NOW + timedelta(hours=1))
    assert token.token not in repr(token)
    assert await oauth_client.get_access_token() is token


async def test_refreshed_before_expiry(
    oauth_client: SmsMobileApiClient, sim: Sim, freezer: FrozenDateTimeFactory
) -> None:
    """A token is renewed once it is within 60 s of its expiry (server still accepts it)."""
    await oauth_client.get_received_sms()
    freezer.tick(timedelta(seconds=3600 - 60 - 1))
    await oauth_client.get_received_sms()
    assert len(sim.requests_to("/oauth2/token")) == 1

    freezer.tick(timedelta(seconds=1))
    await oauth_client.get_received_sms()

    assert len(sim.requests_to("/oauth2/token")) == 2
    first, second = _issued(sim)
    assert [_authorization(r) for r in sim.requests_to("/getsms/")] == [
        f"Bearer {first}",
        f"Bearer {first}",
        f"Bearer {second}",
    ]
    token = await oauth_client.get_access_token()
    assert token.expires_at == NOW + timedelta(seconds=3540 + 3600)


async def test_rejected_token_renewed_and_retried_once(
    oauth_client: SmsMobileApiClient, sim: Sim
) -> None:
    """The service forgot its tokens: the call gets a new token and is retried once."""
    await oauth_client.get_received_sms()
    old = _issued(sim)[0]
    sim.state.tokens.clear()
    sms = sim.state.add_received_sms(sim.account, "+32470000031", "Hi", received_at=NOW)

    messages = await oauth_client.get_received_sms()

    assert [message.guid for message in messages] == [sms.guid]
    [new] = _issued(sim)
    assert len(sim.requests_to("/oauth2/token")) == 2
    assert [_authorization(r) for r in sim.requests_to("/getsms/")] == [
        f"Bearer {old}",
        f"Bearer {old}",
        f"Bearer {new}",
    ]


async def test_concurrent_rejections_renew_once(oauth_client: SmsMobileApiClient, sim: Sim) -> None:
    """Two calls rejected with the same stale token share one renewal.

    The slower call's rejection arrives after the faster call renewed the token: it must use
    that fresh token rather than throw it away and fetch yet another.
    """
    await oauth_client.get_access_token()
    sim.state.tokens.clear()
    # The phones list answers (401, stale token) 0.3 s late; the SMS list at once.
    sim.state.faults.add(Fault("timeout", path="/gateway/mobile/list/", delay=0.3))

    await asyncio.gather(oauth_client.get_received_sms(), oauth_client.get_phones())

    assert len(sim.requests_to("/oauth2/token")) == 2
    [fresh] = _issued(sim)
    assert _authorization(sim.requests_to("/gateway/mobile/list/")[-1]) == f"Bearer {fresh}"


async def test_token_expired_server_side(oauth_client: SmsMobileApiClient, sim: Sim) -> None:
    """A token the service considers expired (the client does not) is renewed; send retried."""
    await oauth_client.get_access_token()
    for token, issued in sim.state.tokens.items():
        sim.state.tokens[token] = replace(issued, expires_at=NOW - timedelta(seconds=1))

    await oauth_client.send_message("+32470000009", "Only once")

    assert len(sim.requests_to("/oauth2/token")) == 2
    assert len(sim.requests_to("/sendsms/")) == 2
    # The first attempt was refused before anything was queued: one message only.
    assert [sent.message for sent in sim.state.sent] == ["Only once"]


async def test_rejected_twice_gives_up(oauth_client: SmsMobileApiClient, sim: Sim) -> None:
    """A fresh token rejected again raises: one retry, not a loop."""
    sim.state.faults.add(Fault("invalid_key", path="/getsms/", times=None))

    with pytest.raises(SmsGatewayAuthenticationError, match=r"^Authentication failed on /getsms/$"):
        await oauth_client.get_received_sms()

    assert len(sim.requests_to("/oauth2/token")) == 2
    assert len(sim.requests_to("/getsms/")) == 2


async def test_invalid_client(make_client: Callable[..., SmsMobileApiClient], sim: Sim) -> None:
    """A wrong client secret is an authentication error; the API is not called."""
    client = make_client(OAuth2Credentials(CLIENT_ID, "wrong-secret-123"))

    with pytest.raises(SmsGatewayAuthenticationError) as caught:
        await client.get_received_sms()

    assert str(caught.value) == "Authentication failed on /oauth2/token"
    assert len(sim.requests_to("/oauth2/token")) == 1
    assert sim.requests_to("/getsms/") == []
    assert_no_secret(caught.value, secrets=("wrong-secret-123", CLIENT_SECRET))


async def test_other_errors_not_retried(oauth_client: SmsMobileApiClient, sim: Sim) -> None:
    """Only an authentication error renews the token: expiry and server errors raise at once."""
    sim.account.expired = True
    with pytest.raises(SmsGatewaySubscriptionExpiredError):
        await oauth_client.get_phones()
    sim.account.expired = False
    sim.state.faults.add(Fault("status", path="/getsms/"))
    with pytest.raises(SmsGatewayResponseError):
        await oauth_client.get_received_sms()

    assert len(sim.requests_to("/oauth2/token")) == 1
    assert len(sim.state.requests) == 3


async def test_send_timeout_not_retried(
    make_client: Callable[..., SmsMobileApiClient], sim: Sim
) -> None:
    """With OAuth2 too, a send that times out is sent once."""
    client = make_client(OAuth2Credentials(CLIENT_ID, CLIENT_SECRET), request_timeout=FAST_TIMEOUT)
    sim.state.faults.add(Fault("timeout", path="/sendsms/", delay=FAST_TIMEOUT + 0.3))

    with pytest.raises(SmsGatewayTimeoutError):
        await client.send_message("+32470000009", "Hi")

    assert len(sim.requests_to("/sendsms/")) == 1


@pytest.mark.parametrize(
    ("body", "token", "lifetime"),
    [
        ('{"access_token":"tok-abc","token_type":"Bearer"}', "tok-abc", 3600),
        ('{"access_token":"tok-abc","expires_in":"120"}', "tok-abc", 120),
        ('{"access_token":" tok-abc ","expires_in":0}', "tok-abc", 3600),
        ('{"access_token":"tok-abc","expires_in":-30}', "tok-abc", 3600),
        ('{"access_token":"tok-abc","expires_in":Infinity}', "tok-abc", 3600),
        ('{"access_token":"tok-abc","expires_in":86401}', "tok-abc", 86400),
        ('{"access_token":"tok-abc","expires_in":10000000000000000000}', "tok-abc", 86400),
        ('{"access_token":"tok-abc","expires_in":"99999999999999999999"}', "tok-abc", 86400),
        ('{"access_token":"tok-abc","expires_in":1e300}', "tok-abc", 86400),
    ],
)
async def test_token_lifetime(
    oauth_client: SmsMobileApiClient, sim: Sim, body: str, token: str, lifetime: int
) -> None:
    """``expires_in`` as a number or a string; absent, zero or negative means one hour.

    A lifetime over a day is cut to a day: a huge one overflowed the expiry (OverflowError).
    """
    sim.state.faults.add(Fault("status", path="/oauth2/token", status=200, body=body))

    assert await oauth_client.get_access_token() == AccessToken(
        token=token, expires_at=NOW + timedelta(seconds=lifetime)
    )


async def test_token_response_without_token(oauth_client: SmsMobileApiClient, sim: Sim) -> None:
    """A token response without ``access_token`` raises, naming the field."""
    sim.state.faults.add(
        Fault("status", path="/oauth2/token", status=200, body='{"token_type":"Bearer"}')
    )

    with pytest.raises(
        SmsGatewayInvalidResponseError,
        match=r"^missing field 'access_token' in token response$",
    ):
        await oauth_client.get_access_token()


async def test_custom_clock(make_client: Callable[..., SmsMobileApiClient], sim: Sim) -> None:
    """An injected clock decides the token's expiry."""
    moment = datetime(2030, 1, 1, tzinfo=UTC)
    client = make_client(OAuth2Credentials(CLIENT_ID, CLIENT_SECRET), clock=lambda: moment)

    token = await client.get_access_token()

    assert token.expires_at == moment + timedelta(hours=1)


async def test_access_token_needs_oauth(client: SmsMobileApiClient, sim: Sim) -> None:
    """An API-key client has no access token."""
    with pytest.raises(TypeError, match=r"^an access token needs OAuth2 credentials$"):
        await client.get_access_token()

    assert sim.state.requests == []


async def test_secrets_scrubbed_and_never_logged(
    oauth_client: SmsMobileApiClient, sim: Sim, caplog: pytest.LogCaptureFixture
) -> None:
    """The client secret and bearer token echoed by the service are redacted; logs stay clean."""
    caplog.set_level(logging.DEBUG)
    token = (await oauth_client.get_access_token()).token
    sim.state.tokens.clear()  # forces the rejected-token path, which logs
    await oauth_client.get_phones()
    new_token = _issued(sim)[0]
    body = f'{{"error":"server_error","detail":"{CLIENT_SECRET} / {new_token}"}}'
    sim.state.faults.add(Fault("status", path="/getsms/", status=500, body=body))

    with pytest.raises(SmsGatewayResponseError) as caught:
        await oauth_client.get_received_sms()

    assert str(caught.value) == (
        "/getsms/ failed with error server_error: **REDACTED** / **REDACTED**"
    )
    secrets = (CLIENT_SECRET, token, new_token, API_KEY)
    assert_no_secret(caught.value, secrets=secrets)
    assert "Access token rejected by gateway/mobile/list/" in caplog.text
    for secret in secrets:
        assert secret not in caplog.text


async def test_echoed_api_key_not_returned(oauth_client: SmsMobileApiClient, sim: Sim) -> None:
    """With a bearer token the call lists still echo the account's API key: not returned."""
    sim.state.add_call(sim.account, "outgoing", "+32470000063", at=NOW, duration=3)

    calls = await oauth_client.get_answered_calls(CallType.OUTGOING)

    assert len(calls) == 1
    assert_no_secret(calls, *calls)


# --- the call lists take the API key only (a simulator variant) ---------------------------------


@pytest.mark.parametrize(
    ("path", "call"),
    [
        ("/call/missed/list/", lambda c: c.get_missed_calls()),
        ("/call/incoming/list/", lambda c: c.get_answered_calls(CallType.INCOMING)),
        ("/call/outgoing/list/", lambda c: c.get_answered_calls(CallType.OUTGOING)),
    ],
)
async def test_call_lists_refuse_tokens(
    oauth_client: SmsMobileApiClient,
    sim: Sim,
    path: str,
    call: Callable[[SmsMobileApiClient], Awaitable[object]],
) -> None:
    """A token refused by a call list (documented as API-key only) is a missing feature.

    Not bad credentials (that would start a re-authentication and stop SMS polling): one
    renewal is tried (the token may have expired), then FeatureUnavailableError. SMS still
    work with the same token.
    """
    sim.state.variants.call_endpoints_apikey_only = True

    with pytest.raises(SmsGatewayFeatureUnavailableError) as caught:
        await call(oauth_client)

    assert str(caught.value) == f"{path} does not take an OAuth2 token: it needs the API key"
    assert not isinstance(caught.value, SmsGatewayAuthenticationError)
    assert len(sim.requests_to(path)) == 2
    assert len(sim.requests_to("/oauth2/token")) == 2
    assert await oauth_client.get_received_sms() == ()
    assert len(sim.requests_to("/oauth2/token")) == 2


async def test_call_lists_take_tokens_without_the_variant(
    oauth_client: SmsMobileApiClient, sim: Sim
) -> None:
    """Where the service takes a token on the call lists, they work with OAuth2."""
    sim.state.add_call(sim.account, "missed", "+32470000051", at=NOW)

    [call] = await oauth_client.get_missed_calls()

    assert call.number == "+32470000051"
    assert len(sim.requests_to("/call/missed/list/")) == 1


async def test_call_lists_with_an_api_key_and_the_variant(
    client: SmsMobileApiClient, sim: Sim
) -> None:
    """With the API key the variant changes nothing; a wrong key stays bad credentials."""
    sim.state.variants.call_endpoints_apikey_only = True
    sim.state.add_call(sim.account, "missed", "+32470000051", at=NOW)

    assert len(await client.get_missed_calls()) == 1
    sim.state.rotate_api_key(sim.account, "NEW-KEY-1")
    with pytest.raises(SmsGatewayAuthenticationError):
        await client.get_missed_calls()


async def test_call_list_token_expired_server_side(
    oauth_client: SmsMobileApiClient, sim: Sim
) -> None:
    """Where tokens are taken, an expired one is renewed and the call list answers."""
    await oauth_client.get_access_token()
    sim.state.tokens.clear()

    assert await oauth_client.get_answered_calls(CallType.INCOMING) == ()
    assert len(sim.requests_to("/oauth2/token")) == 2


async def test_bad_oauth_client_on_a_call_list(
    make_client: Callable[..., SmsMobileApiClient], sim: Sim
) -> None:
    """A token request refused while renewing is bad credentials, not a missing feature."""
    sim.state.variants.call_endpoints_apikey_only = True
    client = make_client(OAuth2Credentials(CLIENT_ID, CLIENT_SECRET))
    await client.get_access_token()
    sim.account.client_secret = "rotated"

    with pytest.raises(SmsGatewayAuthenticationError):
        await client.get_missed_calls()
