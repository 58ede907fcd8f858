"""Failures: every endpoint family's auth errors, service errors, bad bodies, network failures."""

from collections.abc import Awaitable, Callable
import json
from typing import Any, cast

import aiohttp
import pytest

from custom_components.smsmobileapi.api import (
    ApiKeyCredentials,
    CallType,
    ConversationOrigin,
    SmsGatewayAuthenticationError,
    SmsGatewayConnectionError,
    SmsGatewayError,
    SmsGatewayInvalidResponseError,
    SmsGatewayRateLimitError,
    SmsGatewayResponseError,
    SmsGatewaySubscriptionExpiredError,
    SmsGatewayTimeoutError,
    SmsMobileApiClient,
)
from smsmobileapi_simulator import Fault

from .conftest import API_KEY, FAST_TIMEOUT, NOW, Sim, assert_no_secret

type Call = Callable[[SmsMobileApiClient], Awaitable[object]]

# Every client method that talks to the service: (id, path, call).
ENDPOINTS: list[tuple[str, str, Call]] = [
    ("send", "sendsms/", lambda c: c.send_message("+32470000009", "Hi")),
    ("resend", "resend/", lambda c: c.resend("abc")),
    ("sent_log", "log/sent/sms/", lambda c: c.get_sent_messages()),
    ("from_mobile", "log/sent/frommobile/", lambda c: c.get_sent_from_mobile()),
    ("getsms", "getsms/", lambda c: c.get_received_sms()),
    ("mark_read", "getsms/set-read/", lambda c: c.mark_read("abc")),
    ("alias", "getsms/update/", lambda c: c.set_alias("abc", "x")),
    ("delete_sms", "deletesms/", lambda c: c.delete_received_sms(guid="abc")),
    (
        "conversations",
        "conversation/sms/list/",
        lambda c: c.get_conversations(ConversationOrigin.RECEIVED),
    ),
    ("phones", "gateway/mobile/list/", lambda c: c.get_phones()),
    ("update_phone", "gateway/mobile/update/", lambda c: c.update_phone("phone-a", label="x")),
    ("delete_phone", "gateway/mobile/delete/", lambda c: c.delete_phone("phone-a")),
    ("missed", "call/missed/list/", lambda c: c.get_missed_calls()),
    ("incoming", "call/incoming/list/", lambda c: c.get_answered_calls(CallType.INCOMING)),
    ("outgoing", "call/outgoing/list/", lambda c: c.get_answered_calls(CallType.OUTGOING)),
]
ENDPOINT_PARAMS = [pytest.param(path, call, id=name) for name, path, call in ENDPOINTS]
GETSMS: Call = ENDPOINTS[4][2]


async def _raises[E: SmsGatewayError](kind: type[E], client: SmsMobileApiClient, call: Call) -> E:
    with pytest.raises(kind) as caught:
        await call(client)
    return caught.value


# --- authentication and subscription -----------------------------------------------------------


@pytest.mark.parametrize(("path", "call"), ENDPOINT_PARAMS)
async def test_invalid_key(
    make_client: Callable[..., SmsMobileApiClient], sim: Sim, path: str, call: Call
) -> None:
    """An unknown key is an authentication error in every family's shape.

    Call logs: ``{"success":false,"error":"invalid_apikey"}`` 403; SMS: ``{"error":1}`` 403
    (on /getsms/ ``{"result":{"error":1}}`` with HTTP 200); gateway and conversations: the
    free text ``Invalid apikey``.
    """
    client = make_client(ApiKeyCredentials("WRONG-KEY-123"))

    error = await _raises(SmsGatewayAuthenticationError, client, call)

    assert str(error) == f"Authentication failed on /{path}"
    assert_no_secret(error, secrets=("WRONG-KEY-123",))
    assert len(sim.state.requests) == 1


@pytest.mark.parametrize(("path", "call"), ENDPOINT_PARAMS)
async def test_missing_key(
    make_client: Callable[..., SmsMobileApiClient], sim: Sim, path: str, call: Call
) -> None:
    """An empty key: ``missing_apikey`` (400), ``Missing required parameter: apikey`` or 1."""
    client = make_client(ApiKeyCredentials(""))

    error = await _raises(SmsGatewayAuthenticationError, client, call)

    assert str(error) == f"Authentication failed on /{path}"
    [request] = sim.state.requests
    assert {**request.query, **request.form}["apikey"] == ""


