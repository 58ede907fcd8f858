"""Webhook parsing and signature checks of SMSMobileAPI's pushes (legacy and V2)."""

from datetime import UTC, datetime, timedelta
import json
from pathlib import Path
from typing import Any, Literal

import aiohttp
import pytest

from custom_components.smsmobileapi.api import (
    ApiKeyCredentials,
    Call,
    CallEvent,
    CallType,
    Channel,
    IgnoredEvent,
    MessageStatusEvent,
    ReceivedSms,
    SmsMobileApiClient,
    SmsReceivedEvent,
    WebhookDelivery,
    WebhookPayloadError,
    WebhookSignatureError,
    WhatsAppEvent,
)
from custom_components.smsmobileapi.api.smsmobileapi.webhook import (
    HEADER_EVENT_ID,
    HEADER_SIGNATURE,
    HEADER_TIMESTAMP,
    is_signed,
    parse_webhook,
    sign,
    verify_signature,
)
from smsmobileapi_simulator import WebhookTarget, build_v2_request, sign_v2

from .conftest import NOW, NOW_UNIX, Receiver, Sim

VENDOR_FIXTURES = Path(__file__).parents[1] / "fixtures" / "webhook_v2"
SECRET = "whsec-api-tests-42"


def _vendor(name: str) -> bytes:
    return (VENDOR_FIXTURES / f"{name}.json").read_bytes()


def _v2(event_type: str, data: object, **envelope: Any) -> bytes:  # noqa: ANN401
    payload = {
        "id": "evt-1",
        "type": event_type,
        "api_version": "2026-09-22",
        "created_at": "2026-09-23T12:00:01Z",
        "occurred_at": "2026-09-23T12:00:00Z",
        "data": data,
        **envelope,
    }
    return json.dumps({k: v for k, v in payload.items() if v is not None}).encode()


# --- signatures -------------------------------------------------------------------------------


def test_sign_matches_the_simulator() -> None:
    """The client's signature is the one the (independently written) simulator computes."""
    body = b'{"id":"x"}'

    assert sign(SECRET, NOW_UNIX, body) == sign_v2(SECRET, NOW_UNIX, body)
    assert sign(SECRET, NOW_UNIX, body).startswith("v1=")


def test_verify_signed_request() -> None:
    """A fresh request signed with the secret passes, whatever the header names' case."""
    headers, body = build_v2_request("sms.received", {"guid": "G"}, SECRET, NOW)
    lowered = {name.lower(): value for name, value in headers.items()}

    verify_signature(SECRET, headers, body, now=NOW)
    verify_signature(SECRET, lowered, body, now=NOW + timedelta(seconds=300))
    verify_signature(SECRET, lowered, body, now=NOW - timedelta(seconds=300))
    assert is_signed(lowered)
    assert not is_signed({"Content-Type": "application/json"})


def test_verify_rotated_secrets() -> None:
    """Several comma-separated signatures: one valid is enough."""
    body = b"{}"
    headers = {
        HEADER_TIMESTAMP: str(NOW_UNIX),
        HEADER_SIGNATURE: f"v1=deadbeef, {sign(SECRET, NOW_UNIX, body)}",
    }

    verify_signature(SECRET, headers, body, now=NOW)


