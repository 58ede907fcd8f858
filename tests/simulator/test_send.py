"""``/sendsms/``, ``/resend/``, ``/log/sent/sms/`` and ``/log/sent/frommobile/``."""

from collections.abc import Callable
from datetime import timedelta
import re
from typing import Any

import pytest

from smsmobileapi_simulator import Account, SimulatorState
from smsmobileapi_simulator.state import SentLogLayout

from .helpers import NOW, Api


async def test_send_success_shape(api: Api, state: SimulatorState, account: Account) -> None:
    """A send answers the documented result and records the message as queued."""
    answer = await api.post("/sendsms/", recipients="+32470000001", message="Hello", port="2")
    assert answer.status == 200
    result = answer.json["result"]
    assert re.fullmatch(r"[0-9a-f]{40}", result.pop("id"))
    assert result == {
        "error": 0,
        "sent": "1",
        "note": "sent by mobile",
        "datetime": "2026-09-23T12:00:00Z",
        "datetimeLocal": "2026-09-23T13:00:00+01:00",
        "port": "2",
        "iac_control": "1",
        "iac_authorized": "1",
        "send_with_whatsapp": "0",
        "encrypted": {"status": "0"},
        "trial_account": {"status": "0", "sms_sent": 0},
    }
    sent = state.sent[-1]
    assert (sent.recipients, sent.message, sent.status, sent.sid) == (
        "+32470000001",
        "Hello",
        "queued",
        "phone-1",
    )
    assert sent.fields == {"recipients": "+32470000001", "message": "Hello", "port": "2"}
    assert sent.created_at == NOW


async def test_send_by_get_with_options(api: Api, state: SimulatorState, account: Account) -> None:
    """GET works too; WhatsApp and encryption flags show in the result."""
    answer = await api.get(
        "/sendsms",
        recipients="+1",
        message="Hi",
        sendwa="1",
        encrypt_message="yes",
        sIdentifiant="phone-1",
        shorturl="1",
        schedule_timestamp="1800000000",
        url_media="https://example.com/a.jpg",
        waonly="yes",
    )
    result = answer.json["result"]
    assert (result["send_with_whatsapp"], result["encrypted"], result["port"]) == (
        "1",
        {"status": "1"},
        None,
    )
    assert state.sent[-1].fields["url_media"] == "https://example.com/a.jpg"


async def test_send_to_offline_phone_is_in_error(
    api: Api, state: SimulatorState, account: Account
) -> None:
    """Accepted, but the message is in (mobile) error when no phone is online."""
    account.phones["phone-1"].online = False
    answer = await api.post("/sendsms/", recipients="+1", message="Hi")
    assert answer.json["result"]["error"] == 0
    assert (state.sent[-1].status, state.sent[-1].error_source) == ("error", "mobile")


@pytest.mark.parametrize(
    ("form", "error"),
    [
        ({"message": "Hi"}, "missing_recipients"),
        ({"recipients": "+1"}, "missing_message"),
        ({"recipients": "+1", "message": "  "}, "missing_message"),
        ({"recipients": "+1", "message": "Hi", "port": "3"}, "invalid_port"),
        ({"recipients": "+1", "message": "Hi", "sIdentifiant": "nope"}, "invalid_sIdentifiant"),
        ({"recipients": "+1", "message": "Hi", "shorturl": "yes"}, "invalid_shorturl"),
        ({"recipients": "+1", "message": "Hi", "sendsms": "2"}, "invalid_sendsms"),
        ({"recipients": "+1", "message": "Hi", "sendsms": "0"}, "nothing_to_send"),
        (
            {"recipients": "+1", "message": "Hi", "schedule_timestamp": "x"},
            "invalid_schedule_timestamp",
        ),
        ({"recipients": "+1", "message": "Hi", "url_media": "http://a/b"}, "invalid_url_media"),
    ],
)
async def test_send_validation_invented(
    api: Api, state: SimulatorState, account: Account, form: dict[str, str], error: str
) -> None:
    """With the invented variant, invalid sends answer HTTP 200 with a code and record nothing.

    No vendor source shows these codes: by default most of these values are accepted.
    """
    state.variants.invented_param_errors = True
    answer = await api.post("/sendsms/", **form)
    assert answer.status == 200
    assert answer.json["result"]["error"] == error
    assert answer.json["result"]["message"]
    assert state.sent == []


