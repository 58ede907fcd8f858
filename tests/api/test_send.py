"""Sending: ``send_message`` on every channel and option, ``resend``, client-side validation."""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
import json
from typing import Any

import pytest

from custom_components.smsmobileapi.api import (
    Channel,
    SendResult,
    SmsGatewayResponseError,
    SmsMobileApiClient,
)
from smsmobileapi_simulator import Fault

from .conftest import API_KEY, NOW, NOW_UNIX, Sim, assert_no_secret

BASE_FIELDS = {"from": "homeassistant", "apikey": API_KEY}


async def test_send_sms_minimal(client: SmsMobileApiClient, sim: Sim) -> None:
    """A plain SMS posts a form with only the recipient, the text, the tag and the key."""
    result = await client.send_message("+32470000009", "Hello there")

    [request] = sim.requests_to("/sendsms/")
    assert request.method == "POST"
    assert request.query == {}
    assert request.form == {
        "recipients": "+32470000009",
        "message": "Hello there",
        **BASE_FIELDS,
    }
    assert request.headers["Accept"] == "application/json"
    [sent] = sim.state.sent
    assert sent.status == "queued"
    assert sent.sid == "phone-a"
    assert result == SendResult(
        guid=sent.guid, queued_at=NOW, note="sent by mobile", whatsapp=False, encrypted=False
    )
    assert result.queued_at is not None
    assert result.queued_at.utcoffset() == timedelta(0)


async def test_send_whatsapp_with_every_option(client: SmsMobileApiClient, sim: Sim) -> None:
    """WhatsApp only: sendwa=1, sendsms=0, waonly=yes, the number without "+", every option."""
    brussels_summer = timezone(timedelta(hours=2))
    result = await client.send_message(
        "+32470000009",
        "See https://example.com/a/very/long/path",
        channel=Channel.WHATSAPP,
        phone_id="phone-a",
        sim=2,
        schedule_at=datetime(2026, 9, 24, 8, 30, tzinfo=brussels_summer),
        shorten_urls=True,
        encrypt=True,
        media_url="https://example.com/cat.jpg",
    )

    assert sim.only_fields("/sendsms/") == {
        "recipients": "32470000009",
        "message": "See https://example.com/a/very/long/path",
        "port": "2",
        "sIdentifiant": "phone-a",
        "shorturl": "1",
        "encrypt_message": "yes",
        "url_media": "https://example.com/cat.jpg",
        "sendwa": "1",
        "sendsms": "0",
        "waonly": "yes",
        # 2026-09-24 06:30 UTC, in UTC unix seconds whatever the datetime's zone.
        "schedule_timestamp": str(NOW_UNIX + 18 * 3600 + 30 * 60),
        **BASE_FIELDS,
    }
    [sent] = sim.state.sent
    assert result == SendResult(
        guid=sent.guid, queued_at=NOW, note="sent by mobile", whatsapp=True, encrypted=True
    )


async def test_send_sms_and_whatsapp(client: SmsMobileApiClient, sim: Sim) -> None:
    """Both channels: sendwa=1 and sendsms=1, no waonly; media is allowed with WhatsApp."""
    result = await client.send_message(
        "+32470000009",
        "Both ways",
        channel=Channel.SMS_WHATSAPP,
        sim=1,
        media_url="https://example.com/doc.pdf",
    )

    assert sim.only_fields("/sendsms/") == {
        "recipients": "+32470000009",
        "message": "Both ways",
        "port": "1",
        "url_media": "https://example.com/doc.pdf",
        "sendwa": "1",
        "sendsms": "1",
        **BASE_FIELDS,
    }
    assert result.whatsapp is True
    assert result.encrypted is False


async def test_schedule_drops_sub_seconds(client: SmsMobileApiClient, sim: Sim) -> None:
    """An aware UTC schedule goes out as its unix seconds (sub-seconds dropped)."""
    await client.send_message(
        "+32470000009", "Later", schedule_at=NOW + timedelta(minutes=5, microseconds=999_999)
    )

    assert sim.only_fields("/sendsms/")["schedule_timestamp"] == str(NOW_UNIX + 300)


