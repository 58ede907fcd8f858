"""Sending an SMS: the JSON on the wire, the hash back, options refused before any request."""

from collections.abc import Callable
from datetime import timedelta
import json
from typing import Any

import pytest

from custom_components.smsmobileapi.api import (
    CallrClient,
    Channel,
    SendResult,
    SmsGatewayConnectionError,
    SmsGatewayInvalidResponseError,
    SmsGatewayResponseError,
    SmsGatewayTimeoutError,
)
from smsmobileapi_simulator import Fault

from .conftest import NOW, CallrSim, assert_no_password, fixture


async def test_send_plain_sms(client: CallrClient, callr: CallrSim) -> None:
    """``POST /sms`` with to, an empty from (CALLR picks), the body and ALERTING; the hash back."""
    result = await client.send_message("+33612345678", "Alarm: front door opened")

    request = callr.only("POST /sms")
    assert request.json == {
        "to": "+33612345678",
        "from": "",
        "body": "Alarm: front door opened",
        "options": {"nature": "ALERTING"},
    }
    assert request.headers["Content-Type"] == "application/json; charset=utf-8"
    assert request.headers["Accept"] == "application/json"
    assert request.query == {}
    [sms] = callr.account.outgoing
    assert result == SendResult(guid=sms.hash)
    assert result.parts is None
    assert (sms.nature, sms.sender, sms.status) == ("ALERTING", callr.account.number, "CREATED")


async def test_send_with_sender(client: CallrClient, callr: CallrSim) -> None:
    """The sender ID goes in ``from`` (stripped), the recipient stripped too."""
    await client.send_message(" +33612345678 ", "Hi", sender=" Maison ")

    body = callr.only("POST /sms").json
    assert isinstance(body, dict)
    assert (body["to"], body["from"]) == ("+33612345678", "Maison")
    assert callr.account.outgoing[0].sender == "Maison"


async def test_send_unicode_as_utf8(client: CallrClient, callr: CallrSim) -> None:
    """UTF-8 JSON, characters as they are (CALLR picks the encoding); lone surrogates replaced."""
    await client.send_message("+33612345678", "Température 21 °C 🌡️ \ud800!")

    request = callr.only("POST /sms")
    assert "Température 21 °C 🌡️".encode() in request.body
    assert request.json == {
        "to": "+33612345678",
        "from": "",
        "body": "Température 21 °C 🌡️ \ufffd!",
        "options": {"nature": "ALERTING"},
    }
    assert callr.account.outgoing[0].encoding == "UNICODE"


async def test_send_long_message(client: CallrClient, callr: CallrSim) -> None:
    """The longest text allowed goes out whole; CALLR bills it in parts."""
    await client.send_message("+33612345678", "x" * client.max_message_length)

    assert callr.account.outgoing[0].parts == 11


async def test_echoed_options_change_nothing(client: CallrClient, callr: CallrSim) -> None:
    """With ``echo_options`` the SMS object gives the options back; the client still works."""
    callr.state.variants.echo_options = True

    result = await client.send_message("+33612345678", "Hi")
    [sent] = await client.get_sent_messages(guid=result.guid)

    assert sent.guid == result.guid
    assert callr.state.sms_json(callr.account.outgoing[0])["options"] == {"nature": "ALERTING"}


async def test_send_reads_an_sms_object_leniently(client: CallrClient, callr: CallrSim) -> None:
    """Should ``data`` be an SMS object rather than its hash, its hash and parts are read."""
    body = {"status": "success", "data": {"hash": "ABCD1234", "parts": 3}}
    callr.state.faults.add(Fault("status", status=200, body=json.dumps(body)))

    assert await client.send_message("+33612345678", "Hi") == SendResult(guid="ABCD1234", parts=3)


@pytest.mark.parametrize(
    "data",
    [None, "", 42, "not a hash!", ["ABCD1234"], {"parts": 1}, {"hash": None}],
    ids=["null", "empty", "number", "bad-hash", "list", "no-hash", "null-hash"],
)
async def test_send_answer_without_hash(client: CallrClient, callr: CallrSim, data: Any) -> None:  # noqa: ANN401
    """An answer without a usable hash is an invalid response (never a result without id)."""
    callr.state.faults.add(
        Fault("status", status=200, body=json.dumps({"status": "success", "data": data}))
    )

    with pytest.raises(SmsGatewayInvalidResponseError, match="'hash'"):
        await client.send_message("+33612345678", "Hi")


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("channel", Channel.WHATSAPP),
        ("channel", Channel.SMS_WHATSAPP),
        ("phone_id", "phone-a"),
        ("sim", 1),
        ("schedule_at", NOW + timedelta(hours=1)),
        ("shorten_urls", True),
        ("encrypt", True),
        ("media_url", "https://example.test/a.png"),
    ],
)
async def test_unsupported_options_refused_before_any_request(
    client: CallrClient, callr: CallrSim, option: str, value: object
) -> None:
    """Options CALLR does not have raise ``ValueError`` naming them; nothing is sent."""
    kwargs: dict[str, Any] = {option: value}
    with pytest.raises(ValueError, match=option):
        await client.send_message("+33612345678", "Hi", **kwargs)

    assert callr.requests() == []