@pytest.mark.parametrize(
    ("http200", "key", "status", "body"),
    [
        (True, "WRONG", 200, {"result": {"error": 1, "message": "unauthorized"}}),
        (True, "", 200, {"result": {"error": 1, "message": "unauthorized"}}),
        (False, "WRONG", 403, {"error": 1, "message": "Unauthorized"}),
        (
            False,
            "",
            400,
            {"error": "missing_apikey", "message": "Missing required parameter: apikey"},
        ),
    ],
    ids=["invalid-200", "missing-200", "invalid-403", "missing-400"],
)
async def test_getsms_auth_error_variants(
    make_client: Callable[..., SmsMobileApiClient],
    session: aiohttp.ClientSession,
    sim: Sim,
    http200: bool,
    key: str,
    status: int,
    body: dict[str, Any],
) -> None:
    """/getsms/ rejects a key with HTTP 200 and the error in ``result``, or 400/403."""
    sim.state.variants.getsms_auth_error_http200 = http200
    async with session.get(f"{sim.url}/getsms/", params={"apikey": key}) as response:
        assert (response.status, await response.json()) == (status, body)

    error = await _raises(
        SmsGatewayAuthenticationError, make_client(ApiKeyCredentials(key)), GETSMS
    )

    assert str(error) == "Authentication failed on /getsms/"


async def test_missed_calls_free_text_error(
    make_client: Callable[..., SmsMobileApiClient], session: aiohttp.ClientSession, sim: Sim
) -> None:
    """The missed-call list may answer a missing key with the bare text ``Missing apikey``."""
    sim.state.variants.missed_calls_text_errors = True
    async with session.get(f"{sim.url}/call/missed/list/", params={"apikey": ""}) as response:
        assert (response.status, await response.text()) == (200, "Missing apikey")

    client = make_client(ApiKeyCredentials(""))
    error = await _raises(SmsGatewayAuthenticationError, client, lambda c: c.get_missed_calls())

    assert str(error) == "Authentication failed on /call/missed/list/"


@pytest.mark.parametrize(("path", "call"), ENDPOINT_PARAMS)
async def test_expired_subscription(
    client: SmsMobileApiClient, sim: Sim, path: str, call: Call
) -> None:
    """``api_expired``, ``subscription_expire`` and the free text ``Subscription expired``."""
    sim.account.expired = True

    error = await _raises(SmsGatewaySubscriptionExpiredError, client, call)

    assert str(error) == "The subscription has expired"
    assert_no_secret(error)


@pytest.mark.parametrize(
    ("kind", "error_type"),
    [
        ("invalid_key", SmsGatewayAuthenticationError),
        ("expired", SmsGatewaySubscriptionExpiredError),
    ],
)
async def test_forced_auth_faults(
    client: SmsMobileApiClient, sim: Sim, kind: str, error_type: type[SmsGatewayError]
) -> None:
    """A valid key rejected by the service (fault injection) raises the matching type once."""
    sim.state.faults.add(Fault(kind, path="/getsms/"))  # type: ignore[arg-type]

    await _raises(error_type, client, GETSMS)
    assert await client.get_received_sms() == ()


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (401, {"error": "forbidden"}),
        (200, {"result": {"error": "invalid_token"}}),
        (200, {"success": False, "error": "Unauthorized access"}),
        (200, {"error": "The API key is unknown", "message": "bad"}),
        (400, {"error": "unauthorized_client"}),
        (403, {"success": False, "error": "invalid_apikey"}),
        (401, {"success": False}),
        (200, "Missing apikey"),
    ],
)
async def test_other_auth_answers(
    client: SmsMobileApiClient, sim: Sim, status: int, body: object
) -> None:
    """The service's authentication codes and words, or a 401 with its JSON error."""
    text = body if isinstance(body, str) else json.dumps(body)
    sim.state.faults.add(Fault("status", path="/getsms/", status=status, body=text))

    error = await _raises(SmsGatewayAuthenticationError, client, GETSMS)

    assert str(error) == "Authentication failed on /getsms/"


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (403, "<html><body><h1>403 Forbidden</h1>nginx</body></html>"),
        (401, "<html><body>Authorization Required</body></html>"),
        (403, ""),
        (401, "   "),
    ],
)
async def test_proxy_refusal_is_not_bad_credentials(
    client: SmsMobileApiClient, sim: Sim, status: int, body: str
) -> None:
    """A 401/403 that is not the service's JSON (a proxy's page, nothing) is unreadable.

    It must not start a re-authentication: the coordinator retries it like any failure.
    """
    sim.state.faults.add(
        Fault("status", path="/getsms/", status=status, body=body, content_type="text/html")
    )

    error = await _raises(SmsGatewayInvalidResponseError, client, GETSMS)

    assert str(error) == f"Unreadable answer from /getsms/ (HTTP {status})"


