"""``/getsms/`` (and its time-format variants), set-read, alias update and ``/deletesms/``."""

from datetime import timedelta
import re

import pytest

from smsmobileapi_simulator import Account, SimReceivedSms, SimulatorState

from .helpers import API_KEY, NOW, Api


@pytest.fixture
def inbox(state: SimulatorState, account: Account) -> list[SimReceivedSms]:
    """Three received SMS: two on phone-1 (one read), one on phone-2, newest added first."""
    return [
        state.add_received_sms(
            account, "+32470000003", "third", received_at=NOW - timedelta(seconds=10)
        ),
        state.add_received_sms(
            account, "+32470000001", "first", received_at=NOW - timedelta(days=1), read=True
        ),
        state.add_received_sms(
            account,
            "+32470000002",
            "second",
            received_at=NOW - timedelta(hours=1, milliseconds=-250),
            sid="phone-2",
            alias="Bob",
        ),
    ]


async def _messages(api: Api, **params: str) -> list[str]:
    answer = await api.get("/getsms/", **params)
    return [row["message"] for row in answer.json["result"]["sms"]]


async def test_getsms_shape_and_order(api: Api, inbox: list[SimReceivedSms]) -> None:
    """Rows follow the OpenAPI shape, oldest first, with uppercase uuid4 GUIDs."""
    answer = await api.get("/getsms/")
    rows = answer.json["result"]["sms"]
    assert answer.json["result"]["error"] == ""
    assert [row["message"] for row in rows] == ["first", "second", "third"]
    assert rows[1] == {
        "id": 3,
        "sIdentifiantPhone": "phone-2",
        "timestamp_unix": int((NOW - timedelta(hours=1)).timestamp()),
        "message": "second",
        "number": "+32470000002",
        "guid": inbox[2].guid,
        "alias": "Bob",
    }
    assert re.fullmatch(
        r"[0-9A-F]{8}-[0-9A-F]{4}-4[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}", inbox[0].guid
    )


async def test_getsms_filters(api: Api, state: SimulatorState, inbox: list[SimReceivedSms]) -> None:
    """after_timestamp_unix is strict, plus phone and unread filters; a bad one is ignored."""
    after = str(inbox[2].timestamp)
    assert await _messages(api, after_timestamp_unix=after) == ["third"]
    assert await _messages(api, after_timestamp_unix=str(inbox[2].timestamp - 1)) == [
        "second",
        "third",
    ]
    assert await _messages(api, sIdentifiantPhone="phone-2") == ["second"]
    assert await _messages(api, onlyunread="yes") == ["second", "third"]
    assert await _messages(api, after_timestamp_unix="yesterday") == ["first", "second", "third"]
    state.variants.invented_param_errors = True
    bad = await api.get("/getsms/", after_timestamp_unix="yesterday")
    assert bad.json["result"]["error"] == "invalid_after_timestamp_unix"


@pytest.mark.parametrize(
    ("time_format", "expected"),
    [
        ("unix", {"timestamp_unix": 1790161200}),
        ("unix_ms", {"timestamp_unix": 1790161200250}),
        ("date_hour", {"date": "2026-09-23", "hour": "11:00:00"}),
        ("time_received_ms", {"time_received": "1790161200250"}),
        ("time_received_compact", {"time_received": "20260923110000250"}),
    ],
)
async def test_getsms_time_variants(
    api: Api,
    state: SimulatorState,
    inbox: list[SimReceivedSms],
    time_format: str,
    expected: dict[str, object],
) -> None:
    """Each time-format variant replaces timestamp_unix; filtering stays in seconds."""
    state.variants.sms_time_format = time_format  # type: ignore[assignment]
    answer = await api.get(
        "/getsms/", sIdentifiantPhone="phone-2", after_timestamp_unix="1790161199"
    )
    row = answer.json["result"]["sms"][0]
    time_keys = {"timestamp_unix", "date", "hour", "time_received"}
    assert {key: value for key, value in row.items() if key in time_keys} == expected