async def test_send_custom_source_tag(
    make_client: Callable[..., SmsMobileApiClient], sim: Sim
) -> None:
    """The ``source`` argument replaces the ``from`` tag."""
    client = make_client(source="tests")

    await client.send_message("+32470000009", "Tagged")

    assert sim.only_fields("/sendsms/")["from"] == "tests"


async def test_send_rejected_by_service(client: SmsMobileApiClient, sim: Sim) -> None:
    """An error inside ``result`` (HTTP 200) raises with the service's code and message.

    The simulator's invented variant refuses an unknown phone that way.
    """
    sim.state.variants.invented_param_errors = True
    with pytest.raises(SmsGatewayResponseError) as caught:
        await client.send_message("+32470000009", "Hi", phone_id="no-such-phone")

    assert caught.value.code == "invalid_sIdentifiant"
    assert caught.value.status == 200
    assert str(caught.value) == (
        "/sendsms/ failed with error invalid_sIdentifiant: "
        "Invalid value for sIdentifiant: no connected mobile has this SID"
    )
    assert sim.state.sent == []


_NOT_WHATSAPP_MEDIA = "media_url must be an https URL sent with WhatsApp"


@pytest.mark.parametrize(
    ("text", "kwargs", "error"),
    [
        ("", {}, "message must not be empty"),
        ("Hi", {"sender": "ACME"}, "the phone sends from its own number: no sender name"),
        ("Hi", {"sim": 3}, "sim must be 1 or 2"),
        ("Hi", {"sim": 0}, "sim must be 1 or 2"),
        ("Hi", {"media_url": "https://example.com/cat.jpg"}, _NOT_WHATSAPP_MEDIA),
        (
            "Hi",
            {"media_url": "http://example.com/cat.jpg", "channel": Channel.WHATSAPP},
            _NOT_WHATSAPP_MEDIA,
        ),
        (
            "Hi",
            {"media_url": "ftp://example.com/cat.jpg", "channel": Channel.SMS_WHATSAPP},
            _NOT_WHATSAPP_MEDIA,
        ),
    ],
)
async def test_send_validation(
    client: SmsMobileApiClient, sim: Sim, text: str, kwargs: dict[str, Any], error: str
) -> None:
    """Invalid arguments raise ValueError before anything is sent."""
    with pytest.raises(ValueError, match=f"^{error}$"):
        await client.send_message("+32470000009", text, **kwargs)

    assert sim.state.requests == []


async def test_resend_message_in_error(client: SmsMobileApiClient, sim: Sim) -> None:
    """A message sent through an offline phone is in error; resend queues it again."""
    result = await client.send_message("+32470000009", "Retry me", phone_id="phone-b")
    [sent] = sim.state.sent
    assert sent.status == "error"

    await client.resend(result.guid)

    [request] = sim.requests_to("/resend/")
    assert request.method == "POST"
    assert request.form == {"guid": result.guid, **BASE_FIELDS}
    assert sim.state.sent[0].status == "queued"


@pytest.mark.parametrize(
    ("status", "guid", "code", "detail"),
    [
        ("queued", None, "not_in_error", "Only messages in error status can be resent"),
        ("error", "0" * 40, "not_found", "No sent message has this GUID"),
    ],
)
async def test_resend_refused(
    client: SmsMobileApiClient,
    sim: Sim,
    status: str,
    guid: str | None,
    code: str,
    detail: str,
) -> None:
    """Only a known message in error can be resent; the service's refusal raises."""
    sent = sim.state.add_sent_sms(
        sim.account,
        recipients="+32470000009",
        message="Old",
        status="queued" if status == "queued" else "error",
        created_at=NOW - timedelta(hours=1),
    )

    with pytest.raises(SmsGatewayResponseError) as caught:
        await client.resend(guid or sent.guid)

    assert caught.value.code == code
    assert str(caught.value) == f"/resend/ failed with error {code}: {detail}"
    assert sent.status == status


