"""Failures of every endpoint: authentication variants, service errors, bad bodies, the network.

Each failure is one exception of the shared tree, never chained to aiohttp's (whose text may hold
the URL), and never shows the password or its Basic token, not even in DEBUG logs.
"""

from collections.abc import Awaitable, Callable
import json
import logging
from typing import Any

from aiohttp import web
import pytest

from custom_components.smsmobileapi.api import (
    CallrClient,
    CallrCredentials,
    SmsGatewayAuthenticationError,
    SmsGatewayConnectionError,
    SmsGatewayError,
    SmsGatewayInvalidResponseError,
    SmsGatewayRateLimitError,
    SmsGatewayResponseError,
    SmsGatewayTimeoutError,
)
from custom_components.smsmobileapi.api.callr.const import MAX_RESPONSE_BYTES
from smsmobileapi_simulator import Fault

from .conftest import FAST_TIMEOUT, LOGIN, PASSWORD, CallrSim, Handler, assert_no_password

type Call = Callable[[CallrClient], Awaitable[object]]

# Every client method that talks to CALLR: (id, route, call).
ENDPOINTS: list[tuple[str, str, Call]] = [
    ("send", "POST /sms", lambda c: c.send_message("+33612345678", "Hi")),
    ("received", "GET /sms", lambda c: c.get_received_sms()),
    ("sent", "GET /sms", lambda c: c.get_sent_messages()),
    ("sent_one", "GET /sms/{hash}", lambda c: c.get_sent_messages(guid="ABCD1234")),
]
ENDPOINT_PARAMS = [pytest.param(route, call, id=name) for name, route, call in ENDPOINTS]
WRONG = CallrCredentials(LOGIN, "wrong-" + PASSWORD)


async def _raises[E: SmsGatewayError](kind: type[E], client: CallrClient, call: Call) -> E:
    with pytest.raises(kind) as caught:
        await call(client)
    error = caught.value
    assert_no_password(error, secrets=(WRONG.password, WRONG.basic_token))
    # Never chained: aiohttp's exception text may hold the URL.
    assert error.__cause__ is None
    assert error.__context__ is None
    return error


# --- authentication ---------------------------------------------------------------------------


@pytest.mark.parametrize("codes", ["http", "jsonrpc"])
@pytest.mark.parametrize("style", ["json_401", "json_403"])
@pytest.mark.parametrize(("route", "call"), ENDPOINT_PARAMS)
async def test_rejected_credentials(
    make_client: Callable[..., CallrClient],
    callr: CallrSim,
    route: str,
    call: Call,
    style: Any,  # noqa: ANN401
    codes: Any,  # noqa: ANN401
) -> None:
    """401 with the envelope, or 403 ``FORBIDDEN``: authentication, in both code styles."""
    callr.state.variants.auth_failure = style
    callr.state.variants.error_codes = codes

    error = await _raises(SmsGatewayAuthenticationError, make_client(WRONG), call)

    assert str(error) == f"Authentication failed on {route}"
    assert len(callr.requests()) == 1
    assert callr.account.outgoing == []


@pytest.mark.parametrize(("route", "call"), ENDPOINT_PARAMS)
async def test_proxy_page_is_not_an_authentication_error(
    make_client: Callable[..., CallrClient], callr: CallrSim, route: str, call: Call
) -> None:
    """An HTML 401 never came from CALLR's API: an invalid response (retried), not a reauth."""
    callr.state.variants.auth_failure = "html_proxy"

    error = await _raises(SmsGatewayInvalidResponseError, make_client(WRONG), call)

    assert (error.status, error.code) == (401, "invalid_response")
    assert str(error).startswith(f"Unreadable answer from {route} (HTTP 401)")


