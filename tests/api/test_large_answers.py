"""Large answers are read in slices, the event loop running in between, with the same result.

``loads_in_slices`` must give what ``json.loads`` gives (or fail where it fails); a large answer
must be classified exactly as the same answer read at once; and other tasks must run while a
large answer is read. Nothing here measures a time: "the loop ran" is counted in turns of a
concurrent task.
"""

import asyncio
from collections.abc import Awaitable, Callable
from datetime import timedelta
import json
import random
from typing import Any

from hypothesis import HealthCheck, given, settings, strategies as st
import pytest

from custom_components.smsmobileapi.api import (
    ApiKeyCredentials,
    SmsGatewayError,
    SmsMobileApiClient,
    slices,
)
from custom_components.smsmobileapi.api.callr import transport as callr_transport
from custom_components.smsmobileapi.api.callr.errors import read_answer
from custom_components.smsmobileapi.api.smsmobileapi import (
    parsing as sms_parsing,
    transport as sms_transport,
)
from custom_components.smsmobileapi.api.smsmobileapi.errors import raise_for_answer
from custom_components.smsmobileapi.api.smsmobileapi.parsing import (
    parse_received_sms,
    parse_sms_list,
    sms_order,
)

from .conftest import API_KEY, NOW, REQUEST_TIMEOUT, Sim

FAST = settings(
    max_examples=200,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)

_scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8)
json_values = st.recursive(
    _scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4)
    ),
    max_leaves=20,
)


def _outcome(read: Callable[[], Any]) -> tuple[str, Any]:
    """("ok", value) or ("error", the exception's type and text)."""
    try:
        return "ok", read()
    except (ValueError, RecursionError, SmsGatewayError) as err:
        return "error", (type(err).__name__, str(err) if isinstance(err, SmsGatewayError) else "")


async def _async_outcome(read: Callable[[], Awaitable[Any]]) -> tuple[str, Any]:
    try:
        return "ok", await read()
    except (ValueError, RecursionError, SmsGatewayError) as err:
        return "error", (type(err).__name__, str(err) if isinstance(err, SmsGatewayError) else "")


async def _same_as_json_loads(text: str) -> None:
    _same(
        _outcome(lambda: json.loads(text)),
        await _async_outcome(lambda: slices.loads_in_slices(text)),
    )


def _same(expected: tuple[str, Any], got: tuple[str, Any]) -> None:
    """The same value (NaN included: compared through JSON), or the same kind of failure."""
    assert expected[0] == got[0], (expected, got)
    if expected[0] == "ok":
        assert json.dumps(expected[1], sort_keys=True) == json.dumps(got[1], sort_keys=True)
    else:
        assert expected[1] == got[1]