async def test_send_result_time_is_utc(client: SmsMobileApiClient, sim: Sim) -> None:
    """The acknowledgement's ``datetime`` is read as an aware UTC time."""
    result = await client.send_message("+32470000009", "Hi")

    assert result.queued_at == datetime(2026, 9, 23, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("result", "message"),
    [
        (
            {"error": 0, "sent": "0", "id": "abc", "note": f"Daily limit reached for {API_KEY}"},
            "/sendsms/ did not send the message: Daily limit reached for **REDACTED**",
        ),
        ({"error": "", "sent": "", "id": "abc"}, "/sendsms/ did not send the message"),
        (
            {"error": 0, "id": "abc", "note": "queued?"},
            "/sendsms/ did not send the message: queued?",
        ),
        ({"error": 0, "sent": True, "id": "abc"}, "/sendsms/ did not send the message"),
        ({"error": 0, "sent": "yes", "id": "abc"}, "/sendsms/ did not send the message"),
    ],
    ids=["zero", "empty", "absent", "true", "yes"],
)
async def test_send_not_sent(
    client: SmsMobileApiClient, sim: Sim, result: dict[str, Any], message: str
) -> None:
    """``error`` 0 but ``sent`` other than "1" (or absent) is a failed send, with the note.

    The vendor's Odoo module checks ``'sent': '1'`` and shows the answer otherwise.
    """
    body = json.dumps({"result": result})
    sim.state.faults.add(Fault("status", path="/sendsms/", status=200, body=body))

    with pytest.raises(SmsGatewayResponseError) as caught:
        await client.send_message("+32470000009", "Hi")

    assert type(caught.value) is SmsGatewayResponseError
    assert (str(caught.value), caught.value.code) == (message, "not_sent")
    assert_no_secret(caught.value)


@pytest.mark.parametrize("sent", ["1", 1, " 1 "])
async def test_send_sent_flag(client: SmsMobileApiClient, sim: Sim, sent: object) -> None:
    """``sent`` "1" (or the number 1) is a message queued on the phone."""
    body = json.dumps({"result": {"error": 0, "sent": sent, "id": "abc"}})
    sim.state.faults.add(Fault("status", path="/sendsms/", status=200, body=body))

    assert await client.send_message("+32470000009", "Hi") == SendResult(guid="abc")


@pytest.mark.parametrize(
    ("channel", "wire"),
    [
        (Channel.SMS, "+32470000009"),
        (Channel.WHATSAPP, "32470000009"),
        (Channel.SMS_WHATSAPP, "+32470000009"),
    ],
)
async def test_recipient_on_the_wire(
    client: SmsMobileApiClient, sim: Sim, channel: Channel, wire: str
) -> None:
    """The exact ``recipients`` of each channel: without "+" only for WhatsApp alone.

    With SMS and WhatsApp one value serves both, and the phone must dial it: the "+" stays.
    """
    await client.send_message("+32470000009", "Hi", channel=channel)

    assert sim.only_fields("/sendsms/")["recipients"] == wire


async def test_send_refused_as_documented(client: SmsMobileApiClient, sim: Sim) -> None:
    """The OpenAPI's 400 for a missing or invalid parameter raises with its code and text."""
    sim.state.faults.add(
        Fault(
            "status",
            path="/sendsms/",
            status=400,
            body='{"error":400,"message":"Missing or invalid parameter: port"}',
        )
    )

    with pytest.raises(SmsGatewayResponseError) as caught:
        await client.send_message("+32470000009", "Hi")

    assert (caught.value.code, caught.value.status) == ("400", 400)
    assert str(caught.value) == (
        "/sendsms/ failed with error 400: Missing or invalid parameter: port"
    )


def test_max_message_length(client: SmsMobileApiClient) -> None:
    """No vendor source caps the text ("no 160-char limit"): ten concatenated SMS, 1 600."""
    assert client.max_message_length == 1600
