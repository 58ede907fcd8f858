"""``POST /sms`` and ``GET /sms/send``: validation, the stored SMS and its options."""

import re

import pytest

from smsmobileapi_simulator.callr import CallrAccount, CallrState, DynamicWebhook
from tests.simulator.helpers import NOW

from .helpers import CallrApi, basic, fixture


async def test_post_creates_sms(api: CallrApi, state: CallrState, account: CallrAccount) -> None:
    """The answer is the new hash; the SMS is stored CREATED with the full object."""
    answer = await api.post(
        "/sms",
        {
            "to": "+33612345678",
            "from": "SMS",
            "body": "Alarm: front door opened",
            "options": {"user_data": "ha-42", "nature": "MARKETING"},
        },
    )
    assert answer.status == 200
    assert answer.headers["Content-Type"] == "application/json"
    sms_hash = answer.json["data"]
    assert answer.json == {"status": "success", "data": sms_hash}
    assert re.fullmatch(r"[A-Z0-9]{8}", sms_hash)
    served = (await api.get(f"/sms/{sms_hash}")).json["data"]
    assert served == {
        "type": "OUT",
        "hash": sms_hash,
        "from": "SMS",
        "to": "+33612345678",
        "text": "Alarm: front door opened",
        "options": None,
        "encoding": "GSM",
        "user_data": "ha-42",
        "b_customer_mode": "PREPAID",
        "b_customer_debit": "4.50",
        "network": "20801",
        "status": "CREATED",
        "status_error": "",
        "parts": 1,
        "nature": "MARKETING",
        "date_creation": "2026-09-23 12:00:00",
        "date_update": "2026-09-23 12:00:00",
        "date_sent": "0000-00-00 00:00:00",
        "date_received": "0000-00-00 00:00:00",
        "status_history": [],
    }
    assert list(served) == list(fixture("sms-out.json"))
    assert [sms.hash for sms in account.outgoing] == [sms_hash]


async def test_send_by_query_string(api: CallrApi, account: CallrAccount) -> None:
    """``GET /sms/send`` does the same; ``options.a.b=v`` nests; flags are read from text."""
    answer = await api.get(
        "/sms/send",
        {
            "to": "+447890123456",
            "body": "Hello there",
            "options.flash_message": "true",
            "options.user_data": "q-1",
            "options.webhook.endpoint": "http://127.0.0.1:9/hook",
            "options.webhook.hmac_secret": "per-sms",
            "options.": "ignored",
        },
    )
    assert answer.status == 200
    sms = account.find(answer.json["data"])
    assert sms is not None
    assert (sms.sender, sms.to, sms.text, sms.user_data) == (
        account.number,
        "+447890123456",
        "Hello there",
        "q-1",
    )
    assert sms.options == {
        "flash_message": "true",
        "user_data": "q-1",
        "webhook": {"endpoint": "http://127.0.0.1:9/hook", "hmac_secret": "per-sms"},
    }
    assert sms.webhook == DynamicWebhook("http://127.0.0.1:9/hook", "per-sms")
    assert sms.network == "23410"


async def test_echo_options_variant(api: CallrApi, state: CallrState) -> None:
    """With ``echo_options`` the object gives the options back as sent."""
    state.variants.echo_options = True
    sms_hash = await api.send(options={"user_data": "x", "flash_message": False})
    served = (await api.get(f"/sms/{sms_hash}")).json["data"]
    assert served["options"] == {"user_data": "x", "flash_message": False}


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"from": "SMS", "body": "x"}, "PROPERTY_TYPE_ERROR [to]"),
        ({"to": None, "body": "x"}, "PROPERTY_TYPE_ERROR [to]"),
        ({"to": 33612345678, "body": "x"}, "PROPERTY_TYPE_ERROR [to]"),
        ({"to": "0612345678", "body": "x"}, "PROPERTY_VALUE_ERROR [to]"),
        ({"to": "+0612345678", "body": "x"}, "PROPERTY_VALUE_ERROR [to]"),
        ({"to": "+33 6 12 34 56 78", "body": "x"}, "PROPERTY_VALUE_ERROR [to]"),
        ({"to": "+33612345678", "from": "+33123", "body": "x"}, "PROPERTY_VALUE_ERROR [from]"),
        ({"to": "+33612345678", "from": "12345678901", "body": "x"}, "PROPERTY_VALUE_ERROR [from]"),
        (
            {"to": "+33612345678", "from": "TooLongSender", "body": "x"},
            "PROPERTY_VALUE_ERROR [from]",
        ),
        ({"to": "+33612345678", "from": "Caf\u00e9", "body": "x"}, "PROPERTY_VALUE_ERROR [from]"),
        ({"to": "+33612345678", "from": "Home.Alarm", "body": "x"}, "PROPERTY_VALUE_ERROR [from]"),
        ({"to": "+33612345678", "from": 12, "body": "x"}, "PROPERTY_VALUE_ERROR [from]"),
        ({"to": "+33612345678", "from": "SMS"}, "INVALID_PARAM_FORMAT [body]"),
        ({"to": "+33612345678", "from": "SMS", "body": ""}, "INVALID_PARAM_FORMAT [body]"),
        ({"to": "+33612345678", "from": "SMS", "body": 5}, "INVALID_PARAM_FORMAT [body]"),
        ({"to": "bad", "from": "+33123", "body": ""}, "PROPERTY_VALUE_ERROR [to]"),
    ],
)
async def test_send_validation(
    api: CallrApi, account: CallrAccount, payload: dict[str, object], message: str
) -> None:
    """Bad recipients, senders and bodies: HTTP 400 and the SDK tests' messages; nothing sent."""
    answer = await api.post("/sms", payload)
    assert (answer.status, answer.json) == (
        400,
        {"status": "error", "data": {"code": 400, "message": message}},
    )
    assert account.outgoing == []