@pytest.fixture
def small_slices(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every answer is "large" and a slice is a few characters: every path of the slicer runs."""
    monkeypatch.setattr(slices, "SLICE_CHARS", 7)
    monkeypatch.setattr(slices, "SLICE_BYTES", 3)
    monkeypatch.setattr(slices, "ROWS_PER_SLICE", 2)
    monkeypatch.setattr(sms_transport, "LARGE_ANSWER", 0)
    monkeypatch.setattr(callr_transport, "LARGE_ANSWER", 0)


class Turns:
    """Counts the turns a concurrent task gets while something else runs."""

    def __init__(self) -> None:
        """Not counting yet."""
        self.count = 0
        self._task: asyncio.Task[None] | None = None

    async def _spin(self) -> None:
        while True:
            await asyncio.sleep(0)
            self.count += 1

    async def during[T](self, work: Awaitable[T]) -> T:
        """Run ``work`` while counting; the count covers ``work`` only."""
        self._task = asyncio.create_task(self._spin())
        await asyncio.sleep(0)
        self.count = 0
        try:
            return await work
        finally:
            self._task.cancel()


# --- the sliced JSON reader ----------------------------------------------------------------------


@FAST
@given(value=json_values, spaces=st.sampled_from(["", " ", "\n\t "]))
async def test_same_value_as_json_loads(small_slices: None, value: object, spaces: str) -> None:
    """Any JSON document, compact or spaced: the value ``json.loads`` gives."""
    text = spaces + json.dumps(value, indent=1 if spaces else None) + spaces
    _same(
        _outcome(lambda: json.loads(text)),
        await _async_outcome(lambda: slices.loads_in_slices(text)),
    )


@FAST
@given(
    text=st.text(alphabet='{}[]:," \\\nabtrufnel0123456789.-+eE', max_size=40)
    | st.text(max_size=20)
    | json_values.map(json.dumps).flatmap(
        lambda valid: st.integers(0, len(valid)).map(lambda cut: valid[:cut])
    )
)
async def test_fails_where_json_loads_fails(small_slices: None, text: str) -> None:
    """Any text (broken JSON, truncated JSON, junk): the value, or a failure, as ``json.loads``."""
    _same(
        _outcome(lambda: json.loads(text)),
        await _async_outcome(lambda: slices.loads_in_slices(text)),
    )


@pytest.mark.parametrize(
    "text",
    [
        "[1,]",
        '{"a":1,}',
        '{"a" 1}',
        "[1 2]",
        "[1]x",
        "\ufeff{}",
        '{"a":1 "b":2}',
        "{1:2}",
        "[" * 5000,
    ],
)
async def test_known_failures(small_slices: None, text: str) -> None:
    """Trailing commas, missing delimiters, extra data, a BOM, deep nesting: failures."""
    _same(
        _outcome(lambda: json.loads(text)),
        await _async_outcome(lambda: slices.loads_in_slices(text)),
    )


async def test_duplicate_keys_keep_the_last_in_the_first_place(small_slices: None) -> None:
    """As ``json.loads``: the last value, at the first key's position."""
    text = '{"a": 1, "b": 2, "a": 3}'
    got = await slices.loads_in_slices(text)
    assert list(got.items()) == list(json.loads(text).items()) == [("a", 3), ("b", 2)]


@FAST
@given(
    raw=st.binary(max_size=40)
    | st.text(max_size=20).map(lambda text: "\ufeff".encode() + text.encode())
)
async def test_decode_in_slices(small_slices: None, raw: bytes) -> None:
    """The same text as one ``decode``, a character split across two slices included."""
    for encoding in ("utf-8-sig", "utf-8"):
        assert await slices.decode_in_slices(raw, encoding) == raw.decode(encoding, "replace")
        chunks = [raw[index : index + 5] for index in range(0, len(raw), 5)]
        assert await slices.decode_in_slices(chunks, encoding) == raw.decode(encoding, "replace")


async def test_decode_across_the_slice_boundary() -> None:
    """A character whose bytes straddle two slices of the real size is decoded whole."""
    size = slices.SLICE_BYTES
    raw = b"a" * (size - 1) + "é€".encode() + b"z"
    assert await slices.decode_in_slices(raw) == raw.decode("utf-8-sig")
    chunks = [raw[: size - 2], raw[size - 2 : size + 1], raw[size + 1 :]]
    assert await slices.decode_in_slices(chunks) == raw.decode("utf-8-sig")


async def test_rows_and_sort_in_slices(small_slices: None) -> None:
    """``map_in_slices`` is a list comprehension; ``sorted_in_slices`` a stable sort."""
    rng = random.Random(7)  # noqa: S311 - test data
    items = [(rng.randint(0, 5), index) for index in range(50)]
    assert await slices.map_in_slices(str, items) == [str(item) for item in items]
    by_first = await slices.sorted_in_slices(items, lambda item: item[0])
    assert by_first == sorted(items, key=lambda item: item[0])
    ordered = sorted(items)
    assert await slices.sorted_in_slices(ordered, lambda item: item) is ordered


async def test_the_loop_runs_while_a_large_answer_is_read() -> None:
    """Other tasks get turns while a large text is decoded, read and turned into rows."""
    rows = [
        {"guid": f"G{index}", "number": "+32470000001", "timestamp_unix": 1790000000 + index}
        for index in range(3 * slices.ROWS_PER_SLICE)
    ]
    raw = json.dumps({"result": {"error": "", "sms": rows * 20}}).encode()
    assert len(raw) > 2 * slices.SLICE_BYTES
    turns = Turns()
    text = await turns.during(slices.decode_in_slices(raw))
    assert turns.count > 0
    body = await turns.during(slices.loads_in_slices(text))
    assert turns.count > 0
    assert body == json.loads(raw)
    parsed = await turns.during(slices.map_in_slices(parse_received_sms, body["result"]["sms"]))
    assert turns.count > 0
    assert tuple(sorted(parsed, key=sms_order)) == parse_sms_list(body["result"])


def test_without_lists() -> None:
    """Lists emptied at every depth, objects kept down to the depth asked, scalars kept."""
    body = {"a": [1, 2], "b": {"c": [3], "d": {"e": {"f": 1}}, "g": "x"}, "h": None}
    assert slices.without_lists(body) == {
        "a": [],
        "b": {"c": [], "d": {"e": {}}, "g": "x"},
        "h": None,
    }
    assert slices.without_lists([body]) == []
    assert slices.without_lists("text") == "text"


@FAST
@given(value=json_values, path=st.lists(st.sampled_from(["a", "b", "sms"]), max_size=3))
async def test_rows_are_read_as_after_json_loads(
    small_slices: None, value: object, path: list[str]
) -> None:
    """A reader of a list's elements: the value ``read_rows`` makes of ``json.loads``'s."""
    text = json.dumps(value)
    seen: list[str] = []

    def read(element: object) -> str:
        seen.append(json.dumps(element, sort_keys=True))
        return "read"

    got = await slices.loads_in_slices(text, slices.Rows(tuple(path), read))
    during = list(seen)
    seen.clear()
    expected = json.loads(text)
    await slices.read_rows(expected, slices.Rows(tuple(path), read))
    assert json.dumps(got, sort_keys=True) == json.dumps(expected, sort_keys=True)
    # No key is repeated (hypothesis' dictionaries have none): the same elements, in order.
    assert during == seen


@FAST
@given(rows=st.lists(json_values, max_size=6))
async def test_model_rows_fail_as_a_parser_going_through_the_list(
    small_slices: None, rows: list[object]
) -> None:
    """Rows read into models as they come: the models, or the first row's error, as a loop."""
    expected = _outcome(lambda: [parse_received_sms(row) for row in rows])
    reader = slices.ModelRows(parse_received_sms)
    text = json.dumps({"result": {"sms": rows}})
    body = await slices.loads_in_slices(text, slices.Rows(("result", "sms"), reader.read))
    got = _outcome(lambda: reader.models(body["result"]["sms"]))
    assert expected[0] == got[0]
    assert expected[1] == got[1]


_sms_rows = st.lists(
    st.fixed_dictionaries(
        {},
        optional={
            "guid": st.sampled_from(["G1", "G2", "", None, 3]),
            "number": st.sampled_from(["+1", "", None]),
            "timestamp_unix": st.sampled_from([1790000000, "x", None]),
            "date": st.just("2026-09-23"),
        },
    )
    | _scalars,
    max_size=5,
)


@FAST
@given(result=st.fixed_dictionaries({}, optional={"sms": _sms_rows | _scalars, "error": _scalars}))
async def test_sms_times_check_rows_as_the_models_do(
    small_slices: None, result: dict[str, Any]
) -> None:
    """The unread list read as GUIDs and times: the same SMS, or the same error, as the models."""
    expected = _outcome(lambda: {sms.guid: sms.received_at for sms in parse_sms_list(result)})
    times = sms_parsing.SmsTimes()
    rows = result.get("sms")
    for row in rows if isinstance(rows, list) else []:
        times.read(row)
    _same_times(expected, _outcome(lambda: times.result(result)))


def _same_times(expected: tuple[str, Any], got: tuple[str, Any]) -> None:
    assert expected[0] == got[0], (expected, got)
    assert expected[1] == got[1]


async def test_unread_times_through_the_client(sim: Sim, session: Any) -> None:  # noqa: ANN401
    """A large unread list: the GUIDs and times of the models, the loop running meanwhile."""
    sim.state.add_received_bulk(sim.account, 4000)
    sim.account.received[10].read = True
    client = SmsMobileApiClient(
        session, ApiKeyCredentials(API_KEY), base_url=sim.url, request_timeout=REQUEST_TIMEOUT
    )
    turns = Turns()
    times = await turns.during(client.get_unread_times())
    assert turns.count > 0
    listed = await client.get_received_sms(unread_only=True)
    assert times == {sms.guid: sms.received_at for sms in listed}
    assert len(times) == 3999
    assert sim.state.stats["/getsms/"].bytes_sent > 2 * slices.LARGE_ANSWER


async def test_unread_times_of_a_small_list(sim: Sim, session: Any) -> None:  # noqa: ANN401
    """A few unread SMS (read at once): the same."""
    sim.state.add_received_bulk(sim.account, 3)
    client = SmsMobileApiClient(
        session, ApiKeyCredentials(API_KEY), base_url=sim.url, request_timeout=REQUEST_TIMEOUT
    )
    listed = await client.get_received_sms(unread_only=True)
    assert await client.get_unread_times() == {sms.guid: sms.received_at for sms in listed}


# --- the classifiers see the same thing ----------------------------------------------------------

_error_values = _scalars | st.sampled_from(
    [
        "1",
        "invalid_apikey",
        "api_expired",
        "subscription_expire",
        "429",
        "0",
        "",
        "error",
        "success",
    ]
)
_members = st.fixed_dictionaries(
    {},
    optional={
        "error": _error_values | json_values,
        "message": _error_values,
        "detail": _error_values,
        "success": st.booleans() | _scalars,
        "status": _error_values,
        "result": st.fixed_dictionaries(
            {}, optional={"error": _error_values, "message": _error_values, "sms": json_values}
        )
        | json_values,
        "data": st.fixed_dictionaries(
            {}, optional={"code": _error_values, "message": _error_values}
        )
        | json_values,
    },
)
_statuses = st.sampled_from([200, 200, 201, 204, 400, 401, 403, 404, 429, 500, 503])


def _scrub(text: str) -> str:
    return text.replace(API_KEY, "**REDACTED**")


@FAST
@given(status=_statuses, body=_members | json_values, retry_after=st.none() | st.just("30"))
async def test_smsmobileapi_classification_is_the_same(
    small_slices: None, status: int, body: object, retry_after: str | None
) -> None:
    """Any answer read in slices: the body or the error of the same answer read at once."""
    raw = json.dumps(body).encode()
    expected = _outcome(
        lambda: raise_for_answer("getsms/", status, raw.decode(), retry_after, _scrub)
    )
    got = await _async_outcome(
        lambda: sms_transport._answer("getsms/", status, [raw], retry_after, _scrub)
    )
    _same(expected, got)


@FAST
@given(status=_statuses, body=_members | json_values, retry_after=st.none() | st.just("30"))
async def test_callr_classification_is_the_same(
    small_slices: None, status: int, body: object, retry_after: str | None
) -> None:
    """Any CALLR answer read in slices: the data or the error of the same answer read at once."""
    raw = json.dumps(body).encode()
    expected = _outcome(lambda: read_answer("GET /sms", status, raw.decode(), retry_after, _scrub))
    answer = callr_transport._Answer(status, [raw], retry_after)
    got = await _async_outcome(lambda: callr_transport._data("GET /sms", answer, _scrub))
    _same(expected, got)


@pytest.mark.parametrize("text", ["[1, 2", "<html>" + "x" * 300, '{"result": {"sms": [1,', "12 13"])
async def test_broken_large_answers_are_classified_from_their_text(
    small_slices: None, text: str
) -> None:
    """Not JSON: the same error as ever (the text is classified, not its reading)."""
    raw = text.encode()
    _same(
        _outcome(lambda: raise_for_answer("getsms/", 200, text, None, _scrub)),
        await _async_outcome(
            lambda: sms_transport._answer("getsms/", 200, [raw[:2], raw[2:]], None, _scrub)
        ),
    )
    answer = callr_transport._Answer(200, [raw[:3], raw[3:]], None)
    _same(
        _outcome(lambda: read_answer("GET /sms", 200, text, None, _scrub)),
        await _async_outcome(lambda: callr_transport._data("GET /sms", answer, _scrub)),
    )


# --- end to end, over loopback ------------------------------------------------------------------


async def test_a_large_inbox_through_the_client(sim: Sim, session: Any) -> None:  # noqa: ANN401
    """A /getsms/ answer of several slices: the same SMS as a small one, the loop running."""
    sim.state.add_received_bulk(sim.account, 4000)
    client = SmsMobileApiClient(
        session, ApiKeyCredentials(API_KEY), base_url=sim.url, request_timeout=REQUEST_TIMEOUT
    )
    turns = Turns()
    listed = await turns.during(client.get_received_sms())
    assert turns.count > 0
    assert [sms.guid for sms in listed] == [sms.guid for sms in sim.account.received]
    recent = await client.get_received_sms(after=NOW - timedelta(seconds=10))
    assert [sms.guid for sms in recent] == [sms.guid for sms in listed[-10:]]
