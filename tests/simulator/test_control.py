"""Control routes under ``/_sim/``."""

from datetime import timedelta

import pytest

from smsmobileapi_simulator import Account, SimulatorState, WebhookTarget

from .helpers import NOW, Answer, Api


async def _control(api: Api, method: str, path: str, body: object = None, **headers: str) -> Answer:
    """Call a control route with a JSON body."""
    return await api.request(method, path, json_body=body, headers=headers or None)


async def test_add_sms_and_call(api: Api, state: SimulatorState, account: Account) -> None:
    """SMS and calls added by control routes show up in the API."""
    answer = await _control(
        api,
        "POST",
        "/_sim/sms",
        {"number": "+1", "message": "hi", "alias": "Al", "received_at": "2026-09-23T10:00:00"},
    )
    assert answer.status == 201
    sms = account.received[-1]
    assert answer.json == {"guid": sms.guid, "id": sms.id}
    assert (sms.sid, sms.alias, sms.received_at) == ("phone-1", "Al", NOW - timedelta(hours=2))
    answer = await _control(
        api,
        "POST",
        "/_sim/call",
        {"call_type": "missed", "number": "+2", "name": "Bo", "duration": 0},
    )
    assert answer.status == 201
    missed = (await api.get("/call/missed/list/")).json["data"]
    assert missed == [{"number": "+2", "name": "Bo", "date": "2026-09-23 12:00:00"}]


async def test_bulk_sms(api: Api, state: SimulatorState, account: Account) -> None:
    """Bulk seeding: one second apart, ending now, oldest first."""
    answer = await _control(api, "POST", "/_sim/bulk_sms", {"count": 1000, "number": "+9"})
    assert answer.status == 201
    assert answer.json == {"count": 1000, "first_id": 1, "last_id": 1000}
    after = str(int(NOW.timestamp()) - 3)
    rows = (await api.get("/getsms/", after_timestamp_unix=after)).json["result"]["sms"]
    assert [row["message"] for row in rows] == [
        "Bulk message 998",
        "Bulk message 999",
        "Bulk message 1000",
    ]
    assert {row["number"] for row in rows} == {"+9"}
    bad = await _control(api, "POST", "/_sim/bulk_sms", {"count": 0})
    assert bad.status == 400


async def test_phones(api: Api, account: Account) -> None:
    """Phones can be added and changed."""
    answer = await _control(
        api, "POST", "/_sim/phone", {"sid": "p2", "label": "Car", "battery": 50, "online": False}
    )
    assert answer.status == 201
    assert answer.json["label"] == "Car"
    answer = await _control(
        api,
        "PATCH",
        "/_sim/phone/p2",
        {"battery": 49, "online": True, "last_seen": "2026-09-23T11:00:00Z", "version": "5"},
    )
    assert answer.json == {
        "sid": "p2",
        "label": "Car",
        "battery": 49,
        "version": "5",
        "online": True,
        "last_seen": "2026-09-23T11:00:00+00:00",
        "phone_number": None,
    }
    assert (await _control(api, "PATCH", "/_sim/phone/none", {"battery": 1})).status == 404


async def test_faults_routes(api: Api, state: SimulatorState, account: Account) -> None:
    """Faults can be planned and cleared remotely."""
    answer = await _control(
        api,
        "POST",
        "/_sim/fault",
        {"kind": "rate_limit", "path": "/getsms", "times": None, "retry_after": 3},
    )
    assert answer.json == {"kind": "rate_limit", "path": "/getsms/", "times": None}
    assert (await api.get("/getsms/")).headers["Retry-After"] == "3"
    assert (await _control(api, "DELETE", "/_sim/faults")).status == 204
    assert (await api.get("/getsms/")).status == 200
    await _control(api, "POST", "/_sim/fault", {"kind": "status", "status": 503, "probability": 1})
    assert state.faults.faults[0].times == 1
    assert (await _control(api, "POST", "/_sim/fault", {"kind": "nope"})).status == 400
    await _control(
        api, "POST", "/_sim/fault", {"kind": "oversized", "size": 9, "content_encoding": "gzip"}
    )
    assert (state.faults.faults[1].size, state.faults.faults[1].content_encoding) == (9, "gzip")
    bad_encoding = {"kind": "status", "content_encoding": "br"}
    assert (await _control(api, "POST", "/_sim/fault", bad_encoding)).status == 400
    assert (
        await _control(api, "POST", "/_sim/fault", {"kind": "status", "times": 0})
    ).status == 400