@pytest.mark.parametrize(
    ("secret", "body_suffix", "now", "message"),
    [
        ("other-secret", b"", NOW, "signature mismatch"),
        (SECRET, b" ", NOW, "signature mismatch"),
        (SECRET, b"", NOW + timedelta(seconds=301), "stale or future timestamp"),
        (SECRET, b"", NOW - timedelta(seconds=301), "stale or future timestamp"),
    ],
    ids=["wrong-secret", "tampered-body", "stale", "future"],
)
def test_verify_rejects(secret: str, body_suffix: bytes, now: datetime, message: str) -> None:
    """A wrong secret, a changed body or a timestamp over 300 s away is rejected."""
    headers, body = build_v2_request("sms.received", {"guid": "G"}, SECRET, NOW)

    with pytest.raises(WebhookSignatureError, match=f"^{message}$"):
        verify_signature(secret, headers, body + body_suffix, now=now)


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {HEADER_TIMESTAMP: str(NOW_UNIX)},
        {HEADER_SIGNATURE: "v1=00"},
        {HEADER_TIMESTAMP: "yesterday", HEADER_SIGNATURE: "v1=00"},
    ],
)
def test_verify_missing_headers(headers: dict[str, str]) -> None:
    """Without a readable timestamp and a signature the request is rejected."""
    with pytest.raises(WebhookSignatureError, match=r"^missing signature headers$"):
        verify_signature(SECRET, headers, b"{}", now=NOW)


@pytest.mark.parametrize(
    "signature",
    ["v1=é", "v1=\udcff\udcfe", "v1=\ud83d", "v1=\uff41\uff42\uff43", "\x00", "v1=abc, v1=ü"],
    ids=["latin", "escaped-bytes", "lone-surrogate", "fullwidth", "nul", "rotation"],
)
def test_verify_any_header_value(signature: str) -> None:
    """Whatever the signature header holds, a mismatch is WebhookSignatureError, nothing else.

    ``compare_digest`` raises TypeError on a str that is not ASCII: bytes are compared.
    """
    headers = {HEADER_TIMESTAMP: str(NOW_UNIX), HEADER_SIGNATURE: signature}

    with pytest.raises(WebhookSignatureError, match=r"^signature mismatch$"):
        verify_signature(SECRET, headers, b"{}", now=NOW)


# --- parsing ----------------------------------------------------------------------------------


def test_vendor_sms_received() -> None:
    """The vendor's ``sms.received`` example."""
    assert parse_webhook({}, _vendor("sms.received")) == SmsReceivedEvent(
        event_id="8e9a1207-e3a4-4550-a4af-3dad6cff5108",
        sms=ReceivedSms(
            guid="SMS-GUID-1001",
            number="+15551234567",
            message="Can you call me back?",
            received_at=datetime(2026, 9, 23, 12, tzinfo=UTC),
            phone_id="office-phone-1",
            alias="Taylor",
        ),
    )


def test_vendor_call_missed() -> None:
    """The vendor's ``call.missed`` example (naive ``call_at`` is UTC)."""
    assert parse_webhook({}, _vendor("call.missed")) == CallEvent(
        event_id="7b48758f-9f9c-4f95-a32e-494c871e3e4c",
        call=Call(
            call_type=CallType.MISSED,
            number="+15557654321",
            call_at=datetime(2026, 9, 23, 13, 10, tzinfo=UTC),
            name="Morgan",
            duration=0,
        ),
        phone_id="support-phone-1",
    )


def test_vendor_whatsapp() -> None:
    """The vendor's WhatsApp message and voice-transcript examples."""
    assert parse_webhook({}, _vendor("whatsapp.received")) == WhatsAppEvent(
        event_id="a7b43a66-b6e4-43f6-9079-b8b7057bd9c3",
        kind="received",
        guid="WA-GUID-3001",
        number="+15559876543",
        name="Jordan",
        text="Is my order ready?",
        at=datetime(2026, 9, 23, 14, 20, tzinfo=UTC),
        voice=False,
    )
    assert parse_webhook({}, _vendor("whatsapp.voice.transcribed")) == WhatsAppEvent(
        event_id="cb762b66-7a2a-4ba2-af66-a331be9159a9",
        kind="voice_transcribed",
        guid="WA-GUID-3002",
        number="+15559876543",
        name="Jordan",
        text="Please call me when the package is available.",
        at=datetime(2026, 9, 23, 14, 25, tzinfo=UTC),
        voice=True,
    )


