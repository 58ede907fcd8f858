"""Property-based tests of the client alone: whatever a server sends, only the client's errors.

The error classifier, every SMSMobileAPI parser, OAuth2 token bodies, the webhook's signature
check and parser, and the transport over loopback with any status, charset, compression and
bytes: each gives a result or one of the client's own exceptions, never another one. No text
that leaves the client carries a lone surrogate (Home Assistant could not record it), and no
error carries the API key.

Deterministic (``derandomize``) and small, so the suite stays fast. The Home Assistant side
has its own fuzzing in ``tests/test_fuzz.py``.
"""

from collections.abc import AsyncIterator, Callable, Mapping
import contextlib
import dataclasses
from dataclasses import dataclass
from datetime import datetime, timedelta
import gzip
import json
from typing import Any
import zlib

import aiohttp
from aiohttp import web
from hypothesis import HealthCheck, given, settings, strategies as st
import pytest

from custom_components.smsmobileapi.api import (
    AccessToken,
    ApiKeyCredentials,
    CallType,
    OAuth2Credentials,
    SmsGatewayAuthenticationError,
    SmsGatewayError,
    SmsGatewayInvalidResponseError,
    SmsMobileApiClient,
    WebhookPayloadError,
    WebhookSignatureError,
)
from custom_components.smsmobileapi.api.smsmobileapi import (
    parsing as sms_parsing,
    whatsapp as sms_whatsapp,
)
from custom_components.smsmobileapi.api.smsmobileapi.errors import raise_for_answer
from custom_components.smsmobileapi.api.smsmobileapi.oauth import TokenCache
from custom_components.smsmobileapi.api.smsmobileapi.webhook import (
    HEADER_EVENT_ID,
    HEADER_SIGNATURE,
    HEADER_TIMESTAMP,
    parse_webhook,
    sign,
    verify_signature,
)

from .conftest import API_KEY, CLIENT_SECRET, NOW

FAST = settings(max_examples=150, derandomize=True, deadline=None, database=None)
WIRE = settings(
    max_examples=60,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
SECRET = "whsec-api-fuzz-42"

# Field names the parsers read: generated objects use them often, to reach deep branches.
FIELDS = [
    "guid", "guid_message", "id", "number", "from", "numero", "phone_number", "message",
    "timestamp_unix", "time_received", "received_at", "date", "hour", "sIdentifiantPhone",
    "device_id", "sIdentifiant", "alias", "call_date_ms", "call_datetime_utc", "cached_name",
    "name", "duration_sec", "duration", "geo_location", "sIdentifiant_pour_check", "sid",
    "label", "nom_reference", "online", "battery", "version", "last_seen", "items", "result",
    "mobiles", "mobile", "connected_limit", "connected_now", "datetime", "note", "sent",
    "send_with_whatsapp", "encrypted", "status", "mobile_date_ms", "mobile_date_formatted",
    "synchro_time", "conversations", "messages", "contact_alias", "direction", "timestamp_utc",
    "message_id", "mobile_sid", "rows", "data", "sms", "success", "error", "message", "detail",
    "type", "occurred_at", "created_at", "call_at", "duration_seconds", "transcript",
    "is_voice_message", "contact_name", "data_id", "access_token", "expires_in", "whatsapp",
    "exists", "available", "message_type", "expire_at_unix",
]  # fmt: skip
V2_TYPES = [
    "sms.received", "sms.sent", "sms.failed", "sms.api.submitted", "sms.mobile.sent",
    "whatsapp.submitted", "whatsapp.sent", "whatsapp.failed", "whatsapp.received",
    "whatsapp.voice.transcribed", "call.missed", "call.incoming", "call.outgoing", "email.sent",
]  # fmt: skip

# Text as JSON decodes it: any code point, lone surrogates (a truncated emoji) included.
any_text = st.text(st.characters(codec=None), max_size=30) | st.sampled_from(
    ["Hi \ud83d", "\ude00", "\udcff", "😀", ""]
)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-(10**15), max_value=10**15),
    st.floats(),
    any_text,
    st.from_regex(r"\s*\d{1,25}(\.\d{1,5})?\s*", fullmatch=True),
    st.datetimes(timezones=st.none() | st.timezones()).map(lambda d: d.isoformat()),
    st.sampled_from(["", "0", "1", "yes", "no", "online", "87%", "2026-09-23", "12:00:00"]),
    st.sampled_from(V2_TYPES),
)


