"""Property-based tests: whatever the service or a webhook sender sends, nothing unhandled.

Every response parser, the client's reading of a response, the webhook parser and signature check,
and the webhook handler end to end through Home Assistant: any JSON value, any bytes, any headers
give either a result or the integration's own clear error (never another exception, never an
HTTP 500), and a refused webhook request never fires an event.

Deterministic (``derandomize``) and small (``max_examples``), so the suite stays fast and stable.
Inputs that once broke a documented contract are pinned in the ``test_known_*`` tests.
"""

from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
import json
import math
from typing import Any

from homeassistant.core import Event, HomeAssistant, callback
from hypothesis import HealthCheck, example, given, settings, strategies as st
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.smsmobileapi.api import (
    CallEvent,
    CallType,
    IgnoredEvent,
    MessageStatusEvent,
    SmsGatewayError,
    SmsGatewayInvalidResponseError,
    SmsGatewayRateLimitError,
    SmsReceivedEvent,
    WebhookPayloadError,
    WebhookSignatureError,
    WhatsAppEvent,
    parsing,
)
from custom_components.smsmobileapi.api.smsmobileapi import parsing as sms_parsing
from custom_components.smsmobileapi.api.smsmobileapi.errors import raise_for_answer
from custom_components.smsmobileapi.api.smsmobileapi.webhook import (
    HEADER_EVENT_ID,
    HEADER_SIGNATURE,
    HEADER_TIMESTAMP,
    parse_webhook,
    sign,
    verify_signature,
)
from custom_components.smsmobileapi.const import CONF_WEBHOOK_SECRET, DOMAIN, WEBHOOK_MAX_BODY

from .conftest import API_KEY, NOW, WEBHOOK_ID

SECRET = "whsec-fuzz-0123456789"
URL = f"/api/webhook/{WEBHOOK_ID}"
FAST = settings(max_examples=100, derandomize=True, deadline=None, database=None)
HA = settings(
    max_examples=40,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)

# Field names the parsers look at: generated objects use them often, to reach deep branches.
FIELDS = [
    "guid",
    "guid_message",
    "number",
    "from",
    "numero",
    "message",
    "timestamp_unix",
    "time_received",
    "received_at",
    "date",
    "hour",
    "sIdentifiantPhone",
    "device_id",
    "sIdentifiant",
    "alias",
    "id",
    "call_date_ms",
    "call_datetime_utc",
    "phone_number",
    "cached_name",
    "name",
    "duration_sec",
    "duration",
    "geo_location",
    "sIdentifiant_pour_check",
    "sid",
    "label",
    "nom_reference",
    "online",
    "battery",
    "version",
    "last_seen",
    "items",
    "result",
    "mobiles",
    "mobile",
    "connected_limit",
    "connected_now",
    "datetime",
    "note",
    "send_with_whatsapp",
    "encrypted",
    "status",
    "mobile_date_ms",
    "mobile_date_formatted",
    "synchro_time",
    "conversations",
    "messages",
    "contact_alias",
    "direction",
    "timestamp_utc",
    "message_id",
    "mobile_sid",
    "rows",
    "data",
    "sms",
    "success",
    "error",
    "detail",
    "type",
    "occurred_at",
    "created_at",
    "call_at",
    "duration_seconds",
    "transcript",
    "is_voice_message",
    "contact_name",
    "data_id",
]
V2_TYPES = [
    "sms.received",
    "sms.sent",
    "sms.failed",
    "whatsapp.sent",
    "whatsapp.failed",
    "whatsapp.received",
    "whatsapp.voice.transcribed",
    "call.missed",
    "call.incoming",
    "call.outgoing",
    "email.sent",
    "other",
]

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-(10**15), max_value=10**15),
    st.floats(),
    st.text(max_size=30),
    st.from_regex(r"\s*\d{1,25}(\.\d{1,5})?\s*", fullmatch=True),
    st.datetimes(timezones=st.none() | st.timezones()).map(lambda d: d.isoformat()),
    st.sampled_from(["", "0", "1", "yes", "no", "online", "87%", "2026-09-23", "12:00:00"]),
    st.sampled_from(V2_TYPES),
)


