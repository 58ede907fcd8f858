"""Reading CALLR's webhook deliveries: signatures on raw bytes, event identity, statuses, errors."""

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
import json
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestServer
import pytest

from custom_components.smsmobileapi.api import (
    CallrClient,
    IgnoredEvent,
    MessageStatusEvent,
    ReceivedSms,
    SmsReceivedEvent,
    WebhookDelivery,
    WebhookEvent,
    WebhookPayloadError,
    WebhookSignatureError,
)
from custom_components.smsmobileapi.api.callr import (
    HEADER_EVENT_ID,
    HEADER_SIGNATURE,
    parse_webhook,
    sign,
    verify_signature,
)
from custom_components.smsmobileapi.api.callr.const import MAX_WEBHOOK_BYTES
from smsmobileapi_simulator.callr import sign as simulator_sign

from .conftest import FIXTURE_SECRET, NOW, CallrSim, delivery, fixture

MO = "webhook-sms-mo.json"
MT = "webhook-sms-mt-status-update.json"
MO_EVENT = SmsReceivedEvent(
    event_id="ZK4Q2W7M",
    sms=ReceivedSms(
        guid="ZK4Q2W7M",
        number="+33612345678",
        message="Hello from my phone",
        received_at=datetime(2025, 3, 31, 15, 42, tzinfo=UTC),
    ),
)
MT_EVENT = MessageStatusEvent(
    event_id="0LWX4PQ2:RECEIVED", guid="0LWX4PQ2", status="delivered", channel="sms"
)


def _read(
    client: CallrClient, headers: dict[str, str], body: bytes, secret: str | None = FIXTURE_SECRET
) -> WebhookDelivery:
    return client.read_webhook(headers, body, secret=secret, now=NOW)


def _envelope(raw: bytes, **changes: Any) -> dict[str, Any]:  # noqa: ANN401
    payload: dict[str, Any] = json.loads(raw)
    payload.update(changes)
    return {key: value for key, value in payload.items() if value is not ...}


def _signed(payload: object, secret: str = FIXTURE_SECRET) -> tuple[dict[str, str], bytes]:
    body = json.dumps(payload, separators=(",", ":")).encode()
    return {HEADER_SIGNATURE: sign(secret, body), "Content-Type": "application/json"}, body


# --- the shipped fixtures ---------------------------------------------------------------------


@pytest.mark.parametrize(("name", "event"), [(MO, MO_EVENT), (MT, MT_EVENT)])
def test_signed_fixtures(client: CallrClient, name: str, event: WebhookEvent) -> None:
    """Both shipped deliveries verify with their secret and read as documented."""
    headers, body = delivery(name)

    assert _read(client, headers, body) == WebhookDelivery(event=event, signed=True)
    assert sign(FIXTURE_SECRET, body) == headers[HEADER_SIGNATURE]
    assert sign(FIXTURE_SECRET, body) == simulator_sign(FIXTURE_SECRET, body)


@pytest.mark.parametrize(("name", "event"), [(MO, MO_EVENT), (MT, MT_EVENT)])
def test_unsigned_reading(client: CallrClient, name: str, event: WebhookEvent) -> None:
    """Without a secret the delivery is read, signature or not, and marked unsigned."""
    headers, body = delivery(name)
    del headers[HEADER_SIGNATURE]

    assert _read(client, headers, body, secret=None) == WebhookDelivery(event=event, signed=False)


def test_header_names_and_padding(client: CallrClient) -> None:
    """Header names in any case; spaces around the signature ignored."""
    headers, body = delivery(MO)
    lowered = {name.lower(): f" {value} " for name, value in headers.items()}

    assert _read(client, lowered, body).signed is True