@pytest.mark.parametrize("codes", ["http", "jsonrpc"])
async def test_blocked_account(client: CallrClient, callr: CallrSim, codes: Any) -> None:  # noqa: ANN401
    """A blocked account (403 ``FORBIDDEN``) needs the user: an authentication error."""
    callr.account.blocked = True
    callr.state.variants.error_codes = codes

    await _raises(SmsGatewayAuthenticationError, client, ENDPOINTS[1][2])


@pytest.mark.parametrize("kind", ["invalid_key", "expired"])
async def test_auth_faults(client: CallrClient, callr: CallrSim, kind: Any) -> None:  # noqa: ANN401
    """The simulator's ``invalid_key`` (401) and ``expired`` (403 FORBIDDEN) faults."""
    callr.state.faults.add(Fault(kind))

    await _raises(SmsGatewayAuthenticationError, client, ENDPOINTS[0][2])


async def test_rotated_password(client: CallrClient, callr: CallrSim) -> None:
    """Working credentials that stop working: the next request is an authentication error."""
    await client.get_received_sms()
    callr.state.rotate_password(callr.account)

    await _raises(SmsGatewayAuthenticationError, client, ENDPOINTS[1][2])


# --- service errors ---------------------------------------------------------------------------


@pytest.mark.parametrize(("codes", "code"), [("http", "503"), ("jsonrpc", "-32000")])
@pytest.mark.parametrize(("route", "call"), ENDPOINT_PARAMS)
async def test_server_error(
    client: CallrClient,
    callr: CallrSim,
    route: str,
    call: Call,
    codes: Any,  # noqa: ANN401
    code: str,
) -> None:
    """A 5xx in the envelope keeps CALLR's code (opaque) and the HTTP status."""
    callr.state.variants.error_codes = codes
    callr.state.faults.add(Fault("status", status=503))

    error = await _raises(SmsGatewayResponseError, client, call)

    assert type(error) is SmsGatewayResponseError
    assert (error.code, error.status) == (code, 503)
    assert str(error) == f"{route} failed (HTTP 503, code {code}): INTERNAL_ERROR"


@pytest.mark.parametrize(("route", "call"), ENDPOINT_PARAMS)
async def test_rate_limited(client: CallrClient, callr: CallrSim, route: str, call: Call) -> None:
    """429 is a rate limit with the Retry-After seconds."""
    callr.state.faults.add(Fault("rate_limit", retry_after=12))

    error = await _raises(SmsGatewayRateLimitError, client, call)

    assert (str(error), error.retry_after) == (f"Rate limited on {route}", 12.0)


async def test_rate_limit_is_bounded(client: CallrClient, callr: CallrSim) -> None:
    """A Retry-After over an hour is believed as an hour only."""
    callr.state.faults.add(Fault("rate_limit", retry_after=86400 * 30))

    error = await _raises(SmsGatewayRateLimitError, client, ENDPOINTS[1][2])

    assert error.retry_after == 3600.0


@pytest.mark.parametrize(("route", "call"), ENDPOINT_PARAMS)
@pytest.mark.parametrize("status", [None, 504])
async def test_html_page(
    client: CallrClient, callr: CallrSim, route: str, call: Call, status: int | None
) -> None:
    """A proxy's HTML page: an invalid response with the status."""
    callr.state.faults.add(Fault("html", status=status))

    error = await _raises(SmsGatewayInvalidResponseError, client, call)

    assert error.status == (status or 502)


@pytest.mark.parametrize(("route", "call"), ENDPOINT_PARAMS)
@pytest.mark.parametrize("kind", ["malformed", "truncated"])
async def test_unreadable_success(
    client: CallrClient,
    callr: CallrSim,
    route: str,
    call: Call,
    kind: Any,  # noqa: ANN401
) -> None:
    """HTTP 200 with a body that is not JSON, or cut in half: invalid, never "nothing"."""
    sms = callr.state.send_sms(callr.account, "+33612345678", "Hi")
    callr.account.sms = {"ABCD1234": sms}  # the hash ``sent_one`` reads
    sms.hash = "ABCD1234"
    callr.state.faults.add(Fault(kind))

    error = await _raises(SmsGatewayInvalidResponseError, client, call)

    assert str(error) == (
        f"Unexpected answer from {route} (HTTP 200): not CALLR's success envelope"
    )