def test_legacy_payload() -> None:
    """The unsigned legacy payload has no event id; ``time_received`` is the reception time."""
    body = (
        b'{"date":"2025-01-20","hour":"10:15:00","time_received":"2025-01-20 10:14:50",'
        b'"message":"Hello, this is a test.","number":"+123456789","guid":"abcde12345"}'
    )

    assert parse_webhook({}, body) == SmsReceivedEvent(
        event_id=None,
        sms=ReceivedSms(
            guid="abcde12345",
            number="+123456789",
            message="Hello, this is a test.",
            received_at=datetime(2025, 1, 20, 10, 14, 50, tzinfo=UTC),
        ),
    )


def test_v2_sms_time_from_envelope_and_id_from_header() -> None:
    """No time in ``data``: ``occurred_at``; no ``id`` in the body: the Event-ID header."""
    body = _v2("sms.received", {"guid": "G", "from": "+1", "message": "m"}, id=None)

    event = parse_webhook({HEADER_EVENT_ID.lower(): "from-header"}, body)

    assert event == SmsReceivedEvent(
        event_id="from-header",
        sms=ReceivedSms(guid="G", number="+1", message="m", received_at=NOW),
    )


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            {"phone_number": "+1", "duration": "42"},
            Call(call_type=CallType.INCOMING, number="+1", call_at=NOW, duration=42),
        ),
        (
            {"number": "+1", "call_at": 1_790_164_740, "duration_seconds": 7, "name": ""},
            Call(
                call_type=CallType.INCOMING,
                number="+1",
                call_at=NOW - timedelta(minutes=1),
                duration=7,
            ),
        ),
    ],
)
def test_v2_call_variants(data: dict[str, Any], expected: Call) -> None:
    """``call_at`` falls back on ``occurred_at``; ``phone_number`` and ``duration`` accepted."""
    event = parse_webhook({}, _v2("call.incoming", data))

    assert event == CallEvent(event_id="evt-1", call=expected, phone_id=None)


@pytest.mark.parametrize(
    ("event_type", "status", "channel"),
    [
        ("sms.sent", "sent", "sms"),
        ("sms.failed", "failed", "sms"),
        ("whatsapp.sent", "sent", "whatsapp"),
        ("whatsapp.failed", "failed", "whatsapp"),
    ],
)
def test_v2_message_status(event_type: str, status: str, channel: str) -> None:
    """Delivery reports name the message by ``guid`` (or ``id``)."""
    event = parse_webhook({}, _v2(event_type, {"id": "MSG-1"}))

    assert event == MessageStatusEvent(
        event_id="evt-1", guid="MSG-1", status=status, channel=channel
    )


def test_v2_whatsapp_voice_flag() -> None:
    """A received WhatsApp voice message is flagged; ``data_id`` and ``number`` accepted."""
    data = {"data_id": "D", "number": "+1", "is_voice_message": True}

    event = parse_webhook({}, _v2("whatsapp.received", data))

    assert event == WhatsAppEvent(
        event_id="evt-1",
        kind="received",
        guid="D",
        number="+1",
        name=None,
        text="",
        at=NOW,
        voice=True,
    )


@pytest.mark.parametrize(
    ("event_type", "data", "status", "channel"),
    [
        ("sms.api.submitted", {"guid": "MSG-1", "to": "+1"}, "queued", "sms"),
        ("whatsapp.submitted", {"id": "MSG-1"}, "queued", "whatsapp"),
        ("sms.mobile.sent", {"guid": "MSG-1", "number": "+1"}, "sent", "sms"),
    ],
)
def test_v2_submitted_and_mobile_sent(
    event_type: str, data: dict[str, Any], status: str, channel: str
) -> None:
    """Submitted messages are queued; an SMS the phone sent is sent, when they name a message."""
    assert parse_webhook({}, _v2(event_type, data)) == MessageStatusEvent(
        event_id="evt-1", guid="MSG-1", status=status, channel=channel
    )