# --- signatures -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(lambda h, b: ({**h, HEADER_SIGNATURE: sign("other", b)}, b), id="wrong-key"),
        pytest.param(lambda h, b: (h, b.replace(b"Hello", b"Hallo")), id="altered-body"),
        pytest.param(lambda h, b: (h, b + b"\n"), id="extra-byte"),
        pytest.param(lambda h, b: (h, json.dumps(json.loads(b)).encode()), id="reserialised-body"),
        pytest.param(
            lambda h, b: ({k: v for k, v in h.items() if k != HEADER_SIGNATURE}, b), id="missing"
        ),
        pytest.param(lambda h, b: ({**h, HEADER_SIGNATURE: ""}, b), id="empty"),
        pytest.param(lambda h, b: ({**h, HEADER_SIGNATURE: "é" * 44}, b), id="non-ascii"),
        pytest.param(
            lambda h, b: ({**h, HEADER_SIGNATURE: h[HEADER_SIGNATURE] + "\udc80"}, b),
            id="surrogate",
        ),
        pytest.param(
            lambda h, b: ({**h, HEADER_SIGNATURE: h[HEADER_SIGNATURE].lower()}, b), id="case"
        ),
        pytest.param(lambda h, b: ({**h, HEADER_SIGNATURE: 42}, b), id="not-text"),
    ],
)
def test_bad_signatures(client: CallrClient, tamper: Any) -> None:  # noqa: ANN401
    """Anything but base64(HMAC-SHA256(secret, raw body)) is refused, with that error only."""
    headers, body = tamper(*delivery(MO))

    with pytest.raises(WebhookSignatureError):
        _read(client, headers, body)


def test_verify_signature_alone() -> None:
    """The helper checks the raw bytes only (no JSON needed)."""
    verify_signature("k", {HEADER_SIGNATURE: sign("k", b"not json")}, b"not json")
    with pytest.raises(WebhookSignatureError, match="missing signature header"):
        verify_signature("k", {}, b"")


# --- identity: retries and re-pushes are duplicates --------------------------------------------


@pytest.mark.parametrize(("name", "event"), [(MO, MO_EVENT), (MT, MT_EVENT)])
def test_retry_and_repush_are_the_same_event(
    client: CallrClient, name: str, event: WebhookEvent
) -> None:
    """A retry (new ``try``) or a re-push (new ``event_id``, another hook) keeps the identity."""
    _, raw = delivery(name)
    retried = _signed(_envelope(raw, **{"try": 3}))
    repushed = _signed(_envelope(raw, event_id="x" * 32, hook_hash=None, event_at=...))

    assert _read(client, *retried).event == event
    assert _read(client, *repushed).event == event


# --- statuses ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("SENT", "sent"),
        ("RECEIVED", "delivered"),
        ("ERROR", "failed"),
        ("FAILED", "failed"),
        ("EXPIRED", "failed"),
        ("failed", "failed"),
        ("CREATED", None),
        ("PENDING", None),
        ("REMOTE_QUEUED", None),
        ("SOMETHING_NEW", None),
    ],
)
def test_status_mapping(client: CallrClient, status: str, expected: str | None) -> None:
    """SENT → sent, RECEIVED (handset) → delivered, the three failures → failed; others ignored."""
    _, raw = delivery(MT)
    payload = _envelope(raw)
    payload["data"]["status"] = status

    event = _read(client, *_signed(payload)).event

    event_id = f"0LWX4PQ2:{status.upper()}"
    if expected is None:
        assert event == IgnoredEvent(event_id=event_id, event_type="sms.mt.status_update")
    else:
        assert event == MessageStatusEvent(
            event_id=event_id, guid="0LWX4PQ2", status=expected, channel="sms"
        )


# --- other types ------------------------------------------------------------------------------


def test_unknown_type_is_ignored(client: CallrClient) -> None:
    """Any other type is acknowledged and ignored, under CALLR's event id."""
    _, raw = delivery(MO)

    event = _read(client, *_signed(_envelope(raw, type="call.inbound_start", data=[]))).event

    assert event == IgnoredEvent(
        event_id="c5df14852226895334vk6tjqfCS3PFEG", event_type="call.inbound_start"
    )


def test_unknown_type_with_the_header_id(client: CallrClient) -> None:
    """Without ``event_id`` in the body, the ``X-CALLR-EventId`` header names it."""
    _, raw = delivery(MO)
    headers, body = _signed(_envelope(raw, type="media.new", event_id=...))
    headers[HEADER_EVENT_ID] = "HEADER-ID-1"

    assert _read(client, headers, body).event == IgnoredEvent(
        event_id="HEADER-ID-1", event_type="media.new"
    )


# --- what cannot be read ----------------------------------------------------------------------


def _mo(**data_changes: Any) -> dict[str, Any]:  # noqa: ANN401
    _, raw = delivery(MO)
    payload = _envelope(raw)
    payload["data"].update(data_changes)
    payload["data"] = {k: v for k, v in payload["data"].items() if v is not ...}
    return payload