async def test_stats(api: Api, account: Account) -> None:
    """Counts, bytes and concurrency per canonical API path."""
    first = await api.get("/getsms")
    second = await api.get("/getsms/")
    await api.get("/call/missed/list/")
    answer = await _control(api, "GET", "/_sim/stats")
    body = answer.json
    assert body["paths"]["/getsms/"] == {
        "requests": 2,
        "bytes_sent": len(first.text) + len(second.text),
        "in_flight": 0,
        "max_in_flight": 1,
    }
    assert body["total_requests"] == 3


async def test_webhook_routes(api: Api, state: SimulatorState) -> None:
    """The webhook target is set, validated and removed."""
    answer = await _control(
        api, "PUT", "/_sim/webhook", {"url": "http://127.0.0.1:9/h", "format": "v2", "secret": "s"}
    )
    assert answer.json == {"url": "http://127.0.0.1:9/h", "format": "v2", "message_events": False}
    assert state.webhook == WebhookTarget("http://127.0.0.1:9/h", "v2", "s")
    answer = await _control(
        api,
        "PUT",
        "/_sim/webhook",
        {"url": "http://127.0.0.1:9/h", "format": "v2", "secret": "s", "message_events": True},
    )
    assert answer.json["message_events"] is True
    assert state.webhook == WebhookTarget("http://127.0.0.1:9/h", "v2", "s", message_events=True)
    assert (
        await _control(api, "PUT", "/_sim/webhook", {"url": "http://x", "format": "v2"})
    ).status == 400
    assert (
        await _control(api, "PUT", "/_sim/webhook", {"url": "http://x", "format": "xml"})
    ).status == 400
    assert (await _control(api, "DELETE", "/_sim/webhook")).status == 204
    assert state.webhook is None


async def test_variants_route(api: Api, state: SimulatorState) -> None:
    """Variants can be switched remotely, with validation."""
    answer = await _control(
        api,
        "PATCH",
        "/_sim/variants",
        {
            "sms_time_format": "date_hour",
            "getsms_auth_error_http200": False,
            "invented_sent_log_layout": "data",
        },
    )
    assert answer.json["sms_time_format"] == "date_hour"
    assert state.variants.invented_sent_log_layout == "data"
    assert state.variants.getsms_auth_error_http200 is False
    for body in ({"phones_shape": "list"}, {"missed_calls_text_errors": None}, {"speed": 1}):
        assert (await _control(api, "PATCH", "/_sim/variants", body)).status == 400


@pytest.mark.parametrize(
    ("path", "body", "error"),
    [
        ("/_sim/sms", {"number": "+1"}, "message is required"),
        ("/_sim/sms", {"number": "+1", "message": "x", "api_key": "other"}, "no such account"),
        ("/_sim/sms", {"number": 1, "message": "x"}, "number must be a string"),
        ("/_sim/sms", {"number": "+1", "message": "x", "received_at": "later"}, "received_at must"),
        ("/_sim/sms", [1], "JSON object"),
        ("/_sim/call", {"call_type": "dropped", "number": "+1"}, "call_type must"),
        ("/_sim/call", {"call_type": "missed", "number": "+1", "duration": True}, "integer"),
        ("/_sim/phone", {"sid": "p", "online": "yes"}, "online must be a boolean"),
        ("/_sim/fault", {"kind": "status", "delay": "x"}, "delay must be a number"),
    ],
)
async def test_validation(api: Api, account: Account, path: str, body: object, error: str) -> None:
    """Bad control requests get a 400/404 JSON error."""
    answer = await _control(api, "POST", path, body)
    assert answer.status in {400, 404}
    assert error in answer.json["error"]


async def test_not_json(api: Api) -> None:
    """A body that is not JSON is refused."""
    answer = await api.request("POST", "/_sim/sms", form={"number": "+1"})
    assert (answer.status, answer.json) == (400, {"error": "the body must be JSON"})


async def test_control_token(api: Api, state: SimulatorState, account: Account) -> None:
    """With a control token, routes need the X-Sim-Token header."""
    state.control_token = "t0k"  # a test value
    assert (await _control(api, "GET", "/_sim/stats")).status == 401
    assert (await _control(api, "GET", "/_sim/stats", **{"X-Sim-Token": "bad"})).status == 401
    assert (await _control(api, "GET", "/_sim/stats", **{"X-Sim-Token": "t0k"})).status == 200