@pytest.mark.parametrize(
    ("status", "body", "kind", "code"),
    [
        (200, {"status": "success"}, SmsGatewayInvalidResponseError, "invalid_response"),
        (200, {"status": "ok", "data": []}, SmsGatewayInvalidResponseError, "invalid_response"),
        (200, {"data": []}, SmsGatewayInvalidResponseError, "invalid_response"),
        (200, [], SmsGatewayInvalidResponseError, "invalid_response"),
        (200, "", SmsGatewayInvalidResponseError, "invalid_response"),
        (200, {"status": 1, "data": []}, SmsGatewayInvalidResponseError, "invalid_response"),
        (
            200,
            {"status": "error", "data": {"code": 7, "message": "X"}},
            SmsGatewayResponseError,
            "7",
        ),
        (400, {"status": "error"}, SmsGatewayResponseError, None),
        (400, {"status": "ERROR", "data": "oops"}, SmsGatewayResponseError, None),
        (
            400,
            {"status": "error", "data": {"code": None, "message": 5}},
            SmsGatewayResponseError,
            None,
        ),
        (400, {"message": "no envelope"}, SmsGatewayInvalidResponseError, "invalid_response"),
        (500, "", SmsGatewayInvalidResponseError, "invalid_response"),
    ],
)
async def test_odd_bodies(
    client: CallrClient,
    callr: CallrSim,
    status: int,
    body: object,
    kind: type[SmsGatewayError],
    code: str | None,
) -> None:
    """Anything but the envelopes is invalid; an error envelope is an error, even with 200."""
    text = body if isinstance(body, str) else json.dumps(body)
    callr.state.faults.add(Fault("status", status=status, body=text))

    error = await _raises(SmsGatewayResponseError, client, ENDPOINTS[1][2])

    assert type(error) is kind
    assert (error.code, error.status) == (code, status)


async def test_success_envelope_is_read_leniently(client: CallrClient, callr: CallrSim) -> None:
    """``"status": " SUCCESS "`` and a UTF-8 BOM are still CALLR's success."""
    body = "\ufeff" + json.dumps({"status": " SUCCESS ", "data": []})
    callr.state.faults.add(Fault("status", status=200, body=body))

    assert await client.get_received_sms() == ()


async def test_service_text_is_scrubbed(client: CallrClient, callr: CallrSim) -> None:
    """The password, its URL-quoted form and the Basic token never reach a message."""
    token = client.credentials.basic_token
    message = f"bad {PASSWORD} / {PASSWORD.replace(' ', '%20')} / Basic {token} / {'x' * 300}"
    quoted = message.replace(PASSWORD.replace(" ", "%20"), _quoted(PASSWORD))
    body = json.dumps({"status": "error", "data": {"code": f"C-{PASSWORD}", "message": quoted}})
    callr.state.faults.add(Fault("status", status=400, body=body))

    error = await _raises(SmsGatewayResponseError, client, ENDPOINTS[1][2])

    assert str(error).startswith(
        "GET /sms failed (HTTP 400, code C-**REDACTED**): bad **REDACTED** / **REDACTED** / "
        "Basic **REDACTED** / xxx"
    )
    assert error.code == "C-**REDACTED**"
    assert len(str(error)) < 300


def _quoted(text: str) -> str:
    from urllib.parse import quote  # noqa: PLC0415

    return quote(text, safe="")


# --- the network ------------------------------------------------------------------------------