@pytest.mark.parametrize(
    ("status", "body", "code"),
    [
        (403, {"error": "forbidden", "message": "Not here"}, "forbidden"),
        (403, {"success": False, "error": "Access denied by WAF"}, "Access denied by WAF"),
        (403, {"status": "blocked"}, None),
        (401, {"detail": "no"}, None),
    ],
)
async def test_unrelated_json_refusal_is_not_bad_credentials(
    client: SmsMobileApiClient, sim: Sim, status: int, body: dict[str, Any], code: str | None
) -> None:
    """A 403 without an authentication code, or a 401 without a JSON error: a response error."""
    sim.state.faults.add(Fault("status", path="/getsms/", status=status, body=json.dumps(body)))

    error = await _raises(SmsGatewayResponseError, client, GETSMS)

    assert type(error) is SmsGatewayResponseError
    assert (error.code, error.status) == (code, status)


@pytest.mark.parametrize(
    "body",
    [
        {"error": "api_expired"},
        {"result": {"error": "subscription_expired"}},
        {"success": False, "error": "Your plan EXPIRED yesterday"},
    ],
)
async def test_other_expiry_answers(client: SmsMobileApiClient, sim: Sim, body: object) -> None:
    """Expiry codes and free text win over the HTTP status."""
    sim.state.faults.add(Fault("status", path="/getsms/", status=403, body=json.dumps(body)))

    await _raises(SmsGatewaySubscriptionExpiredError, client, GETSMS)


# --- rate limiting and service errors ------------------------------------------------------------


@pytest.mark.parametrize(
    ("fault", "retry_after"),
    [
        (Fault("rate_limit", path="/getsms/", retry_after=17), 17.0),
        (Fault("rate_limit", path="/getsms/", retry_after=0), 0.0),
        (Fault("rate_limit", path="/getsms/", retry_after=-5), None),
        (
            Fault(
                "rate_limit",
                path="/getsms/",
                retry_after=cast("int", "Wed, 23 Sep 2026 12:01:00 GMT"),
            ),
            None,
        ),
        (Fault("status", path="/getsms/", status=429, body='{"error":429}'), None),
        (Fault("status", path="/getsms/", status=200, body='{"error":429,"message":"m"}'), None),
    ],
    ids=["seconds", "zero", "negative", "http-date", "no-header", "code-429"],
)
async def test_rate_limited(
    client: SmsMobileApiClient, sim: Sim, fault: Fault, retry_after: float | None
) -> None:
    """HTTP 429 (or error code 429) raises RateLimitError with ``Retry-After`` in seconds."""
    sim.state.faults.add(fault)

    error = await _raises(SmsGatewayRateLimitError, client, GETSMS)

    assert str(error) == "Rate limited on /getsms/"
    assert error.retry_after == retry_after
    assert len(sim.state.requests) == 1


async def test_server_error(client: SmsMobileApiClient, sim: Sim) -> None:
    """The documented ``server_error`` 500 keeps its code, status and detail."""
    sim.state.faults.add(Fault("status", path="/call/incoming/list/"))

    error = await _raises(
        SmsGatewayResponseError, client, lambda c: c.get_answered_calls(CallType.INCOMING)
    )

    assert type(error) is SmsGatewayResponseError
    assert (error.code, error.status) == ("server_error", 500)
    assert str(error) == "/call/incoming/list/ failed with error server_error: Simulated failure"


@pytest.mark.parametrize(
    ("status", "body", "code", "message"),
    [
        (503, {}, None, "/getsms/ failed with error 503"),
        (500, {"result": {"error": 0}}, None, "/getsms/ failed with error 500"),
        (200, {"success": False}, "unknown", "/getsms/ failed with error unknown"),
        (200, {"error": 2.5}, "2.5", "/getsms/ failed with error 2.5"),
        (
            200,
            {"result": {"error": 2}, "message": "Phone offline"},
            "2",
            "/getsms/ failed with error 2: Phone offline",
        ),
        (
            200,
            {"result": {"error": "busy", "detail": "Try later"}, "message": "outer"},
            "busy",
            "/getsms/ failed with error busy: Try later",
        ),
        (
            500,
            {"error": "sql", "detail": "x" * 300},
            "sql",
            "/getsms/ failed with error sql: " + "x" * 200,
        ),
    ],
)
async def test_service_errors(
    client: SmsMobileApiClient,
    sim: Sim,
    status: int,
    body: dict[str, Any],
    code: str | None,
    message: str,
) -> None:
    """Any error member (top level or in ``result``) or HTTP status >= 400 raises with details."""
    sim.state.faults.add(Fault("status", path="/getsms/", status=status, body=json.dumps(body)))

    error = await _raises(SmsGatewayResponseError, client, GETSMS)

    assert type(error) is SmsGatewayResponseError
    assert (error.code, error.status, str(error)) == (code, status, message)