async def test_bad_sender_is_the_error_fixture(api: CallrApi) -> None:
    """A refused sender answers exactly ``error-rest.json`` (status and body)."""
    shipped = fixture("error-rest.json")
    answer = await api.post("/sms", {"to": "+33612345678", "from": "+33123", "body": "x"})
    assert (answer.status, answer.text) == (
        shipped["http_status"],
        '{"status":"error","data":{"code":400,"message":"PROPERTY_VALUE_ERROR [from]"}}',
    )
    assert answer.json == shipped["body"]


@pytest.mark.parametrize(
    ("sender", "stored"),
    [
        ("SMS", "SMS"),
        ("Home_Alarm1", "Home_Alarm1"),
        ("My Home-1", "My Home-1"),
        ("38100", "38100"),
        ("+33644630000", "+33644630000"),
        ("", "+33755001122"),
        (None, "+33755001122"),
    ],
)
async def test_accepted_senders(
    api: CallrApi, account: CallrAccount, sender: str | None, stored: str
) -> None:
    """Custom senders, short codes and numbers pass; empty or null means the account's number."""
    answer = await api.post("/sms", {"to": "+33612345678", "from": sender, "body": "x"})
    assert answer.status == 200
    sms = account.find(answer.json["data"])
    assert sms is not None
    assert sms.sender == stored


async def test_query_string_validation(api: CallrApi) -> None:
    """``GET /sms/send`` checks the same way."""
    answer = await api.get("/sms/send", body="x")
    assert (answer.status, answer.json["data"]["message"]) == (400, "PROPERTY_TYPE_ERROR [to]")
    answer = await api.get("/sms/send", to="+33612345678", body="")
    assert answer.json["data"]["message"] == "INVALID_PARAM_FORMAT [body]"


@pytest.mark.parametrize("raw", [b"", b"not json", b"[1, 2]", b'"text"'])
async def test_post_needs_a_json_object(api: CallrApi, state: CallrState, raw: bytes) -> None:
    """Not a JSON object: 400 ``JSON_PARSE_ERROR`` (-32700 in the JSON-RPC variant)."""
    headers = {"Content-Type": "application/json", **basic()}
    answer = await api.request("POST", "/rest/v1.1/sms", data=raw, headers=headers)
    assert (answer.status, answer.json["data"]) == (
        400,
        {"code": 400, "message": "JSON_PARSE_ERROR"},
    )
    state.variants.error_codes = "jsonrpc"
    answer = await api.request("POST", "/rest/v1.1/sms", data=raw, headers=headers)
    assert answer.json["data"]["code"] == -32700


async def test_jsonrpc_codes_for_validation(api: CallrApi, state: CallrState) -> None:
    """Validation errors carry -32602 in the JSON-RPC variant; the HTTP status stays 400."""
    state.variants.error_codes = "jsonrpc"
    answer = await api.post("/sms", {"to": "x", "body": "x"})
    assert (answer.status, answer.json["data"]) == (
        400,
        {"code": -32602, "message": "PROPERTY_VALUE_ERROR [to]"},
    )


async def test_stop_number(api: CallrApi, account: CallrAccount, state: CallrState) -> None:
    """``%STOPNUM%`` becomes the STOP number with a custom sender only."""
    custom = await api.post(
        "/sms", {"to": "+33612345678", "from": "Shop", "body": "Promo! STOP %STOPNUM%"}
    )
    plain = await api.post("/sms", {"to": "+33612345678", "body": "STOP %STOPNUM%"})
    assert [sms.text for sms in account.outgoing] == [
        f"Promo! STOP {state.stop_number}",
        "STOP %STOPNUM%",
    ]
    assert [custom.status, plain.status] == [200, 200]


async def test_options_lenient_then_strict(
    api: CallrApi, state: CallrState, account: CallrAccount
) -> None:
    """Bad option values are ignored by default and refused with ``strict_options``."""
    bad_options: list[tuple[object, str]] = [
        ({"force_encoding": "UTF8"}, "PROPERTY_VALUE_ERROR [force_encoding]"),
        ({"nature": "SPAM"}, "PROPERTY_VALUE_ERROR [nature]"),
        ({"user_data": 42}, "PROPERTY_VALUE_ERROR [user_data]"),
        ({"flash_message": "maybe"}, "PROPERTY_VALUE_ERROR [flash_message]"),
        ({"webhook": {"endpoint": "ftp://x"}}, "PROPERTY_VALUE_ERROR [webhook]"),
        ({"webhook": "http://x"}, "PROPERTY_VALUE_ERROR [webhook]"),
        ("not an object", "PROPERTY_TYPE_ERROR [options]"),
    ]
    for options, _message in bad_options:
        sms_hash = await api.send(body="ê", options=options)
        sms = account.find(sms_hash)
        assert sms is not None
        assert (sms.encoding, sms.nature, sms.user_data, sms.webhook) == (
            "UNICODE",
            "ALERTING",
            "",
            None,
        )
    state.variants.strict_options = True
    for options, message in bad_options:
        answer = await api.post("/sms", {"to": "+33612345678", "body": "x", "options": options})
        assert (answer.status, answer.json["data"]["message"]) == (400, message)
    assert (
        await api.post("/sms", {"to": "+33612345678", "body": "x", "options": {"unknown": 1}})
    ).status == 200
    assert len(account.outgoing) == len(bad_options) + 1


async def test_send_time_comes_from_the_clock(api: CallrApi, account: CallrAccount) -> None:
    """``date_creation`` is the simulator clock's now."""
    sms_hash = await api.send()
    sms = account.find(sms_hash)
    assert sms is not None
    assert sms.created_at == NOW
