"""The one request path under attack: no secret in any log, bounded bodies, no redirects."""

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
import logging
from typing import Literal

from aiohttp import web
import pytest

from custom_components.smsmobileapi.api import (
    OAuth2Credentials,
    ReceivedSms,
    SmsGatewayConnectionError,
    SmsGatewayError,
    SmsGatewayInvalidResponseError,
    SmsMobileApiClient,
)
from smsmobileapi_simulator import Fault

from .conftest import API_KEY, CLIENT_ID, CLIENT_SECRET, NOW, Sim, assert_no_secret

MIB = 1024 * 1024

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
        pytest.param(Fault("reset", path="/getsms/", times=None), id="reset"),
        pytest.param(
            Fault("oversized", path="/getsms/", size=65 * MIB, content_encoding="gzip"),
            id="oversized",
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


@pytest.mark.parametrize("kind", ["bad_http", "redirect", "reset"])
async def test_no_secret_when_the_token_request_fails(
    make_client: Callable[..., SmsMobileApiClient],
    sim: Sim,
    caplog: pytest.LogCaptureFixture,
    kind: Literal["bad_http", "redirect", "reset"],
) -> None:
    """The token request (its form holds the client secret) fails without leaking it."""
    caplog.set_level(logging.DEBUG)
    sim.state.faults.add(Fault(kind, path="/oauth2/token", times=None))
    client = make_client(OAuth2Credentials(CLIENT_ID, CLIENT_SECRET))

    with pytest.raises(SmsGatewayError) as caught:
        await client.get_received_sms()
    _LOGGER.debug("Full error", exc_info=caught.value)

    assert caught.value.__context__ is None
    assert_no_secret(caught.value)
    assert CLIENT_SECRET not in caplog.text


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


# --- bounded bodies ------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", [None, "gzip", "deflate"])
async def test_body_over_the_cap(
    client: SmsMobileApiClient, sim: Sim, encoding: Literal["gzip", "deflate"] | None
) -> None:
    """Past 4 MiB (decompressed) an answer is invalid, however small it was on the wire.

    Plain, the declared length refuses it unread; compressed, reading stops at the cap.
    """
    sim.state.faults.add(
        Fault(
            "oversized", path="/gateway/mobile/list/", size=4 * MIB + 1, content_encoding=encoding
        )
    )

    with pytest.raises(SmsGatewayInvalidResponseError) as caught:
        await client.get_phones()

    assert str(caught.value) == f"Answer from /gateway/mobile/list/ is longer than {4 * MIB} bytes"
    assert (caught.value.code, caught.value.status) == ("invalid_response", 200)


async def test_body_at_the_cap(client: SmsMobileApiClient, sim: Sim) -> None:
    """An answer of exactly the cap is read."""
    sim.state.faults.add(
        Fault("oversized", path="/getsms/set-read/", size=4 * MIB, content_encoding="gzip")
    )

    await client.mark_read("abc")


async def test_received_sms_list_has_a_larger_cap(client: SmsMobileApiClient, sim: Sim) -> None:
    """The received-SMS list may be long (100 000 SMS are about 18 MiB): 64 MiB, then invalid.

    A gzip bomb of 65 MiB (about 64 KiB on the wire) stops at the cap.
    """
    sim.state.faults.add(
        Fault("oversized", path="/getsms/", size=20 * MIB, content_encoding="gzip")
    )
    assert await client.get_received_sms() == ()

    sim.state.faults.add(
        Fault("oversized", path="/getsms/", size=65 * MIB, content_encoding="gzip")
    )
    with pytest.raises(SmsGatewayInvalidResponseError, match=rf"longer than {64 * MIB} bytes$"):
        await client.get_received_sms()


# --- charsets --------------------------------------------------------------------------------

_SMS_BODY = (
    '{"result":{"error":"","sms":[{"guid":"G","number":"+1","message":"Café ✓",'
    '"timestamp_unix":1790164800}]}}'
)


@pytest.mark.parametrize(
    "charset", ["rot13", "base64", "idna", "undefined", "latin-1", "utf-16", "no-such-codec"]
)
async def test_any_charset_read_as_utf8(client: SmsMobileApiClient, sim: Sim, charset: str) -> None:
    """JSON is UTF-8: the answer is decoded as such whatever charset it claims.

    Some charsets name codecs that raise outside the client's exceptions (rot13 is no text
    encoding, idna refuses ``errors="replace"``).
    """
    sim.state.faults.add(
        Fault(
            "status",
            path="/getsms/",
            status=200,
            body=_SMS_BODY,
            content_type=f"application/json; charset={charset}",
        )
    )

    assert await client.get_received_sms() == (
        ReceivedSms(guid="G", number="+1", message="Café ✓", received_at=NOW),
    )


async def test_bad_utf8_and_bom(client: SmsMobileApiClient, sim: Sim) -> None:
    """A byte-order mark is skipped; bytes that are not UTF-8 become U+FFFD."""
    body = "\ufeff" + _SMS_BODY.replace("Café", "Caf\udce9")
    sim.state.faults.add(
        Fault(
            "status",
            path="/getsms/",
            status=200,
            body=body,
            content_type="application/json; charset=latin-1",
        )
    )

    [sms] = await client.get_received_sms()

    assert sms.message == "Caf\ufffd ✓"