@pytest.mark.parametrize(
    ("form", "name"),
    [
        ({"message": "Hi"}, "recipients"),
        ({"recipients": "+1"}, "message"),
        ({"recipients": "+1", "message": "  "}, "message"),
        ({"recipients": "+1", "message": "Hi", "port": "3"}, "port"),
        ({"recipients": "+1", "message": "Hi", "shorturl": "yes"}, "shorturl"),
        ({"recipients": "+1", "message": "Hi", "waonly": "si"}, "waonly"),
        ({"recipients": "+1", "message": "Hi", "schedule_timestamp": "x"}, "schedule_timestamp"),
    ],
)
async def test_send_documented_refusals(
    api: Api, state: SimulatorState, account: Account, form: dict[str, str], name: str
) -> None:
    """A required parameter missing, or a value outside the OpenAPI's declaration: HTTP 400.

    The OpenAPI file's ``BadRequest`` ("Missing or invalid parameter.") with its error model.
    """
    answer = await api.post("/sendsms/", **form)
    assert (answer.status, answer.json) == (
        400,
        {"error": 400, "message": f"Missing or invalid parameter: {name}"},
    )
    assert state.sent == []


@pytest.mark.parametrize(
    ("form", "status"),
    [
        ({"sendsms": "2"}, "queued"),
        ({"sendwa": "yes"}, "queued"),
        ({"encrypt_message": "maybe"}, "queued"),
        ({"sendsms": "0"}, "queued"),
        ({"url_media": "http://a/b", "sendwa": "1"}, "queued"),
        ({"sIdentifiant": "nope"}, "error"),
    ],
)
async def test_send_accepts_what_no_source_refuses(
    api: Api, state: SimulatorState, account: Account, form: dict[str, str], status: str
) -> None:
    """Values no vendor source refuses are accepted; an unknown phone reaches no phone."""
    answer = await api.post("/sendsms/", recipients="+1", message="Hi", **form)
    assert (answer.status, answer.json["result"]["sent"]) == (200, "1")
    assert state.sent[-1].status == status


async def test_resend(api: Api, state: SimulatorState, account: Account) -> None:
    """Only a message in error can be resent; unknown GUIDs are errors."""
    failed = state.add_sent_sms(account, recipients="+1", message="x", status="error")
    queued = state.add_sent_sms(account, recipients="+1", message="y")
    answer = await api.get("/resend/", guid=failed.guid.upper())
    assert answer.json == {"result": {"error": 0, "resent": "1", "id": failed.guid}}
    assert failed.status == "queued"
    assert (await api.post("/resend", guid=queued.guid)).json["result"]["error"] == "not_in_error"
    assert (await api.get("/resend/", guid="0" * 40)).json["result"]["error"] == "not_found"
    assert (await api.get("/resend/")).status == 400
    state.variants.invented_param_errors = True
    assert (await api.get("/resend/")).json["result"]["error"] == "missing_guid"


async def test_sent_log_filters(api: Api, state: SimulatorState, account: Account) -> None:
    """The log lists newest first and filters by GUID, before, errors and keyword."""
    rows = [
        state.add_sent_sms(
            account,
            recipients=f"+3247000000{index}",
            message=f"note {index}",
            created_at=NOW - timedelta(minutes=10 - index),
            status="error" if index == 1 else "queued",
            error_source="api" if index == 1 else None,
        )
        for index in range(4)
    ]
    state.add_sent_sms(account, recipients="+9", message="mobile", status="error")
    other = state.add_account(api_key="other")
    state.add_sent_sms(other, recipients="+1", message="not mine")

    async def guids(**params: str) -> list[str]:
        answer = await api.get("/log/sent/sms/", **params)
        return [row["guid"] for row in answer.json["result"]["sms"]]

    assert len(await guids()) == 5
    first = (await api.get("/log/sent/sms/")).json["result"]["sms"][-1]
    assert first == {
        "guid": rows[0].guid,
        "recipients": "+32470000000",
        "message": "note 0",
        "status": "queued",
        "date": "2026-09-23 11:50:00",
        "timestamp_unix": int((NOW - timedelta(minutes=10)).timestamp()),
        "sIdentifiant": None,
        "port": None,
        "send_with_whatsapp": "0",
        "error_api": "0",
        "error_mobile": "0",
    }
    assert await guids(guid_message=rows[2].guid) == [rows[2].guid]
    assert await guids(before=rows[2].guid) == [rows[1].guid, rows[0].guid]
    before_ts = str(int((NOW - timedelta(minutes=8)).timestamp()))
    assert await guids(before=before_ts) == [rows[1].guid, rows[0].guid]
    assert await guids(error_api="1") == [rows[1].guid]
    assert len(await guids(error_mobile="1")) == 1
    assert await guids(keyword="NOTE 3") == [rows[3].guid]
    assert await guids(keyword="+32470000002") == [rows[2].guid]
    assert len(await guids(before="no-such-guid")) == 5
    state.variants.invented_param_errors = True
    bad = await api.get("/log/sent/sms/", before="no-such-guid")
    assert bad.json["result"]["error"] == "invalid_before"


