"""Property-based tests of the CALLR parsers, the answer classifier and the webhook reader.

Any JSON value, any body, any status, any bytes and headers give either a result or one of the
documented errors (never another exception), every text returned is valid Unicode (no lone
surrogate), every time is UTC, and the password never shows in a message.

Deterministic (``derandomize``) and small (``max_examples``), so the suite stays fast and stable.
"""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
import json
from typing import Any, cast

import aiohttp
from hypothesis import event, example, given, settings, strategies as st

from custom_components.smsmobileapi.api import (
    CallrClient,
    CallrCredentials,
    IgnoredEvent,
    MessageStatusEvent,
    SmsGatewayError,
    SmsGatewayInvalidResponseError,
    SmsReceivedEvent,
    WebhookDelivery,
    WebhookPayloadError,
    WebhookSignatureError,
)
from custom_components.smsmobileapi.api.callr import HEADER_EVENT_ID, HEADER_SIGNATURE, sign
from custom_components.smsmobileapi.api.callr.errors import read_answer
from custom_components.smsmobileapi.api.callr.parsing import (
    clean,
    parse_received_sms,
    parse_send_result,
    parse_sent_message,
    parse_time,
)
from custom_components.smsmobileapi.api.callr.transport import Transport

from .conftest import LOGIN, NOW, PASSWORD

SECRET = "callr-fuzz-secret"
CREDENTIALS = CallrCredentials(LOGIN, PASSWORD)
FAST = settings(max_examples=150, derandomize=True, deadline=None, database=None)
# read_webhook and _scrub never touch the session.
OFFLINE = cast("aiohttp.ClientSession", object())
CLIENT = CallrClient(OFFLINE, CREDENTIALS)
SCRUB = Transport(OFFLINE, CREDENTIALS, base_url="http://x", request_timeout=1).scrub

FIELDS = [
    "type",
    "hash",
    "from",
    "to",
    "text",
    "options",
    "status",
    "status_error",
    "parts",
    "date_creation",
    "date_update",
    "date_sent",
    "date_received",
    "event_id",
    "event_at",
    "hook_hash",
    "try",
    "data",
    "code",
    "message",
    "push_url",
]
STATUSES = ["CREATED", "PENDING", "SENT", "REMOTE_QUEUED", "RECEIVED", "ERROR", "FAILED", "EXPIRED"]
# Any code point, lone surrogates included (JSON escapes can produce them).
any_text = st.text(st.characters(exclude_categories=()), max_size=30)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    any_text,
    st.from_regex(r"[A-Z0-9]{8}", fullmatch=True),
    st.datetimes(timezones=st.none() | st.timezones()).map(lambda d: d.isoformat(sep=" ")),
    st.sampled_from(
        [
            "",
            "0000-00-00 00:00:00",
            "2025-03-31 15:42:00",
            "0001-01-01T00:00:00+01:00",
            "9999-12-31T23:59:59-01:00",
            "+33612345678",
            "IN",
            "OUT",
            "success",
            "error",
            "sms.mo",
            "sms.mt.status_update",
            PASSWORD,
            *STATUSES,
        ]
    ),
)


