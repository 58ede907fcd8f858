"""The one request path under attack: no secret in any log, bounded bodies, no redirects."""

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
import logging

from aiohttp import web
import pytest

from custom_components.smsmobileapi.api import (
    OAuth2Credentials,
    SmsGatewayConnectionError,
    SmsGatewayError,
    SmsGatewayInvalidResponseError,
    SmsMobileApiClient,
)
from smsmobileapi_simulator import Fault

from .conftest import API_KEY, CLIENT_ID, CLIENT_SECRET, Sim, assert_no_secret

_LOGGER = logging.getLogger(__name__)


def _faults() -> list[object]:
    """Faults whose aiohttp error text is the full URL (the API key in its query)."""
    return [
        pytest.param(Fault("bad_http", path="/getsms/", times=None), id="malformed-response"),
        pytest.param(Fault("redirect", path="/getsms/", times=None), id="redirect-loop"),
        pytest.param(
            Fault("redirect", path="/getsms/", body="/getsms/?apikey=" + API_KEY),
            id="redirect-echoing-the-key",
        ),
    ]


@pytest.mark.parametrize("oauth", [False, True], ids=["apikey", "oauth2"])
@pytest.mark.parametrize("fault", _faults())
async def test_no_secret_in_any_log_or_message(
    make_client: Callable[..., SmsMobileApiClient],
    sim: Sim,
    caplog: pytest.LogCaptureFixture,
    fault: Fault,
    oauth: bool,
) -> None:
    """Faults whose aiohttp error holds the URL leak neither the key, the secret nor the token.

    Checked at DEBUG: the exception's text, repr and whole ``__cause__``/``__context__`` chain,
    and the traceback a caller logs with ``exc_info`` (what the integration's "Full error"
    debug line does).
    """
    caplog.set_level(logging.DEBUG)
    client = make_client(OAuth2Credentials(CLIENT_ID, CLIENT_SECRET) if oauth else None)
    secrets: tuple[str, ...] = (API_KEY, CLIENT_SECRET)
    if oauth:
        secrets += ((await client.get_access_token()).token,)
    sim.state.faults.add(fault)

    with pytest.raises(SmsGatewayError) as caught:
        await client.get_received_sms()
    _LOGGER.debug("Full error", exc_info=caught.value)

    error = caught.value
    assert error.__cause__ is None
    assert error.__context__ is None
    assert_no_secret(error, secrets=secrets)
    for secret in secrets:
        assert secret not in caplog.text


async def test_malformed_response(client: SmsMobileApiClient, sim: Sim) -> None:
    """A response no HTTP parser accepts: a connection error naming only the error's type.

    The request reached the service, so a send may have gone out (``request_sent``).
    """
    sim.state.faults.add(Fault("bad_http", path="/sendsms/"))

    with pytest.raises(SmsGatewayConnectionError) as caught:
        await client.send_message("+32470000009", "Hi")

    assert str(caught.value) == "Error while requesting /sendsms/: ClientResponseError"
    assert caught.value.request_sent is True
    assert len(sim.requests_to("/sendsms/")) == 1


async def test_refused_connection_not_sent(
    make_client: Callable[..., SmsMobileApiClient], closed_port: int
) -> None:
    """No connection could be made: the request certainly never left, and nothing is chained."""
    client = make_client(base_url=f"http://127.0.0.1:{closed_port}")

    with pytest.raises(SmsGatewayConnectionError) as caught:
        await client.send_message("+32470000009", "Hi")

    assert caught.value.request_sent is False
    assert caught.value.__context__ is None


# --- redirects ---------------------------------------------------------------------------------


@dataclass
class OtherHost:
    """A server on another port that keeps every request it receives."""

    url: str = ""
    received: list[tuple[str, str, bytes]] = field(default_factory=list)


@pytest.fixture
async def other_host(socket_enabled: None) -> AsyncIterator[OtherHost]:
    """Where a hostile redirect points."""
    host = OtherHost()

    async def keep(request: web.Request) -> web.Response:
        host.received.append((request.method, str(request.rel_url), await request.read()))
        return web.json_response({"result": {"error": 0, "sent": "1", "id": "x", "sms": []}})

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", keep)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host.url = f"http://127.0.0.1:{runner.addresses[0][1]}"
    try:
        yield host
    finally:
        await runner.cleanup()


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
async def test_redirect_not_followed(
    client: SmsMobileApiClient, sim: Sim, other_host: OtherHost, status: int
) -> None:
    """A 3xx is an error naming the path and status only: the form never reaches the target.

    307 and 308 would re-send the POST body (key and message) to the other host.
    """
    sim.state.faults.add(
        Fault("redirect", path="/sendsms/", status=status, body=f"{other_host.url}/steal")
    )

    with pytest.raises(SmsGatewayInvalidResponseError) as caught:
        await client.send_message("+32470000009", "Private text")

    assert str(caught.value) == (
        f"/sendsms/ answered with a redirect (HTTP {status}), which is not followed"
    )
    assert (caught.value.code, caught.value.status) == ("redirect", status)
    assert other_host.received == []
    assert_no_secret(caught.value)


async def test_token_request_not_redirected(
    make_client: Callable[..., SmsMobileApiClient], sim: Sim, other_host: OtherHost
) -> None:
    """The OAuth2 client secret is never re-sent to where a redirect of the token points."""
    sim.state.faults.add(
        Fault("redirect", path="/oauth2/token", status=307, body=f"{other_host.url}/token")
    )
    client = make_client(OAuth2Credentials(CLIENT_ID, CLIENT_SECRET))

    with pytest.raises(SmsGatewayInvalidResponseError, match=r"^/oauth2/token answered with a"):
        await client.get_received_sms()

    assert other_host.received == []