def _objects(children: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    keys = st.sampled_from(FIELDS) | st.text(max_size=8)
    return st.dictionaries(keys, children, max_size=8)


json_values: st.SearchStrategy[Any] = st.recursive(
    scalars, lambda children: st.lists(children, max_size=5) | _objects(children), max_leaves=15
)
json_objects = _objects(json_values)


def _is_utc(moment: datetime | None) -> bool:
    return moment is None or moment.utcoffset() == timedelta(0)


def _json_text(value: object) -> str:
    return json.dumps(value)


# --- response parsers --------------------------------------------------------------------------


def _parses_or_clear_error[T](parse: Callable[[], T]) -> T | None:
    """The parse result, or None when it raised the client's own invalid-response error."""
    try:
        return parse()
    except SmsGatewayInvalidResponseError:
        return None


@FAST
@given(row=json_values)
def test_parse_received_sms(row: object) -> None:
    """Any JSON value: an SMS with a GUID, a sender and a UTC time, or a clear error."""
    sms = _parses_or_clear_error(lambda: sms_parsing.parse_received_sms(row))
    if sms is not None:
        assert sms.guid
        assert sms.number
        assert _is_utc(sms.received_at)


@FAST
@given(result=json_objects)
def test_parse_sms_list(result: dict[str, Any]) -> None:
    """Any ``result`` object: SMS oldest first, or a clear error."""
    listed = _parses_or_clear_error(lambda: sms_parsing.parse_sms_list(result))
    if listed is not None:
        times = [sms.received_at for sms in listed]
        assert times == sorted(times)


@FAST
@given(row=json_values, call_type=st.sampled_from(CallType))
def test_parse_call(row: object, call_type: CallType) -> None:
    """Any JSON value: a call of the asked type with a UTC time, or a clear error."""
    call = _parses_or_clear_error(lambda: sms_parsing.parse_call(row, call_type))
    if call is not None:
        assert call.call_type is call_type
        assert call.number
        assert _is_utc(call.call_at)


@FAST
@given(body=json_objects, call_type=st.sampled_from(CallType))
def test_parse_calls(body: dict[str, Any], call_type: CallType) -> None:
    """Any body: calls newest first, or a clear error."""
    calls = _parses_or_clear_error(lambda: sms_parsing.parse_calls(body, call_type))
    if calls is not None:
        times = [call.call_at for call in calls]
        assert times == sorted(times, reverse=True)


@FAST
@given(row=json_values)
def test_parse_phone(row: object) -> None:
    """Any JSON value: a phone with an id and a battery level 0-100 (or none), or an error."""
    phone = _parses_or_clear_error(lambda: sms_parsing.parse_phone(row))
    if phone is not None:
        assert phone.phone_id
        assert phone.battery is None or 0 <= phone.battery <= 100
        assert _is_utc(phone.last_seen)


@FAST
@given(body=json_objects)
def test_parse_phone_list(body: dict[str, Any]) -> None:
    """Any body: a list of phones, or a clear error."""
    phones = _parses_or_clear_error(lambda: sms_parsing.parse_phone_list(body))
    if phones is not None:
        assert all(phone.phone_id for phone in phones.phones)


@FAST
@given(result=json_objects)
def test_parse_send_result(result: dict[str, Any]) -> None:
    """Any ``result``: an acknowledgement with a GUID, or a clear error."""
    sent = _parses_or_clear_error(lambda: sms_parsing.parse_send_result(result))
    if sent is not None:
        assert sent.guid
        assert _is_utc(sent.queued_at)


@FAST
@given(row=json_values)
def test_parse_sent_from_mobile(row: object) -> None:
    """Any JSON value: a sent SMS with a number, or a clear error."""
    sent = _parses_or_clear_error(lambda: sms_parsing.parse_sent_from_mobile(row))
    if sent is not None:
        assert sent.number
        assert _is_utc(sent.sent_at)
        assert _is_utc(sent.synced_at)


@FAST
@given(body=json_objects)
def test_parse_conversations(body: dict[str, Any]) -> None:
    """Any body: conversations with a number each, or a clear error."""
    conversations = _parses_or_clear_error(lambda: sms_parsing.parse_conversations(body))
    if conversations is not None:
        assert all(conversation.number for conversation in conversations)


@FAST
@given(value=json_values)
def test_scalar_readers(value: object) -> None:
    """The lenient readers never raise: they answer a value or None."""
    assert _is_utc(parsing.parse_time(value))
    battery = sms_parsing.parse_battery(value)
    assert battery is None or 0 <= battery <= 100
    assert parsing.optional_bool(value) in {True, False, None}
    assert parsing.optional_int(value) is None or isinstance(parsing.optional_int(value), int)
    text = parsing.optional_str(value)
    assert text is None or (text and text == text.strip())


# --- the client's reading of a response --------------------------------------------------------


def _scrub(text: str) -> str:
    """What the client's transport does to every text of the service that reaches a message."""
    return text.replace(API_KEY, "**REDACTED**")


error_bodies = st.fixed_dictionaries(
    {},
    optional={
        "error": scalars | st.just(API_KEY) | st.sampled_from(["invalid_apikey", "api_expired"]),
        "message": scalars | st.just(f"bad key {API_KEY}"),
        "detail": scalars,
        "success": st.booleans() | scalars,
        "result": json_values
        | st.fixed_dictionaries(
            {}, optional={"error": scalars, "message": st.just(f"key={API_KEY}") | scalars}
        ),
    },
)
texts = st.one_of(
    st.text(max_size=200),
    json_values.map(_json_text),
    error_bodies.map(_json_text),
    st.just('{"result": {"error": "", "sms": []}}'),
    st.binary(max_size=100).map(lambda raw: raw.decode("utf-8", errors="replace")),
)
retry_afters = st.none() | st.text(max_size=10) | st.integers(0, 10**6).map(str)


@FAST
@given(status=st.integers(100, 599), text=texts, retry_after=retry_afters)
def test_interpret(status: int, text: str, retry_after: str | None) -> None:
    """Any status and body: the body as an object, or one of the client's errors.

    An error never carries the API key, and a success is never an HTTP error status.
    """
    error: SmsGatewayError | None = None
    try:
        body = raise_for_answer("getsms/", status, text, retry_after, _scrub)
    except SmsGatewayError as err:
        error = err
    if error is None:
        assert isinstance(body, Mapping)
        assert status < 400
        return
    assert API_KEY not in str(error)
    if isinstance(error, SmsGatewayRateLimitError):
        assert error.retry_after is None or error.retry_after >= 0


@pytest.mark.parametrize("retry_after", ["inf", "1e400", "1e12"])
def test_known_retry_after_is_bounded(retry_after: str) -> None:
    """A 429's Retry-After is finite and no longer than a day."""
    with pytest.raises(SmsGatewayRateLimitError) as caught:
        raise_for_answer("getsms/", 429, "{}", retry_after, _scrub)
    wait = caught.value.retry_after
    assert wait is None or (math.isfinite(wait) and wait <= 86400)


# --- webhook parsing and signature -------------------------------------------------------------

header_names = st.sampled_from(
    [HEADER_SIGNATURE, HEADER_TIMESTAMP, HEADER_EVENT_ID, "x-smsmobileapi-signature"]
) | st.text(min_size=1, max_size=12)
header_values = st.text(max_size=80) | st.from_regex(r"v1=[0-9a-f]{0,64}", fullmatch=True)
any_headers = st.dictionaries(header_names, header_values, max_size=5)


def _v2_payloads() -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {"type": st.sampled_from(V2_TYPES) | scalars, "data": json_values},
        optional={"id": scalars, "occurred_at": scalars, "created_at": scalars},
    )