@pytest.mark.parametrize(("route", "call"), ENDPOINT_PARAMS)
async def test_timeout_is_never_retried(
    fast_client: CallrClient, callr: CallrSim, route: str, call: Call
) -> None:
    """No answer in time: a timeout, after one request."""
    callr.state.faults.add(Fault("timeout", delay=2.0))

    error = await _raises(SmsGatewayTimeoutError, fast_client, call)

    assert error.request_sent is True
    assert str(error) == f"Timeout while requesting {route}"
    assert len(callr.requests()) == 1


@pytest.mark.parametrize(("route", "call"), ENDPOINT_PARAMS)
async def test_slow_body(fast_client: CallrClient, callr: CallrSim, route: str, call: Call) -> None:
    """Headers in time but a body that trickles: the timeout covers the body too."""
    callr.state.faults.add(Fault("slow_body", chunk_size=4, chunk_delay=FAST_TIMEOUT))

    await _raises(SmsGatewayTimeoutError, fast_client, call)


async def test_timeout_can_be_changed(client: CallrClient, callr: CallrSim) -> None:
    """``request_timeout`` applies from the next request."""
    client.request_timeout = FAST_TIMEOUT
    callr.state.faults.add(Fault("timeout", delay=1.0))

    await _raises(SmsGatewayTimeoutError, client, ENDPOINTS[1][2])


@pytest.mark.parametrize(("route", "call"), ENDPOINT_PARAMS)
async def test_connection_reset(
    client: CallrClient, callr: CallrSim, route: str, call: Call
) -> None:
    """A reset is a connection error that may have reached CALLR.

    A GET is reset twice: aiohttp repeats an idempotent request once by itself.
    """
    callr.state.faults.add(Fault("reset", times=2))

    error = await _raises(SmsGatewayConnectionError, client, call)

    assert type(error) is SmsGatewayConnectionError
    assert error.request_sent is True
    assert str(error).startswith(f"Error while requesting {route}: ")
    if route == "POST /sms":
        assert len(callr.requests()) == 1


@pytest.mark.parametrize(("route", "call"), ENDPOINT_PARAMS)
async def test_nobody_listening(
    make_client: Callable[..., CallrClient], closed_port: int, route: str, call: Call
) -> None:
    """No connection could be made: the request certainly never left."""
    client = make_client(base_url=f"http://127.0.0.1:{closed_port}/rest/v1.1")

    error = await _raises(SmsGatewayConnectionError, client, call)

    assert error.request_sent is False
    assert str(error) == f"Error while requesting {route}: ClientConnectorError"


@pytest.mark.parametrize(
    "base_url", ["ftp://127.0.0.1/rest/v1.1", "api.callr.com/rest/v1.1", "", "http://"]
)
async def test_unusable_base_url(make_client: Callable[..., CallrClient], base_url: str) -> None:
    """A base URL aiohttp cannot use: a connection error, nothing sent."""
    client = make_client(base_url=base_url)

    error = await _raises(SmsGatewayConnectionError, client, ENDPOINTS[1][2])

    assert error.request_sent is False


async def test_redirect_is_not_followed(
    make_client: Callable[..., CallrClient],
    callr: CallrSim,
    raw_server: Callable[[Handler], Awaitable[str]],
) -> None:
    """A 3xx is an error with the status; the target is never asked."""

    async def redirect(request: web.Request) -> web.StreamResponse:
        raise web.HTTPFound(callr.url + "/sms")

    client = make_client(base_url=await raw_server(redirect))

    error = await _raises(SmsGatewayResponseError, client, ENDPOINTS[1][2])

    assert (error.code, error.status) == ("redirect", 302)
    assert "redirect (HTTP 302)" in str(error)
    assert callr.requests() == []


async def test_oversized_body_with_length(client: CallrClient, callr: CallrSim) -> None:
    """A body announced larger than the cap is refused without reading it."""
    body = json.dumps({"status": "success", "data": ["x" * MAX_RESPONSE_BYTES]})
    callr.state.faults.add(Fault("status", status=200, body=body))

    error = await _raises(SmsGatewayInvalidResponseError, client, ENDPOINTS[1][2])

    assert str(error) == f"Answer from GET /sms larger than {MAX_RESPONSE_BYTES} bytes"
    assert error.status == 200