@pytest.mark.parametrize(
    "body",
    [
        {"error": {"code": 7, "text": "phone offline"}, "result": {"error": 0, "sms": []}},
        {"result": {"error": ["phone offline"], "sms": []}},
    ],
    ids=["top-level", "in-result"],
)
async def test_error_member_of_another_type(
    client: SmsMobileApiClient, sim: Sim, body: dict[str, Any]
) -> None:
    """An ``error`` that is an object or a list is still an error, never a success."""
    sim.state.faults.add(Fault("status", path="/getsms/", status=200, body=json.dumps(body)))

    error = await _raises(SmsGatewayResponseError, client, GETSMS)

    assert type(error) is SmsGatewayResponseError
    assert error.status == 200
    assert str(error).startswith("/getsms/ failed with error ")


@pytest.mark.parametrize("no_error", [0, "0", "", " ", None, False, 0.0])
async def test_error_members_meaning_success(
    client: SmsMobileApiClient, sim: Sim, no_error: object
) -> None:
    """``error`` set to 0, "0", "", null, false or 0.0 means success (top level and result)."""
    body = {"error": no_error, "result": {"error": no_error, "sms": []}}
    sim.state.faults.add(Fault("status", path="/getsms/", status=200, body=json.dumps(body)))

    assert await client.get_received_sms() == ()


# --- unreadable answers ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fault", "status"),
    [
        (Fault("html", path="/getsms/"), 502),
        (Fault("html", path="/getsms/", status=500), 500),
        (Fault("malformed", path="/getsms/"), 200),
        (Fault("status", path="/getsms/", status=200, body="[]"), 200),
        (Fault("status", path="/getsms/", status=200, body='"ok"'), 200),
        (Fault("status", path="/getsms/", status=200, body=""), 200),
        (Fault("status", path="/getsms/", status=200, body="[" * 100_000 + "]" * 100_000), 200),
        (Fault("status", path="/getsms/", status=200, body="\xff\xfe{"), 200),
    ],
    ids=["html-502", "html-500", "php-warning", "array", "string", "empty", "deep", "binary"],
)
async def test_unreadable_answers(
    client: SmsMobileApiClient, sim: Sim, fault: Fault, status: int
) -> None:
    """HTML pages, PHP warnings and anything not a JSON object: InvalidResponseError."""
    sim.state.faults.add(fault)

    error = await _raises(SmsGatewayInvalidResponseError, client, GETSMS)

    assert (error.code, error.status) == ("invalid_response", status)
    assert str(error) == f"Unreadable answer from /getsms/ (HTTP {status})"


@pytest.mark.parametrize(("path", "call"), ENDPOINT_PARAMS)
async def test_truncated_json(client: SmsMobileApiClient, sim: Sim, path: str, call: Call) -> None:
    """A body cut in half is unreadable on every endpoint, whatever the half contains.

    The call lists echo the API key near the start of their body: a truncated list must not
    be mistaken for an authentication failure (that would ask the user to re-authenticate).
    """
    sim.state.add_received_sms(sim.account, "+32470000031", "Hi", received_at=NOW)
    sim.state.faults.add(Fault("truncated", path=f"/{path}"))

    error = await _raises(SmsGatewayInvalidResponseError, client, call)

    assert str(error).startswith(f"Unreadable answer from /{path} (HTTP ")
    assert_no_secret(error)


async def test_missing_envelope(client: SmsMobileApiClient, sim: Sim) -> None:
    """A /sendsms/ answer without ``result`` is invalid, and names the field."""
    sim.state.faults.add(Fault("status", path="/sendsms/", status=200, body='{"ok":true}'))

    error = await _raises(SmsGatewayInvalidResponseError, client, ENDPOINTS[0][2])

    assert str(error) == "missing field 'result' in response"
    assert error.code == "invalid_response"


# --- network failures -------------------------------------------------------------------------