bodies = st.one_of(
    st.binary(max_size=300),
    json_values.map(_json_text).map(str.encode),
    _v2_payloads().map(_json_text).map(str.encode),
)
_EVENTS = (SmsReceivedEvent, CallEvent, WhatsAppEvent, MessageStatusEvent, IgnoredEvent)


@FAST
@given(headers=any_headers, body=bodies)
def test_parse_webhook(headers: dict[str, str], body: bytes) -> None:
    """Any headers and bytes: one typed event, or ``WebhookPayloadError``."""
    try:
        event = parse_webhook(headers, body)
    except WebhookPayloadError:
        return
    assert isinstance(event, _EVENTS)
    if isinstance(event, SmsReceivedEvent):
        assert event.sms.guid
        assert _is_utc(event.sms.received_at)


@FAST
@given(
    secret=st.text(min_size=1, max_size=20),
    headers=any_headers,
    body=st.binary(max_size=200),
    now=st.datetimes(
        # Hypothesis wants naive bounds and adds the time zone itself.
        min_value=datetime(2000, 1, 1),  # noqa: DTZ001
        max_value=datetime(2100, 1, 1),  # noqa: DTZ001
        timezones=st.just(UTC),
    ),
)
def test_verify_signature_refuses(
    secret: str, headers: dict[str, str], body: bytes, now: datetime
) -> None:
    """Any headers and bytes: refused with ``WebhookSignatureError`` (never another error)."""
    with pytest.raises(WebhookSignatureError):
        verify_signature(secret, headers, body, now=now)


@FAST
@given(
    secret=st.text(min_size=1, max_size=20),
    body=st.binary(max_size=200),
    skew=st.integers(-300, 300),
    flip=st.integers(min_value=0),
)
def test_verify_signature_round_trip(secret: str, body: bytes, skew: int, flip: int) -> None:
    """A body signed with the secret within the tolerance passes; one changed byte does not."""
    timestamp = int(NOW.timestamp())
    headers = {HEADER_TIMESTAMP: str(timestamp + skew), HEADER_SIGNATURE: "x"}
    headers[HEADER_SIGNATURE] = sign(secret, timestamp + skew, body)
    verify_signature(secret, headers, body, now=NOW)
    changed = bytearray(body or b"\0")
    changed[flip % len(changed)] ^= 0x01
    with pytest.raises(WebhookSignatureError):
        verify_signature(secret, headers, bytes(changed), now=NOW)


_HUGE_DIGITS = "9" * 5000