def _objects(children: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    return st.dictionaries(st.sampled_from(FIELDS) | any_text, children, max_size=8)


json_values: st.SearchStrategy[Any] = st.recursive(
    scalars, lambda children: st.lists(children, max_size=5) | _objects(children), max_leaves=15
)
json_objects = _objects(json_values)


def _texts(value: object) -> list[str]:
    """Every string inside a model (a named tuple), a tuple of models or a mapping."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, tuple | list):
        return [text for item in value for text in _texts(item)]
    if isinstance(value, Mapping):
        return [text for pair in value.items() for item in pair for text in _texts(item)]
    return []


def assert_clean(value: object) -> None:
    """No string of ``value`` holds a lone surrogate: each one encodes as UTF-8."""
    for text in _texts(value):
        text.encode()


def _is_utc(moment: datetime | None) -> bool:
    return moment is None or moment.utcoffset() == timedelta(0)


# --- the error classifier -------------------------------------------------------------------


def _outcome[T](call: Callable[[], T]) -> T | SmsGatewayError:
    """What a call returned, or the client's error it raised."""
    try:
        return call()
    except SmsGatewayError as err:
        return err


def _scrub(text: str) -> str:
    return text.replace(API_KEY, "**REDACTED**")


_error_bodies = st.fixed_dictionaries(
    {},
    optional={
        "error": scalars | st.just(API_KEY) | st.sampled_from(["invalid_apikey", "api_expired"]),
        "message": scalars | st.just(f"bad key {API_KEY}"),
        "detail": scalars,
        "success": st.booleans() | scalars,
        "result": json_values | st.fixed_dictionaries({}, optional={"error": scalars}),
    },
)
_answer_texts = st.one_of(
    any_text,
    st.text(max_size=200),
    json_values.map(json.dumps),
    _error_bodies.map(json.dumps),
    st.sampled_from(["<html><body>403 Forbidden</body></html>", "", "Missing apikey", "{}"]),
)


@FAST
@given(
    status=st.integers(100, 599),
    text=_answer_texts,
    retry_after=st.none() | st.text(max_size=10) | st.integers(0, 10**6).map(str),
)
def test_classifier(status: int, text: str, retry_after: str | None) -> None:
    """Any status and text: a JSON object for a success, or one of the client's errors.

    No error carries the API key; no answer that is not JSON is read as bad credentials
    unless it is the service's short plain-text refusal that names the key's field.
    """
    outcome = _outcome(lambda: raise_for_answer("getsms/", status, text, retry_after, _scrub))
    if isinstance(outcome, SmsGatewayError):
        assert API_KEY not in str(outcome)
        assert_clean(str(outcome))
        if isinstance(outcome, SmsGatewayAuthenticationError) and not text.lstrip().startswith("{"):
            assert "apikey" in text.lower()
        return
    assert isinstance(outcome, Mapping)
    assert status < 400


# --- the parsers -------------------------------------------------------------------------------


def _parsed[T](parse: Callable[[], T]) -> T | None:
    """The result, or None when the parser raised the client's invalid-response error."""
    try:
        result = parse()
    except SmsGatewayInvalidResponseError as err:
        assert_clean(str(err))
        return None
    assert_clean(result)
    return result


@FAST
@given(row=json_values)
def test_row_parsers(row: object) -> None:
    """Any JSON value through each row parser: a clean model, or the clear error."""
    if (sms := _parsed(lambda: sms_parsing.parse_received_sms(row))) is not None:
        assert sms.guid
        assert sms.number
        assert _is_utc(sms.received_at)
    for call_type in CallType:
        if (call := _parsed(lambda t=call_type: sms_parsing.parse_call(row, t))) is not None:
            assert call.number
            assert call.duration is None or isinstance(call.duration, int)
            assert _is_utc(call.call_at)
    if (phone := _parsed(lambda: sms_parsing.parse_phone(row))) is not None:
        assert phone.battery is None or 0 <= phone.battery <= 100
    if (message := _parsed(lambda: sms_whatsapp.parse_received_whatsapp(row))) is not None:
        assert message.guid
        assert _is_utc(message.received_at)
    _parsed(lambda: sms_parsing.parse_sent_message(row))
    _parsed(lambda: sms_parsing.parse_sent_from_mobile(row))


@FAST
@given(body=json_objects)
def test_body_parsers(body: dict[str, Any]) -> None:
    """Any JSON object through each whole-answer parser: clean models, or the clear error."""
    if (listed := _parsed(lambda: sms_parsing.parse_sms_list(body))) is not None:
        assert [s.received_at for s in listed] == sorted(s.received_at for s in listed)
    if (calls := _parsed(lambda: sms_parsing.parse_calls(body, CallType.MISSED))) is not None:
        times = [call.call_at for call in calls]
        assert times == sorted(times, reverse=True)
    _parsed(lambda: sms_parsing.parse_phone_list(body))
    _parsed(lambda: sms_parsing.parse_conversations(body))
    if (sent := _parsed(lambda: sms_parsing.parse_send_result(body))) is not None:
        assert sent.guid
    assert sms_whatsapp.parse_whatsapp_check(body) in {True, False, None}
    if (whatsapp := _parsed(lambda: sms_whatsapp.parse_whatsapp_list(body))) is not None:
        assert [m.received_at for m in whatsapp] == sorted(m.received_at for m in whatsapp)
    _parsed(lambda: [sms_parsing.parse_sent_message(r) for r in sms_parsing.parse_log_rows(body)])


# --- OAuth2 token bodies -----------------------------------------------------------------------

_token_bodies = st.one_of(
    json_objects,
    st.fixed_dictionaries(
        {"access_token": scalars},
        optional={
            "expires_in": scalars
            | st.integers(-(10**30), 10**30)
            | st.floats()
            | st.from_regex(r"-?\d{1,40}", fullmatch=True),
            "token_type": scalars,
        },
    ),
)


@FAST
@given(body=_token_bodies)
async def test_token_bodies(body: dict[str, Any]) -> None:
    """Any token answer: a token valid from now for at most a day, or the clear error."""

    async def answer(_form: Mapping[str, str]) -> Mapping[str, Any]:
        return body

    cache = TokenCache(OAuth2Credentials("id", CLIENT_SECRET), answer, lambda: NOW)
    try:
        token = await cache.get()
    except SmsGatewayInvalidResponseError:
        return
    assert isinstance(token, AccessToken)
    assert token.token
    assert_clean(token.token)
    assert NOW < token.expires_at <= NOW + timedelta(days=1)


# --- webhooks -------------------------------------------------------------------------------

_header_names = st.sampled_from(
    [HEADER_SIGNATURE, HEADER_TIMESTAMP, HEADER_EVENT_ID, "x-smsmobileapi-signature"]
) | st.text(min_size=1, max_size=12)
_header_values = (
    any_text
    | st.from_regex(r"v1=[0-9a-f]{0,64}", fullmatch=True)
    | st.integers(0, 4_000_000_000).map(str)
)
_headers = st.dictionaries(_header_names, _header_values, max_size=5)
_v2_payloads = st.fixed_dictionaries(
    {"type": st.sampled_from(V2_TYPES) | scalars, "data": json_values},
    optional={"id": scalars, "occurred_at": scalars},
)
_webhook_bodies = st.one_of(
    st.binary(max_size=300),
    json_values.map(json.dumps).map(str.encode),
    _v2_payloads.map(json.dumps).map(str.encode),
)


@FAST
@given(headers=_headers, body=_webhook_bodies, signed=st.booleans())
def test_webhook(headers: dict[str, str], body: bytes, signed: bool) -> None:
    """Any headers and bytes: verified or WebhookSignatureError; an event or the payload error."""
    with contextlib.suppress(WebhookSignatureError):
        verify_signature(SECRET, headers, body, now=NOW)
    try:
        event = parse_webhook(headers, body, signed=signed)
    except WebhookPayloadError as err:
        assert_clean(str(err))
        return
    assert_clean(event)


@FAST
@given(payload=_v2_payloads, signed=st.booleans())
def test_signed_event_id_comes_from_the_body(payload: dict[str, Any], signed: bool) -> None:
    """A correctly signed V2 event takes its id from the body, never from the header."""
    body = json.dumps(payload).encode()
    headers = {
        HEADER_TIMESTAMP: str(int(NOW.timestamp())),
        HEADER_SIGNATURE: sign(SECRET, int(NOW.timestamp()), body),
        HEADER_EVENT_ID: "header-id",
    }
    verify_signature(SECRET, headers, body, now=NOW)
    try:
        event = parse_webhook(headers, body, signed=signed)
    except WebhookPayloadError:
        return
    if signed:
        assert event.event_id != "header-id" or payload.get("id") == "header-id"


# --- the transport over loopback: any status, charset, compression and bytes -----------------


@dataclass
class RawAnswer:
    """What the raw server answers next."""

    status: int = 200
    headers: dict[str, str] = dataclasses.field(default_factory=dict)
    body: bytes = b""


@dataclass
class RawServer:
    """A loopback server answering ``answer`` to every request."""

    url: str = ""
    answer: RawAnswer = dataclasses.field(default_factory=RawAnswer)


@pytest.fixture
async def raw_server(socket_enabled: None) -> AsyncIterator[RawServer]:
    """Serve whatever the current example sets, byte for byte."""
    server = RawServer()

    async def handle(_request: web.Request) -> web.Response:
        answer = server.answer
        return web.Response(status=answer.status, body=answer.body, headers=answer.headers)

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handle)
    runner = web.AppRunner(app, access_log=None, auto_decompress=False)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    server.url = f"http://127.0.0.1:{runner.addresses[0][1]}"
    try:
        yield server
    finally:
        await runner.cleanup()