def _objects(children: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    return st.dictionaries(st.sampled_from(FIELDS) | any_text, children, max_size=8)


json_values: st.SearchStrategy[Any] = st.recursive(
    scalars, lambda children: st.lists(children, max_size=4) | _objects(children), max_leaves=20
)
# Naive on purpose: CALLR writes UTC dates without an offset.
EARLIEST = datetime(1, 1, 2)  # noqa: DTZ001
LATEST = datetime(9999, 12, 30)  # noqa: DTZ001
dates = st.one_of(
    st.datetimes(min_value=EARLIEST, max_value=LATEST).map(
        lambda d: d.isoformat(sep=" ", timespec="seconds")
    ),
    st.sampled_from(["0000-00-00 00:00:00", "2025-03-31T15:40:09.340Z"]),
    scalars,
)


def _mostly[T](good: st.SearchStrategy[T]) -> st.SearchStrategy[T | Any]:
    """Usually a plausible value, sometimes anything."""
    return st.sampled_from([True] * 6 + [False]).flatmap(lambda ok: good if ok else scalars)


sms_objects = st.fixed_dictionaries(
    {
        "hash": _mostly(st.from_regex(r"[A-Z0-9]{8}", fullmatch=True)),
        "type": _mostly(st.sampled_from(["IN", "OUT"])),
        "from": _mostly(st.sampled_from(["+33612345678", "SMS"])),
        "to": scalars,
        "text": scalars,
        "status": _mostly(st.sampled_from(STATUSES)),
        "date_creation": dates,
        "date_sent": dates,
        "date_received": dates,
    },
    optional={"parts": scalars, "extra": json_values},
)
envelopes = st.fixed_dictionaries(
    {
        "event_id": _mostly(st.from_regex(r"[A-Za-z0-9]{32}", fullmatch=True)),
        "event_at": dates,
        "hook_hash": scalars,
        "type": _mostly(st.sampled_from(["sms.mo", "sms.mt.status_update", "other.type"])),
        "try": scalars,
        "data": _mostly(sms_objects),
    }
)


def _valid_text(text: str) -> bool:
    text.encode()  # raises on a lone surrogate
    return True


def _is_utc(moment: datetime | None) -> bool:
    return moment is None or moment.utcoffset() == timedelta(0)


def _or_invalid[T](parse: Callable[[], T]) -> T | None:
    error: SmsGatewayInvalidResponseError | None = None
    try:
        return parse()
    except SmsGatewayInvalidResponseError as err:
        error = err
    assert PASSWORD not in str(error)
    return None


# --- text, times, SMS objects ------------------------------------------------------------------


@FAST
@given(text=any_text)
@example(text="\ud83d\ude00 joined, \ud800 alone")
def test_clean(text: str) -> None:
    """Always valid Unicode; text without surrogates is returned unchanged."""
    cleaned = clean(text)
    assert _valid_text(cleaned)
    if not any("\ud800" <= char <= "\udfff" for char in text):
        assert cleaned == text


@FAST
@given(value=json_values)
@example(value="0001-01-01T00:00:00+01:00")
@example(value="9999-12-31T23:59:59-01:00")
def test_parse_time(value: object) -> None:
    """None, or an aware UTC datetime."""
    parsed = parse_time(value)
    assert parsed is None or (parsed.tzinfo is not None and _is_utc(parsed))


@FAST
@given(row=sms_objects | json_values)
def test_parse_received_sms(row: object) -> None:
    """An SMS with a hash, a sender and a UTC time, or a clear error."""
    sms = _or_invalid(lambda: parse_received_sms(row))
    if sms is not None:
        assert sms.guid
        assert sms.number
        assert _is_utc(sms.received_at)
        assert all(map(_valid_text, (sms.guid, sms.number, sms.message)))


@FAST
@given(row=sms_objects | json_values)
def test_parse_sent_message(row: object) -> None:
    """A sent message with a hash, a lower-case status and a UTC time, or a clear error."""
    message = _or_invalid(lambda: parse_sent_message(row))
    if message is not None:
        assert message.guid
        assert message.status is None or message.status == message.status.lower()
        assert message.failure in {None, "api"}
        assert _is_utc(message.sent_at)
        assert all(map(_valid_text, (message.guid, message.message, message.recipients or "")))


@FAST
@given(data=json_values | sms_objects)
def test_parse_send_result(data: object) -> None:
    """A result with a hash and no or positive parts, or a clear error."""
    result = _or_invalid(lambda: parse_send_result(data))
    if result is not None:
        assert result.guid
        assert result.parts is None or result.parts > 0


# --- the classifier ----------------------------------------------------------------------------

bodies = st.one_of(
    any_text,
    json_values.map(json.dumps),
    st.fixed_dictionaries(
        {
            "status": st.sampled_from(["success", "error", "SUCCESS", ""]) | scalars,
            "data": json_values,
        }
    ).map(json.dumps),
    st.fixed_dictionaries(
        {
            "status": st.just("error"),
            "data": st.fixed_dictionaries({"code": scalars, "message": scalars}),
        }
    ).map(json.dumps),
)


@FAST
@given(
    status=st.integers(min_value=100, max_value=599),
    text=bodies,
    retry_after=st.none() | any_text | st.floats().map(str),
)
@example(
    status=400,
    text=json.dumps({"status": "error", "data": {"code": PASSWORD, "message": PASSWORD}}),
    retry_after=None,
)
def test_read_answer(status: int, text: str, retry_after: str | None) -> None:
    """``data``, or one error of the tree without the password, bounded Retry-After."""
    error: SmsGatewayError | None = None
    try:
        read_answer("GET /sms", status, text, retry_after, SCRUB)
    except SmsGatewayError as err:
        error = err
    if error is None:
        assert 200 <= status < 300
        return
    assert PASSWORD not in str(error)
    assert PASSWORD not in repr(vars(error))
    assert error.__cause__ is None
    retry = getattr(error, "retry_after", None)
    assert retry is None or 0 <= retry <= 3600


# --- the webhook reader -----------------------------------------------------------------------

headers_strategy = st.dictionaries(
    st.sampled_from([HEADER_SIGNATURE, HEADER_SIGNATURE.lower(), HEADER_EVENT_ID]) | any_text,
    any_text | st.from_regex(r"[A-Za-z0-9+/]{43}=", fullmatch=True),
    max_size=4,
)


def _check_delivery(read: Callable[[], WebhookDelivery]) -> WebhookDelivery | None:
    error: WebhookPayloadError | WebhookSignatureError | None = None
    try:
        delivery = read()
    except (WebhookPayloadError, WebhookSignatureError) as err:
        error = err
    if error is not None:
        assert PASSWORD not in str(error)
        event(f"{type(error).__name__}: {error}")
        return None
    event(type(delivery.event).__name__)
    received = delivery.event
    assert isinstance(received, SmsReceivedEvent | MessageStatusEvent | IgnoredEvent)
    assert received.event_id is not None
    assert _valid_text(received.event_id)
    if isinstance(received, SmsReceivedEvent):
        assert received.event_id == received.sms.guid
        assert _is_utc(received.sms.received_at)
        assert _valid_text(received.sms.message)
    if isinstance(received, MessageStatusEvent):
        assert received.status in {"sent", "delivered", "failed"}
        assert received.event_id.startswith(received.guid + ":")
    return delivery


@FAST
@given(
    body=st.binary(max_size=200) | json_values.map(lambda v: json.dumps(v).encode()),
    headers=headers_strategy,
    secret=st.none() | st.just(SECRET) | any_text,
)
def test_read_webhook_any_request(body: bytes, headers: dict[str, str], secret: str | None) -> None:
    """Any bytes and headers: a delivery or one of the two webhook errors."""
    delivery = _check_delivery(lambda: CLIENT.read_webhook(headers, body, secret=secret, now=NOW))
    if delivery is not None:
        assert delivery.signed is (secret is not None)


@FAST
@given(envelope=envelopes, tamper=st.sampled_from([False] * 9 + [True]))
def test_read_webhook_signed_envelopes(envelope: dict[str, Any], tamper: bool) -> None:
    """Well-signed envelopes of any content: an event or a payload error; tampered: refused."""
    body = json.dumps(envelope).encode()
    signature = sign(SECRET, body + b"x" if tamper else body)
    headers = {HEADER_SIGNATURE: signature}

    delivery = _check_delivery(lambda: CLIENT.read_webhook(headers, body, secret=SECRET, now=NOW))
    if tamper:
        assert delivery is None
    unsigned = _check_delivery(lambda: CLIENT.read_webhook({}, body, secret=None, now=NOW))
    if delivery is not None:
        assert unsigned is not None
        assert unsigned.event == delivery.event


def test_now_is_irrelevant() -> None:
    """No timestamp is signed: the same delivery reads the same at any time."""
    body = json.dumps({"type": "x.y", "event_id": "E1"}).encode()
    headers = {HEADER_SIGNATURE: sign(SECRET, body)}

    early = CLIENT.read_webhook(headers, body, secret=SECRET, now=datetime(2000, 1, 1, tzinfo=UTC))
    late = CLIENT.read_webhook(headers, body, secret=SECRET, now=NOW + timedelta(days=3650))

    assert (
        early
        == late
        == WebhookDelivery(event=IgnoredEvent(event_id="E1", event_type="x.y"), signed=True)
    )