@pytest.mark.parametrize("timestamp", ["9" * 400, _HUGE_DIGITS])
def test_known_huge_timestamp_header(timestamp: str) -> None:
    """A signature timestamp of hundreds of digits is refused like any bad signature."""
    headers = {HEADER_TIMESTAMP: timestamp, HEADER_SIGNATURE: "v1=00"}
    with pytest.raises(WebhookSignatureError):
        verify_signature(SECRET, headers, b"{}", now=NOW)


@pytest.mark.parametrize("field", ["id", "duration_sec"])
def test_known_huge_number_field(field: str) -> None:
    """A numeric field of thousands of digits is unreadable, not an unhandled error."""
    row = {"guid": "G", "number": "+32470000001", "timestamp_unix": 1, "phone_number": "+1"}
    row |= {"call_date_ms": 1_700_000_000_000, field: _HUGE_DIGITS}
    if field == "id":
        assert sms_parsing.parse_received_sms(row).sms_id is None
    else:
        assert sms_parsing.parse_call(row, CallType.MISSED).duration is None


# --- the webhook handler, end to end through Home Assistant ------------------------------------

_HEADER_TEXT = st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=80)
http_headers = st.dictionaries(
    st.sampled_from(
        [HEADER_SIGNATURE, HEADER_TIMESTAMP, HEADER_EVENT_ID, "Content-Type", "X-Other"]
    ),
    _HEADER_TEXT | st.from_regex(r"v1=[0-9a-f]{64}", fullmatch=True),
    max_size=4,
)
http_bodies = st.one_of(
    bodies,
    st.builds(
        lambda payload: json.dumps(payload).encode(),
        st.fixed_dictionaries(
            {
                "guid": st.text(max_size=10),
                "number": st.text(max_size=10),
                "timestamp_unix": scalars,
            },
            optional={"message": scalars, "date": scalars, "hour": scalars},
        ),
    ),
)
ACCEPTED = {200, 202}
REFUSED = {400, 401, 405, 413}


async def _request(
    hass: HomeAssistant,
    hass_client_no_auth: ClientSessionGenerator,
    method: str,
    headers: dict[str, str],
    body: bytes,
) -> tuple[int, list[Event]]:
    """Send one request to the entry's webhook; its status and our events it fired."""
    fired: list[Event] = []

    @callback
    def _on_event(event: Event) -> None:
        if str(event.event_type).startswith(f"{DOMAIN}_"):
            fired.append(event)

    unsubscribe = hass.bus.async_listen("*", _on_event)
    try:
        client = await hass_client_no_auth()
        response = await client.request(method, URL, data=body, headers=headers)
        await response.read()
        await hass.async_block_till_done()
    finally:
        unsubscribe()
    return response.status, fired


@pytest.mark.parametrize("secret", [None, SECRET])
@HA
@given(
    method=st.sampled_from(["POST", "POST", "POST", "POST", "GET", "PUT"]),
    headers=http_headers,
    body=http_bodies,
)
@example(method="POST", headers={}, body=b"x" * (WEBHOOK_MAX_BODY + 1))
@example(method="POST", headers={"Content-Type": "application/json"}, body=b"[]")
async def test_webhook_handler_any_request(
    hass: HomeAssistant,
    hass_client_no_auth: ClientSessionGenerator,
    loaded_entry: MockConfigEntry,
    secret: str | None,
    method: str,
    headers: dict[str, str],
    body: bytes,
) -> None:
    """Any method, headers and bytes: a defined status, never 500; refused fires nothing."""
    options = {CONF_WEBHOOK_SECRET: secret} if secret else {}
    if dict(loaded_entry.options) != options:
        hass.config_entries.async_update_entry(loaded_entry, options=options)
        await hass.async_block_till_done()
    status, fired = await _request(hass, hass_client_no_auth, method, headers, body)
    assert status in ACCEPTED | REFUSED
    if status not in ACCEPTED:
        assert fired == []
    if secret is not None:
        # Nothing generated here carries a valid signature: all of it is refused.
        assert status in REFUSED
        assert fired == []


async def test_known_huge_number_in_webhook(
    hass: HomeAssistant, hass_client_no_auth: ClientSessionGenerator, loaded_entry: MockConfigEntry
) -> None:
    """A legacy webhook whose optional ``id`` has 5000 digits: the id is ignored, not a 500.

    Parsing is lenient on optional fields: the SMS itself (guid, number, time) is valid.
    """
    body = json.dumps(
        {"guid": "G1", "number": "+32470000001", "timestamp_unix": 1, "id": _HUGE_DIGITS}
    ).encode()
    status, fired = await _request(hass, hass_client_no_auth, "POST", {}, body)
    assert status == 200
    assert [event.data["guid"] for event in fired] == ["G1"]