@pytest.mark.parametrize(
    "event_type", ["sms.api.submitted", "whatsapp.submitted", "sms.mobile.sent"]
)
def test_v2_status_without_message_ignored(event_type: str) -> None:
    """Without a guid (an SMS sent by hand on the phone, say) there is nothing to report on."""
    assert parse_webhook({}, _v2(event_type, {"number": "+1", "guid": ""})) == IgnoredEvent(
        event_id="evt-1", event_type=event_type
    )


@pytest.mark.parametrize("event_type", ["email.sent", "email.received", "brand.new"])
def test_v2_other_types_ignored(event_type: str) -> None:
    """Types the integration does not act on are acknowledged and ignored."""
    assert parse_webhook({}, _v2(event_type, {})) == IgnoredEvent(
        event_id="evt-1", event_type=event_type
    )


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"not json", "body is not JSON"),
        (b"[" * 100_000 + b"]" * 100_000, "body is not JSON"),
        (b"[1, 2]", "body is not a JSON object"),
        (b'{"number": "+1"}', "missing field 'guid' in sms"),
        (
            _v2("sms.received", {"guid": "G", "from": "+1"}, id=None),
            "missing field 'id' in webhook",
        ),
        (_v2("", {}), "missing field 'type' in webhook"),
        (_v2("call.missed", "nope"), "expected an object for 'data'"),
        (_v2("call.missed", {"number": "+1"}, occurred_at=None), "missing field 'call_at' in data"),
        (_v2("call.missed", {"call_at": "2026-09-23 12:00:00"}), "missing field 'number' in data"),
        (_v2("sms.sent", {}), "missing field 'guid' in data"),
        (_v2("whatsapp.received", {"guid": "G"}), "missing field 'from' in data"),
    ],
)
def test_unreadable_webhooks(body: bytes, message: str) -> None:
    """Every unreadable request raises WebhookPayloadError naming the problem, nothing else."""
    with pytest.raises(WebhookPayloadError) as caught:
        parse_webhook({}, body)

    assert str(caught.value) == message


# --- end to end: the simulator pushes, the client verifies and parses ---------------------------


@pytest.mark.parametrize("webhook_format", ["legacy", "v2"])
async def test_pushed_by_simulator(
    sim: Sim, receiver: Receiver, webhook_format: Literal["legacy", "v2"]
) -> None:
    """What the simulator pushes over HTTP verifies (V2) and parses to the stored SMS."""
    sim.state.webhook = WebhookTarget(
        receiver.url, webhook_format, SECRET if webhook_format == "v2" else None
    )
    sms = sim.state.add_received_sms(
        sim.account, "+32470000031", "Pushed", received_at=NOW - timedelta(seconds=5), push=True
    )
    await sim.server.drain_webhooks()

    [(headers, body)] = receiver.received
    if webhook_format == "v2":
        verify_signature(SECRET, headers, body, now=NOW)
    else:
        assert not is_signed(headers)
    event = parse_webhook(headers, body)
    assert isinstance(event, SmsReceivedEvent)
    assert (event.event_id is None) == (webhook_format == "legacy")
    assert event.sms == ReceivedSms(
        guid=sms.guid,
        number="+32470000031",
        message="Pushed",
        received_at=NOW - timedelta(seconds=5),
        phone_id="phone-a" if webhook_format == "v2" else None,
    )


# --- text from outside ------------------------------------------------------------------------


def test_lone_surrogates_never_reach_an_event() -> None:
    """A truncated emoji in a body or a header becomes U+FFFD in every text of the event."""
    legacy = (
        b'{"guid":"G\\ud83d","number":"+1","message":"Hi \\ud83d",'
        b'"time_received":"2026-09-23 12:00:00"}'
    )
    event = parse_webhook({}, legacy)
    assert isinstance(event, SmsReceivedEvent)
    assert (event.sms.guid, event.sms.message) == ("G\ufffd", "Hi \ufffd")

    body = _v2("whatsapp.received", {"guid": "W", "from": "+1", "contact_name": "\ud83d"}, id=None)
    event = parse_webhook({HEADER_EVENT_ID: "evt-\udcff"}, body)
    assert isinstance(event, WhatsAppEvent)
    assert (event.event_id, event.name) == ("evt-\ufffd", "\ufffd")

    ignored = parse_webhook({}, _v2("brand.new\ude00", {}))
    assert ignored == IgnoredEvent(event_id="evt-1", event_type="brand.new\ufffd")