def test_sms_mo_date_fallbacks(client: CallrClient) -> None:
    """No date_received: date_creation, then the event's ``event_at``."""
    no_received = _mo(date_received="0000-00-00 00:00:00")
    no_dates = _mo(date_received=..., date_creation="0000-00-00 00:00:00")

    first = _read(client, *_signed(no_received)).event
    second = _read(client, *_signed(no_dates)).event

    assert isinstance(first, SmsReceivedEvent)
    assert isinstance(second, SmsReceivedEvent)
    assert first.sms.received_at == datetime(2025, 3, 31, 15, 42, tzinfo=UTC)
    assert second.sms.received_at == datetime(2025, 3, 31, 15, 42, 0, 533_000, tzinfo=UTC)


_, _MO_RAW = delivery(MO)


@pytest.mark.parametrize(
    ("payload", "match"),
    [
        (b"", "not a JSON object"),
        (b"not json", "not a JSON object"),
        (b"[]", "not a JSON object"),
        (b"\xff\xfe{}", "not a JSON object"),
        (b"[" * 100_000, "not a JSON object"),
        (b'{"try": 1e999999}', "'type'"),
        (_envelope(_MO_RAW, type=...), "'type'"),
        (_envelope(_MO_RAW, type=None), "'type'"),
        (_envelope(_MO_RAW, type=7), "'type'"),
        (_envelope(_MO_RAW, type="sms mo"), "'type'"),
        (_envelope(_MO_RAW, type="x" * 200), "'type'"),
        (_envelope(_MO_RAW, data=...), "'sms'"),
        (_envelope(_MO_RAW, data=[]), "'sms'"),
        (_envelope(_MO_RAW, data="ZK4Q2W7M"), "'sms'"),
        (_mo(hash=...), "'hash'"),
        (_mo(hash="ZK4Q:2W7M"), "'hash'"),
        (_mo(hash="Z" * 65), "'hash'"),
        (_mo(**{"from": ""}), "'from'"),
        (_mo(**{"from": {"number": 1}}), "'from'"),
        (
            _envelope(_MO_RAW, event_at=...)
            | {"data": _mo(date_received=..., date_creation=...)["data"]},
            "'date_received'",
        ),
        (_envelope(_MO_RAW, type="sms.mt.status_update", data=_mo(status=...)["data"]), "'status'"),
        (
            _envelope(_MO_RAW, type="sms.mt.status_update", data=_mo(status="NEW STATUS")["data"]),
            "'status'",
        ),
        (_envelope(_MO_RAW, type="sms.mt.status_update", data=_mo(status=[])["data"]), "'status'"),
        (_envelope(_MO_RAW, type="sms.mt.status_update", data=None), "'data'"),
        (_envelope(_MO_RAW, type="other", event_id=...), "'event_id'"),
        (_envelope(_MO_RAW, type="other", event_id=""), "'event_id'"),
        (_envelope(_MO_RAW, type="other", event_id=12), "'event_id'"),
    ],
)
def test_unreadable_deliveries(client: CallrClient, payload: object, match: str) -> None:
    """Malformed JSON, wrong shapes, missing or weird fields: ``WebhookPayloadError`` only."""
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    headers = {HEADER_SIGNATURE: sign(FIXTURE_SECRET, body)}

    with pytest.raises(WebhookPayloadError, match=match) as caught:
        _read(client, headers, body)

    assert caught.value.__cause__ is None


def test_too_large_before_the_signature(client: CallrClient) -> None:
    """A body over the cap is refused before any HMAC is computed, signed or not."""
    body = b" " * (MAX_WEBHOOK_BYTES + 1)

    with pytest.raises(WebhookPayloadError, match="too large"):
        _read(client, {}, body)
    with pytest.raises(WebhookPayloadError, match="too large"):
        parse_webhook({}, body)


def test_lone_surrogates_in_the_text(client: CallrClient) -> None:
    """A JSON escape of a lone surrogate becomes U+FFFD (the text stays encodable)."""
    body = json.dumps(_mo(text="bad \udc80 text", **{"from": "+3361\ud800"})).encode()

    event = _read(client, {HEADER_SIGNATURE: sign(FIXTURE_SECRET, body)}, body).event

    assert isinstance(event, SmsReceivedEvent)
    assert (event.sms.message, event.sms.number) == ("bad \ufffd text", "+3361\ufffd")