async def test_sent_from_mobile(api: Api, state: SimulatorState, account: Account) -> None:
    """Rows carry the documented fields, only from the last 7 days."""
    state.add_sent_from_mobile(account, "+32470000001", "today", sent_at=NOW - timedelta(hours=1))
    state.add_sent_from_mobile(
        account, "+32470000002", "yesterday", sent_at=NOW - timedelta(days=1), sid="other-sid"
    )
    state.add_sent_from_mobile(account, "+32470000003", "old", sent_at=NOW - timedelta(days=6))
    state.add_sent_from_mobile(account, "+32470000004", "too old", sent_at=NOW - timedelta(days=8))
    answer = await api.get("/log/sent/frommobile/")
    result = answer.json["result"]
    assert result["count"] == 3
    assert result["sms"][0] == {
        "sIdentifiant": "phone-1",
        "number": "+32470000001",
        "message": "today",
        "mobile_date_ms": int((NOW - timedelta(hours=1)).timestamp()) * 1000,
        "mobile_date_formatted": "2026-09-23 11:00:00",
        "synchro_time": "2026-09-23 11:00:05",
    }

    async def messages(**params: str) -> list[str]:
        answer = await api.post("/log/sent/frommobile", **params)
        return [row["message"] for row in answer.json["result"]["sms"]]

    assert await messages(period="today") == ["today"]
    assert await messages(period="yesterday") == ["yesterday"]
    assert await messages(period="last_24h") == ["today", "yesterday"]
    assert await messages(period="last_3days") == ["today", "yesterday"]
    assert await messages(period="last_7days") == ["today", "yesterday", "old"]
    assert await messages(date="2026-09-22") == ["yesterday"]
    assert await messages(date_from="2026-09-17", date_to="2026-09-22") == ["yesterday", "old"]
    assert await messages(number="32470000003") == ["old"]
    assert await messages(sIdentifiant="other-sid") == ["yesterday"]
    assert await messages(message="TOO") == []
    assert await messages(search="11:00:05") == ["today"]
    assert await messages(sort_by="number", sort_order="asc") == ["today", "yesterday", "old"]
    assert await messages(sort_by="synchro_time", sort_order="ASC", limit="1") == ["old"]
    assert len(await messages(limit="500")) == 3


@pytest.mark.parametrize(
    ("params", "error"),
    [
        ({"period": "last_month"}, "invalid_period"),
        ({"date": "23/09/2026"}, "invalid_date"),
        ({"date_from": "2026-9-1"}, "invalid_date_from"),
        ({"sort_by": "guid"}, "invalid_sort_by"),
        ({"sort_order": "UP"}, "invalid_sort_order"),
        ({"limit": "0"}, "invalid_limit"),
    ],
)
async def test_sent_from_mobile_validation(
    api: Api, state: SimulatorState, account: Account, params: dict[str, str], error: str
) -> None:
    """Values outside the documented sets are ignored (the defaults apply).

    Only the invented variant answers them with an error code.
    """
    state.add_sent_from_mobile(account, "+1", "a", sent_at=NOW - timedelta(hours=2))
    state.add_sent_from_mobile(account, "+2", "b", sent_at=NOW - timedelta(hours=1))
    answer = await api.get("/log/sent/frommobile/", **params)
    assert [row["message"] for row in answer.json["result"]["sms"]] == ["b", "a"]
    state.variants.invented_param_errors = True
    answer = await api.get("/log/sent/frommobile/", **params)
    assert answer.json["result"]["error"] == error


async def test_get_only_endpoints_refuse_post(api: Api) -> None:
    """Endpoints documented as GET only do not accept POST."""
    assert (await api.post("/getsms/")).status == 405
    assert (await api.post("/log/sent/sms/")).status == 405


async def test_form_overrides_query(api: Api, state: SimulatorState, account: Account) -> None:
    """Parameters may come in the query or the form; the form wins (PHP's ``$_REQUEST``)."""
    await api.request(
        "POST",
        "/sendsms/",
        query={"recipients": "+1", "message": "from query"},
        form={"apikey": "sim-test-key", "message": "from form"},
    )
    assert (state.sent[-1].recipients, state.sent[-1].message) == ("+1", "from form")


@pytest.mark.parametrize(
    ("layout", "rows_of"),
    [
        ("result_sms", lambda body: body["result"]["sms"]),
        ("result_data", lambda body: body["result"]["data"]),
        ("data", lambda body: body["data"]),
    ],
)
@pytest.mark.parametrize("path", ["/log/sent/sms/", "/log/sent/frommobile/"])
async def test_sent_logs_invented_layouts(
    api: Api,
    state: SimulatorState,
    account: Account,
    layout: SentLogLayout,
    rows_of: Callable[[Any], list[dict[str, object]]],
    path: str,
) -> None:
    """No vendor source shows the sent logs' envelope: each invented layout carries the rows."""
    state.add_sent_sms(account, recipients="+1", message="api")
    state.add_sent_from_mobile(account, "+2", "phone", sent_at=NOW - timedelta(hours=1))
    state.variants.invented_sent_log_layout = layout

    body = (await api.get(path)).json

    [row] = rows_of(body)
    assert row["message"] in {"api", "phone"}