async def test_send_timeout_not_retried(fast_client: SmsMobileApiClient, sim: Sim) -> None:
    """A send that times out raises TimeoutError and is never sent twice."""
    sim.state.faults.add(Fault("timeout", path="/sendsms/", delay=FAST_TIMEOUT + 0.3))

    error = await _raises(SmsGatewayTimeoutError, fast_client, ENDPOINTS[0][2])

    assert isinstance(error, SmsGatewayConnectionError)
    assert str(error) == "Timeout while requesting /sendsms/"
    assert len(sim.requests_to("/sendsms/")) == 1
    assert len(sim.state.requests) == 1
    assert_no_secret(error)


async def test_timeout_while_reading_body(fast_client: SmsMobileApiClient, sim: Sim) -> None:
    """A body that trickles in slower than the timeout also times out."""
    sim.state.faults.add(Fault("slow_body", path="/getsms/", chunk_size=8, chunk_delay=0.1))

    error = await _raises(SmsGatewayTimeoutError, fast_client, GETSMS)

    assert str(error) == "Timeout while requesting /getsms/"


async def test_timeout_from_latency(fast_client: SmsMobileApiClient, sim: Sim) -> None:
    """A slow service (latency on every request) times out."""
    sim.state.latency = FAST_TIMEOUT + 0.2

    await _raises(SmsGatewayTimeoutError, fast_client, GETSMS)


async def test_send_connection_reset_not_retried(client: SmsMobileApiClient, sim: Sim) -> None:
    """A connection reset during a send raises ConnectionError, with one request only."""
    sim.state.faults.add(Fault("reset", path="/sendsms/"))

    error = await _raises(SmsGatewayConnectionError, client, ENDPOINTS[0][2])

    assert not isinstance(error, SmsGatewayTimeoutError)
    assert str(error) in {
        "Error while requesting /sendsms/: ServerDisconnectedError",
        "Error while requesting /sendsms/: ClientOSError",
    }
    assert len(sim.requests_to("/sendsms/")) == 1
    assert_no_secret(error)


async def test_read_connection_reset(client: SmsMobileApiClient, sim: Sim) -> None:
    """A reset on a read raises ConnectionError (aiohttp itself retries a GET once)."""
    sim.state.faults.add(Fault("reset", path="/getsms/", times=None))

    error = await _raises(SmsGatewayConnectionError, client, GETSMS)

    assert str(error).startswith("Error while requesting /getsms/: ")
    assert_no_secret(error)


async def test_connection_refused(
    make_client: Callable[..., SmsMobileApiClient], closed_port: int
) -> None:
    """Nobody listening: ConnectionError naming the aiohttp error, never the URL or key."""
    client = make_client(base_url=f"http://127.0.0.1:{closed_port}/")

    error = await _raises(SmsGatewayConnectionError, client, GETSMS)

    assert type(error) is SmsGatewayConnectionError
    assert str(error) == "Error while requesting /getsms/: ClientConnectorError"
    assert client.base_url == f"http://127.0.0.1:{closed_port}"
    assert_no_secret(error)


# --- secrets ----------------------------------------------------------------------------------


async def test_echoed_key_scrubbed_from_message(client: SmsMobileApiClient, sim: Sim) -> None:
    """A service message that echoes the key never carries it into the exception."""
    body = {"success": False, "error": "server_error", "detail": f"bad row for {API_KEY}"}
    sim.state.faults.add(Fault("status", path="/getsms/", status=500, body=json.dumps(body)))

    error = await _raises(SmsGatewayResponseError, client, GETSMS)

    assert str(error) == "/getsms/ failed with error server_error: bad row for **REDACTED**"
    assert_no_secret(error)


async def test_echoed_key_scrubbed_from_code(client: SmsMobileApiClient, sim: Sim) -> None:
    """An error code that echoes the key (an SQL error, say) leaks it nowhere, not even in .code.

    Callers log ``error.code`` and show it in repairs and diagnostics.
    """
    body = {"success": False, "error": f"SQLSTATE[42000]: syntax error near '{API_KEY}'"}
    sim.state.faults.add(Fault("status", path="/getsms/", status=500, body=json.dumps(body)))

    error = await _raises(SmsGatewayResponseError, client, GETSMS)

    assert str(error) == (
        "/getsms/ failed with error SQLSTATE[42000]: syntax error near '**REDACTED**'"
    )
    assert_no_secret(error)


async def test_empty_credential_not_scrubbed(
    make_client: Callable[..., SmsMobileApiClient], sim: Sim
) -> None:
    """An empty key is not "redacted" (that would insert the marker between every character)."""
    sim.state.faults.add(Fault("status", path="/getsms/"))
    client = make_client(ApiKeyCredentials(""))

    error = await _raises(SmsGatewayResponseError, client, GETSMS)

    assert str(error) == "/getsms/ failed with error server_error: Simulated failure"