# --- read_webhook: what the integration calls -------------------------------------------------


@pytest.fixture
async def reader(session: aiohttp.ClientSession) -> SmsMobileApiClient:
    """A client used only to read pushed requests (no request is made)."""
    return SmsMobileApiClient(session, ApiKeyCredentials("unused"))


def test_read_signed_webhook(reader: SmsMobileApiClient) -> None:
    """With the secret: verified, parsed and marked signed."""
    headers, body = build_v2_request("sms.sent", {"guid": "MSG-1"}, SECRET, NOW, event_id="e-1")

    assert reader.read_webhook(headers, body, secret=SECRET, now=NOW) == WebhookDelivery(
        event=MessageStatusEvent(event_id="e-1", guid="MSG-1", status="sent", channel="sms"),
        signed=True,
    )
    with pytest.raises(WebhookSignatureError):
        reader.read_webhook(headers, body, secret="other-secret", now=NOW)


def test_read_unsigned_webhook(reader: SmsMobileApiClient) -> None:
    """Without a secret nothing is verified: the delivery says it is not signed."""
    delivery = reader.read_webhook({}, _vendor("sms.received"), secret=None, now=NOW)

    assert delivery.signed is False
    assert isinstance(delivery.event, SmsReceivedEvent)


def test_signed_body_needs_its_own_id(reader: SmsMobileApiClient) -> None:
    """A signed V2 body without ``id`` is refused: the Event-ID header is not signed.

    Unsigned, the header still stands in (it is no less trusted than the body then).
    """
    body = _v2("sms.received", {"guid": "G", "from": "+1", "message": "m"}, id=None)
    headers = {
        HEADER_EVENT_ID: "chosen-by-anyone",
        HEADER_TIMESTAMP: str(NOW_UNIX),
        HEADER_SIGNATURE: sign(SECRET, NOW_UNIX, body),
    }

    with pytest.raises(WebhookPayloadError, match=r"^missing field 'id' in webhook$"):
        reader.read_webhook(headers, body, secret=SECRET, now=NOW)
    with pytest.raises(WebhookPayloadError, match=r"^missing field 'id' in webhook$"):
        parse_webhook(headers, body, signed=True)
    unsigned = reader.read_webhook(headers, body, secret=None, now=NOW)
    assert isinstance(unsigned.event, SmsReceivedEvent)
    assert unsigned.event.event_id == "chosen-by-anyone"


async def test_status_events_pushed_by_simulator(
    client: SmsMobileApiClient, sim: Sim, receiver: Receiver
) -> None:
    """A send's pushed steps read as status events naming the guid the send answered."""
    sim.state.webhook = WebhookTarget(receiver.url, "v2", SECRET, message_events=True)

    result = await client.send_message("+32470000031", "Hi", channel=Channel.SMS_WHATSAPP)
    [sent] = sim.state.sent
    sim.state.push_message_event(sent, "sms.mobile.sent")
    sim.state.push_message_event(sent, "whatsapp.failed")
    await sim.server.drain_webhooks()

    events = [
        client.read_webhook(headers, body, secret=SECRET, now=NOW).event
        for headers, body in receiver.received
    ]
    statuses = {(e.guid, e.status, e.channel) for e in events if isinstance(e, MessageStatusEvent)}
    assert len(events) == 4  # deliveries run concurrently: their order is not kept
    assert statuses == {
        (result.guid, "queued", "sms"),
        (result.guid, "queued", "whatsapp"),
        (result.guid, "sent", "sms"),
        (result.guid, "failed", "whatsapp"),
    }