async def test_oversized_chunked_body(
    make_client: Callable[..., CallrClient], raw_server: Callable[[Handler], Awaitable[str]]
) -> None:
    """A chunked body (no length) is cut off once past the cap."""

    async def endless(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse()
        response.enable_chunked_encoding()
        await response.prepare(request)
        await response.write(b'{"status": "success", "data": ["')
        for _ in range(MAX_RESPONSE_BYTES // 65536 + 2):
            await response.write(b"x" * 65536)
        await response.write(b'"]}')
        await response.write_eof()
        return response

    client = make_client(base_url=await raw_server(endless))

    error = await _raises(SmsGatewayInvalidResponseError, client, ENDPOINTS[1][2])

    assert "larger than" in str(error)


async def test_chunked_body_under_the_cap(
    make_client: Callable[..., CallrClient], raw_server: Callable[[Handler], Awaitable[str]]
) -> None:
    """A chunked answer of normal size is read whole; invalid UTF-8 is replaced, not fatal."""

    async def chunked(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse()
        response.enable_chunked_encoding()
        await response.prepare(request)
        await response.write(b'{"status": "success", "data": "ABCD\xff1234"}')
        await response.write_eof()
        return response

    client = make_client(base_url=await raw_server(chunked))

    # The replaced byte makes the hash unusable: read, then refused as a hash.
    error = await _raises(SmsGatewayInvalidResponseError, client, ENDPOINTS[0][2])
    assert "'hash'" in str(error)


# --- no credential in logs --------------------------------------------------------------------

FAULTS = [
    Fault("status"),
    Fault(
        "status", status=400, body=json.dumps({"status": "error", "data": {"message": PASSWORD}})
    ),
    Fault("rate_limit"),
    Fault("html"),
    Fault("truncated"),
    Fault("malformed"),
    Fault("timeout", delay=2.0),
    Fault("slow_body", chunk_size=4, chunk_delay=FAST_TIMEOUT),
    Fault("reset", times=2),
    Fault("invalid_key"),
    Fault("expired"),
]


@pytest.mark.parametrize("fault", FAULTS, ids=lambda fault: f"{fault.kind}-{fault.status}")
@pytest.mark.parametrize(("route", "call"), ENDPOINT_PARAMS)
async def test_no_credential_in_debug_logs(
    fast_client: CallrClient,
    callr: CallrSim,
    caplog: pytest.LogCaptureFixture,
    route: str,
    call: Call,
    fault: Fault,
) -> None:
    """Whatever fails, no DEBUG line shows the password or its token; the route is logged."""
    caplog.set_level(logging.DEBUG)
    callr.state.faults.add(
        Fault(
            fault.kind,
            times=fault.times,
            status=fault.status,
            body=fault.body,
            delay=fault.delay,
            chunk_size=fault.chunk_size,
            chunk_delay=fault.chunk_delay,
        )
    )

    with pytest.raises(SmsGatewayError) as caught:
        await call(fast_client)

    assert f"CALLR request {route}" in caplog.text
    assert_no_password(caught.value, caplog.text)
    token = fast_client.credentials.basic_token
    assert PASSWORD not in caplog.text
    assert token not in caplog.text


async def test_no_credential_in_debug_logs_on_success(
    client: CallrClient, callr: CallrSim, caplog: pytest.LogCaptureFixture
) -> None:
    """A working exchange logs the route and status only."""
    caplog.set_level(logging.DEBUG)

    await client.send_message("+33612345678", "Hi")
    await client.get_received_sms()

    assert "CALLR POST /sms answered HTTP 200" in caplog.text
    assert PASSWORD not in caplog.text
    assert client.credentials.basic_token not in caplog.text