async def test_set_read(api: Api, state: SimulatorState, inbox: list[SimReceivedSms]) -> None:
    """set-read flags one SMS (GUID case-insensitive); unknown or missing GUIDs are errors."""
    answer = await api.get("/getsms/set-read/", guid_message=inbox[0].guid.lower())
    assert answer.json == {"result": {"error": 0, "guid": inbox[0].guid, "read": 1}}
    assert inbox[0].read
    assert await _messages(api, onlyunread="yes") == ["second"]
    assert (await api.get("/getsms/set-read", guid_message="nope")).json["result"][
        "error"
    ] == "not_found"
    missing = await api.get("/getsms/set-read/")
    assert (missing.status, missing.json) == (
        400,
        {"error": 400, "message": "Missing or invalid parameter: guid_message"},
    )
    state.variants.invented_param_errors = True
    assert (await api.get("/getsms/set-read/")).json["result"]["error"] == "missing_guid_message"


async def test_update_alias(api: Api, state: SimulatorState, inbox: list[SimReceivedSms]) -> None:
    """The alias is required but may be empty, which clears it."""
    answer = await api.post("/getsms/update/", guid=inbox[0].guid, alias="John Doe")
    assert answer.json == {"result": {"error": 0, "guid": inbox[0].guid, "alias": "John Doe"}}
    answer = await api.get("/getsms/update", guid=inbox[0].guid, alias="")
    assert answer.json["result"]["alias"] is None
    assert inbox[0].alias is None
    assert (await api.get("/getsms/update/", guid="nope", alias="x")).json["result"][
        "error"
    ] == "not_found"
    for params, name in (({"guid": inbox[0].guid}, "alias"), ({"alias": "x"}, "guid")):
        missing = await api.get("/getsms/update/", **params)
        assert (missing.status, missing.json["message"]) == (
            400,
            f"Missing or invalid parameter: {name}",
        )
    state.variants.invented_param_errors = True
    assert (await api.get("/getsms/update/", guid=inbox[0].guid)).json["result"][
        "error"
    ] == "missing_alias"
    assert (await api.get("/getsms/update/", alias="x")).json["result"]["error"] == "missing_guid"


async def test_delete_by_guid(api: Api, inbox: list[SimReceivedSms]) -> None:
    """A deleted SMS vanishes from /getsms/."""
    answer = await api.get("/deletesms/", guid_message=inbox[0].guid)
    assert answer.json == {"result": {"error": 0, "deleted": 1}}
    assert await _messages(api) == ["first", "second"]
    again = await api.get("/deletesms/", guid_message=inbox[0].guid)
    assert again.json["result"]["error"] == "not_found"


async def test_delete_by_days(api: Api, inbox: list[SimReceivedSms]) -> None:
    """date_start alone deletes one UTC day; with date_end, an inclusive range."""
    answer = await api.get("/deletesms/", date_start="2026-09-22")
    assert answer.json["result"]["deleted"] == 1
    assert await _messages(api) == ["second", "third"]
    answer = await api.get("/deletesms/", date_start="2026-09-20", date_end="2026-09-23")
    assert answer.json["result"]["deleted"] == 2
    assert await _messages(api) == []


@pytest.mark.parametrize(
    ("params", "error"),
    [
        ({}, "missing_parameter"),
        ({"date_end": "2026-09-23"}, "missing_parameter"),
        ({"date_start": "yesterday"}, "invalid_date_start"),
        ({"date_start": "2026-09-23", "date_end": "2026-09-22"}, "invalid_date_end"),
    ],
)
async def test_delete_validation(
    api: Api,
    state: SimulatorState,
    inbox: list[SimReceivedSms],
    params: dict[str, str],
    error: str,
) -> None:
    """Neither a GUID nor a readable start day deletes nothing (the doc's bare example).

    Only the invented variant answers them with an error code.
    """
    assert (await api.get("/deletesms/", **params)).json == {"result": {"error": 0, "deleted": 0}}
    assert len(inbox) == len(state.accounts[API_KEY].received)
    state.variants.invented_param_errors = True
    assert (await api.get("/deletesms/", **params)).json["result"]["error"] == error


async def test_delete_ignores_an_unreadable_end(api: Api, inbox: list[SimReceivedSms]) -> None:
    """An unreadable ``date_end`` is ignored: ``date_start`` alone deletes its day."""
    answer = await api.get("/deletesms/", date_start="2026-09-22", date_end="soon")
    assert answer.json == {"result": {"error": 0, "deleted": 1}}
