"""Call-management endpoints: missed, incoming and outgoing lists."""

from datetime import timedelta

import pytest

from smsmobileapi_simulator import Account, SimulatorState

from .helpers import API_KEY, NOW, Api


@pytest.fixture
def calls(state: SimulatorState, account: Account) -> None:
    """Missed calls over three days; incoming and outgoing calls of several durations."""
    for days, number, name in (
        (0, "+32470000001", "John Doe"),
        (1, "+32471111111", None),
        (2, "+32472222222", "Ann"),
    ):
        state.add_call(account, "missed", number, name=name, at=NOW - timedelta(days=days, hours=1))
    for minutes, duration, name in ((10, 440, "Matteo Css"), (30, 120, None), (20, 5, "zed")):
        for call_type in ("incoming", "outgoing"):
            state.add_call(
                account,
                call_type,
                f"+3247{minutes:07d}",
                name=name,
                at=NOW - timedelta(minutes=minutes),
                duration=duration,
                geo_location="Belgique" if name else None,
            )


async def test_missed_shape_and_order(api: Api, calls: None) -> None:
    """Newest first, documented fields, empty name as ``""``."""
    answer = await api.get("/call/missed/list/")
    assert answer.json == {
        "success": True,
        "offset": 0,
        "limit": 100,
        "count": 3,
        "data": [
            {"number": "+32470000001", "name": "John Doe", "date": "2026-09-23 11:00:00"},
            {"number": "+32471111111", "name": "", "date": "2026-09-22 11:00:00"},
            {"number": "+32472222222", "name": "Ann", "date": "2026-09-21 11:00:00"},
        ],
    }


async def test_missed_filters(api: Api, state: SimulatorState, calls: None) -> None:
    """Pagination, clamping, search and day filters; unreadable values are ignored.

    Only the invented variant answers them with ``invalid_<name>`` (no vendor source does).
    """

    async def numbers(**params: str) -> list[str]:
        answer = await api.get("/call/missed/list", **params)
        return [row["number"] for row in answer.json["data"]]

    assert await numbers(offset="1", limit="1") == ["+32471111111"]
    assert (await api.get("/call/missed/list/", limit="9999")).json["limit"] == 500
    assert (await api.get("/call/missed/list/", limit="0", offset="-4")).json["limit"] == 1
    assert await numbers(search="john") == ["+32470000001"]
    assert await numbers(search="3247111") == ["+32471111111"]
    assert await numbers(date_start="2026-09-22") == ["+32470000001", "+32471111111"]
    assert await numbers(date_start="2026-09-21", date_end="2026-09-21") == ["+32472222222"]
    for name in ("offset", "limit", "date_start", "date_end"):
        ignored = await api.get("/call/missed/list/", **{name: "x"})
        assert (ignored.status, ignored.json["count"], ignored.json["limit"]) == (200, 3, 100)
    state.variants.invented_param_errors = True
    for name in ("offset", "limit", "date_start", "date_end"):
        bad = await api.get("/call/missed/list/", **{name: "x"})
        assert (bad.status, bad.json) == (400, {"success": False, "error": f"invalid_{name}"})


@pytest.mark.parametrize("path", ["/call/incoming/list/", "/call/outgoing/list"])
async def test_rows_shape(api: Api, calls: None, path: str) -> None:
    """The documented envelope, echoing the API key, newest first by default."""
    body = (await api.get(path)).json
    rows = body.pop("rows")
    assert body == {
        "success": True,
        "apikey": API_KEY,
        "limit": 50,
        "offset": 0,
        "sort_by": "call_date_ms",
        "sort_dir": "desc",
        "filters": {"date_from_ms": None, "date_to_ms": None, "q": None},
        "count": 3,
    }
    assert rows[0] == {
        "phone_number": "+32470000010",
        "cached_name": "Matteo Css",
        "call_date_ms": int((NOW - timedelta(minutes=10)).timestamp()) * 1000,
        "call_datetime_utc": "2026-09-23 11:50:00",
        "duration_sec": 440,
        "geo_location": "Belgique",
        "created_at": "2026-09-23 12:00:00",
    }
    assert [row["duration_sec"] for row in rows] == [440, 5, 120]
    assert rows[2]["cached_name"] is None


async def test_rows_options(api: Api, calls: None) -> None:
    """Sorting, filters (echoed as given), pagination and clamping."""

    async def durations(**params: str) -> list[int]:
        answer = await api.get("/call/incoming/list/", **params)
        return [row["duration_sec"] for row in answer.json["rows"]]

    assert await durations(sort_by="duration_sec", sort_dir="asc") == [5, 120, 440]
    assert await durations(sort_by="cached_name", sort_dir="DESC") == [5, 440, 120]
    assert await durations(sort_by="geo_location") == [440, 5, 120]
    assert await durations(q="matteo") == [440]
    assert await durations(q="+3247000002") == [5]
    from_ms = str(int((NOW - timedelta(minutes=25)).timestamp()) * 1000)
    to_ms = str(int((NOW - timedelta(minutes=15)).timestamp()) * 1000)
    answer = await api.get("/call/outgoing/list/", date_from_ms=from_ms, date_to_ms=to_ms, q="+32")
    assert answer.json["filters"] == {"date_from_ms": from_ms, "date_to_ms": to_ms, "q": "+32"}
    assert [row["duration_sec"] for row in answer.json["rows"]] == [5]
    assert await durations(limit="1", offset="1") == [5]
    assert (await api.get("/call/incoming/list/", limit="1000")).json["limit"] == 200
    assert (await api.get("/call/incoming/list/", limit="-3")).json["limit"] == 1


@pytest.mark.parametrize(
    ("params", "error"),
    [
        ({"sort_by": "number"}, "invalid_sort_by"),
        ({"sort_dir": "up"}, "invalid_sort_dir"),
        ({"limit": "ten"}, "invalid_limit"),
        ({"offset": "1.5"}, "invalid_offset"),
        ({"date_from_ms": "yesterday"}, "invalid_date_from_ms"),
    ],
)
async def test_rows_validation(
    api: Api, state: SimulatorState, account: Account, params: dict[str, str], error: str
) -> None:
    """Unknown sort fields and malformed numbers: the defaults ("whitelisted fields only").

    Only the invented variant answers them with a 400 ``invalid_<name>``.
    """
    answer = await api.get("/call/outgoing/list/", **params)
    assert answer.status == 200
    assert (answer.json["sort_by"], answer.json["sort_dir"]) == ("call_date_ms", "desc")
    assert (answer.json["limit"], answer.json["offset"]) == (50, 0)
    state.variants.invented_param_errors = True
    answer = await api.get("/call/outgoing/list/", **params)
    assert (answer.status, answer.json) == (400, {"success": False, "error": error})