@pytest.mark.parametrize(
    ("recipient", "message", "match"),
    [
        ("+33612345678", "", "message must not be empty"),
        ("  ", "Hi", "recipient must not be empty"),
        ("+33612345678", "x" * 1601, "longer than 1600"),
    ],
)
async def test_bad_arguments_refused(
    client: CallrClient, callr: CallrSim, recipient: str, message: str, match: str
) -> None:
    """An empty message or recipient, or a text over the limit: ``ValueError``, no request."""
    with pytest.raises(ValueError, match=match):
        await client.send_message(recipient, message)

    assert callr.requests() == []


@pytest.mark.parametrize(
    ("to", "sender", "message"),
    [
        ("0612345678", None, "PROPERTY_VALUE_ERROR [to]"),
        ("+33612345678", "+33123", "PROPERTY_VALUE_ERROR [from]"),
        ("+33612345678", "TOO-LONG-SENDER", "PROPERTY_VALUE_ERROR [from]"),
    ],
)
async def test_refused_by_the_service(
    client: CallrClient, callr: CallrSim, to: str, sender: str | None, message: str
) -> None:
    """CALLR's refusal keeps its message, code and HTTP status; nothing is stored."""
    with pytest.raises(SmsGatewayResponseError) as caught:
        await client.send_message(to, "Hi", sender=sender)

    error = caught.value
    assert type(error) is SmsGatewayResponseError
    assert str(error) == f"POST /sms failed (HTTP 400, code 400): {message}"
    assert (error.code, error.status) == ("400", 400)
    assert callr.account.outgoing == []


async def test_refusal_of_the_fixture(client: CallrClient, callr: CallrSim) -> None:
    """The shipped error fixture, served as is, reads the same way."""
    error_fixture = fixture("error-rest.json")
    callr.state.faults.add(
        Fault("status", status=error_fixture["http_status"], body=json.dumps(error_fixture["body"]))
    )

    with pytest.raises(SmsGatewayResponseError, match=r"PROPERTY_VALUE_ERROR \[from\]") as caught:
        await client.send_message("+33612345678", "Hi", sender="bad sender!")

    assert (caught.value.code, caught.value.status) == ("400", 400)


async def test_send_timeout_is_never_retried(fast_client: CallrClient, callr: CallrSim) -> None:
    """A send without an answer in time: one request only, the error says it may have gone."""
    callr.state.faults.add(Fault("timeout", path="POST /sms", delay=2.0))

    with pytest.raises(SmsGatewayTimeoutError) as caught:
        await fast_client.send_message("+33612345678", "Hi")

    assert caught.value.request_sent is True
    assert len(callr.requests("POST /sms")) == 1
    assert str(caught.value) == "Timeout while requesting POST /sms"
    assert caught.value.__cause__ is None
    assert caught.value.__context__ is None


async def test_send_reset_is_never_retried(client: CallrClient, callr: CallrSim) -> None:
    """A connection reset after the request: a connection error that may have been sent."""
    callr.state.faults.add(Fault("reset", path="POST /sms"))

    with pytest.raises(SmsGatewayConnectionError) as caught:
        await client.send_message("+33612345678", "Hi")

    assert caught.value.request_sent is True
    assert len(callr.requests("POST /sms")) == 1
    assert_no_password(caught.value)


async def test_send_truncated_answer(client: CallrClient, callr: CallrSim) -> None:
    """The SMS is stored, but its answer is cut: an invalid response (the caller may resend)."""
    callr.state.faults.add(Fault("truncated", path="POST /sms"))

    with pytest.raises(SmsGatewayInvalidResponseError):
        await client.send_message("+33612345678", "Hi")

    assert len(callr.account.outgoing) == 1


async def test_send_with_a_custom_clock(
    make_client: Callable[..., CallrClient], callr: CallrSim
) -> None:
    """Sending reads no clock: a client with its own clock sends the same request."""
    client = make_client(clock=lambda: NOW - timedelta(days=1))

    result = await client.send_message("+33612345678", "Hi")

    assert result.guid == callr.account.outgoing[0].hash