# --- end to end with the simulator's pushes ----------------------------------------------------

SECRET = "hook-secret-e2e"


@dataclass
class Hook:
    """A loopback webhook endpoint that reads each delivery with the client."""

    client: CallrClient
    events: list[WebhookEvent] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    server: TestServer | None = None

    async def handle(self, request: web.Request) -> web.Response:
        """Answer 200 to a readable signed delivery, 401 or 400 otherwise."""
        try:
            read = self.client.read_webhook(
                dict(request.headers), await request.read(), secret=SECRET, now=NOW
            )
        except WebhookSignatureError:
            self.refused.append("signature")
            return web.Response(status=401)
        except WebhookPayloadError:  # pragma: no cover - the simulator sends readable ones
            self.refused.append("payload")
            return web.Response(status=400)
        self.events.append(read.event)
        return web.Response(status=200)

    @property
    def url(self) -> str:
        """The endpoint's URL."""
        assert self.server is not None
        return str(self.server.make_url("/hook"))


@pytest.fixture
async def hook(client: CallrClient, socket_enabled: None) -> AsyncIterator[Hook]:
    """The endpoint, running."""
    endpoint = Hook(client)
    app = web.Application()
    app.router.add_post("/hook", endpoint.handle)
    endpoint.server = TestServer(app, host="127.0.0.1")
    await endpoint.server.start_server()
    yield endpoint
    await endpoint.server.close()


async def test_pushed_sms_is_the_polled_sms(
    client: CallrClient, callr: CallrSim, hook: Hook
) -> None:
    """The pushed ``sms.mo`` and the polled SMS share the hash: one identity for dedup."""
    callr.state.webhooks.subscribe(callr.account, "sms.mo", hook.url, hmac_secret=SECRET)
    sms = callr.state.add_incoming(callr.account, "+33612345678", "Hello")
    await callr.server.drain_webhooks()

    [event] = hook.events
    [polled] = await client.get_received_sms()
    assert isinstance(event, SmsReceivedEvent)
    assert event.event_id == event.sms.guid == polled.guid == sms.hash
    assert event.sms == polled


async def test_duplicates_retries_and_repushes_share_ids(
    client: CallrClient, callr: CallrSim, hook: Hook
) -> None:
    """A forced duplicate, a retry after a bad signature and a per-SMS re-push: same ids."""
    state = callr.state
    state.webhooks.subscribe(callr.account, "sms.mo", hook.url, hmac_secret=SECRET)
    state.webhooks.subscribe(callr.account, "sms.mt.status_update", hook.url, hmac_secret=SECRET)
    sent = state.send_sms(
        callr.account,
        "+33612345678",
        "Question?",
        options={"webhook": {"endpoint": hook.url, "hmac_secret": SECRET}},
    )
    state.webhooks.force_duplicates(1)
    state.webhooks.force_bad_signatures(1)
    state.set_status(sent, "SENT")  # duplicated, first try badly signed then retried
    state.set_status(sent, "RECEIVED")  # subscription and per-SMS webhook
    state.add_incoming(callr.account, "+33612345678", "Answer", in_reply_to=sent.hash)
    await callr.server.drain_webhooks()

    assert hook.refused == ["signature"]
    ids = [event.event_id or "" for event in hook.events]
    reply = callr.account.incoming[0].hash
    assert sorted(ids) == sorted(
        [f"{sent.hash}:SENT"] * 3 + [f"{sent.hash}:RECEIVED"] * 2 + [reply] * 2
    )
    assert len({event.event_id for event in hook.events}) == 3
    statuses = {e.status for e in hook.events if isinstance(e, MessageStatusEvent)}
    assert statuses == {"sent", "delivered"}
    deliveries = state.webhooks.deliveries
    assert len({d.event_id for d in deliveries}) > len(set(ids))  # CALLR's ids differ


def test_fixture_files_have_the_documented_secret() -> None:
    """The fixtures name the secret this module uses."""
    assert fixture(MO)["hmac_secret"] == fixture(MT)["hmac_secret"] == FIXTURE_SECRET