def _compress(body: bytes, encoding: str) -> bytes:
    match encoding:
        case "gzip":
            return gzip.compress(body)
        case "deflate":
            return zlib.compress(body)
        case _:  # "garbage": labelled compressed, but not
            return body


_charsets = st.sampled_from(
    ["utf-8", "latin-1", "utf-16", "rot13", "base64", "idna", "undefined", "punycode", "x"]
) | st.text(
    st.characters(min_codepoint=0x21, max_codepoint=0x7E, exclude_characters=";"), max_size=12
)
_wire_bodies = st.one_of(
    st.binary(max_size=200),
    json_values.map(lambda value: json.dumps({"result": {"error": "", "sms": value}}).encode()),
    st.builds(
        lambda rows: json.dumps({"result": {"error": "", "sms": rows}}).encode("utf-8", "replace"),
        st.lists(json_objects, max_size=3),
    ),
    st.just(
        b'{"result":{"error":"","sms":[{"guid":"G\\ud83d","number":"+1","timestamp_unix":1}]}}'
    ),
)


@WIRE
@given(
    status=st.sampled_from([200, 200, 200, 201, 301, 400, 401, 403, 429, 500, 502]),
    charset=st.none() | _charsets,
    encoding=st.sampled_from([None, "gzip", "deflate", "garbage"]),
    body=_wire_bodies,
)
async def test_transport(
    session: aiohttp.ClientSession,
    raw_server: RawServer,
    status: int,
    charset: str | None,
    encoding: str | None,
    body: bytes,
) -> None:
    """Any answer on the wire: received SMS (clean texts), or one of the client's errors."""
    headers = {"Content-Type": "application/json" + (f"; charset={charset}" if charset else "")}
    if encoding is not None:
        headers["Content-Encoding"] = "gzip" if encoding == "garbage" else encoding
        body = _compress(body, encoding)
    raw_server.answer = RawAnswer(status, headers, body)
    client = SmsMobileApiClient(
        session, ApiKeyCredentials(API_KEY), base_url=raw_server.url, request_timeout=5
    )

    error: SmsGatewayError | None = None
    try:
        listed = await client.get_received_sms()
    except SmsGatewayError as err:
        error = err
    if error is not None:
        assert API_KEY not in str(error)
        assert API_KEY not in repr(error)
        assert error.__context__ is None or isinstance(error.__context__, SmsGatewayError)
        return
    assert_clean(listed)
    assert all(_is_utc(sms.received_at) for sms in listed)
    assert isinstance(listed, tuple)
