"""Call-management endpoints: missed, incoming and outgoing call lists."""

from collections.abc import Callable

from . import timefmt
from .endpoints import Checks, Ctx, Endpoint, Handler, Params, authenticated, opt
from .replies import Reply, json_reply, success_error
from .state import CallType, SimCall

MISSED_DEFAULT_LIMIT = 100
MISSED_MAX_LIMIT = 500
ROWS_DEFAULT_LIMIT = 50
ROWS_MAX_LIMIT = 200
_SORT_KEYS: dict[str, Callable[[SimCall], int | str]] = {
    "call_date_ms": lambda call: timefmt.unix_ms(call.at),
    "call_datetime_utc": lambda call: timefmt.sql(call.at),
    "duration_sec": lambda call: call.duration,
    "phone_number": lambda call: call.number,
    "created_at": lambda call: timefmt.sql(call.created_at),
    "cached_name": lambda call: call.name or "",
    "geo_location": lambda call: call.geo_location or "",
}
SORT_FIELDS = tuple(_SORT_KEYS)


def _int_param(params: Params, name: str, default: int) -> int | None:
    """Return an integer parameter, its default when absent, ``None`` when not an integer."""
    text = opt(params, name)
    if text is None:
        return default
    try:
        return int(text)
    except ValueError:
        return None


def _page(params: Params, default_limit: int, max_limit: int, checks: Checks) -> tuple[int, int]:
    """Offset and limit as the docs describe them (clamped); one not an integer: its default."""
    offset = _int_param(params, "offset", 0)
    limit = _int_param(params, "limit", default_limit)
    if offset is None:
        checks.invented(success_error("invalid_offset"))
    if limit is None:
        checks.invented(success_error("invalid_limit"))
    offset = 0 if offset is None else max(offset, 0)
    limit = default_limit if limit is None else limit
    return offset, min(max(limit, 1), max_limit)


def _calls(ctx: Ctx, call_type: CallType) -> list[SimCall]:
    return [call for call in ctx.account.calls if call.call_type == call_type]


@authenticated("missed_call")
def missed_calls(ctx: Ctx) -> Reply:
    """List missed calls, newest first."""
    params = ctx.params
    checks = Checks(ctx.state)
    offset, limit = _page(params, MISSED_DEFAULT_LIMIT, MISSED_MAX_LIMIT, checks)
    calls = _calls(ctx, "missed")
    for name, keep_after in (("date_start", True), ("date_end", False)):
        text = opt(params, name)
        if text is None:
            continue
        day = timefmt.parse_day(text)
        if day is None:
            checks.invented(success_error(f"invalid_{name}"))
        elif keep_after:
            calls = [call for call in calls if call.at >= timefmt.day_start(day)]
        else:
            calls = [call for call in calls if call.at <= timefmt.day_end(day)]
    if (refusal := checks.answer()) is not None:
        return refusal
    search = opt(params, "search")
    if search is not None:
        calls = [call for call in calls if _mentions(call, search)]
    calls.sort(key=lambda call: call.at, reverse=True)
    page = calls[offset : offset + limit]
    data = [{"number": c.number, "name": c.name or "", "date": timefmt.sql(c.at)} for c in page]
    return json_reply(
        {"success": True, "offset": offset, "limit": limit, "count": len(data), "data": data}
    )


def _rows_endpoint(call_type: CallType) -> Handler:
    """Build the handler of the incoming or outgoing call list (same parameters)."""

    @authenticated("call")
    def list_rows(ctx: Ctx) -> Reply:
        params = ctx.params
        checks = Checks(ctx.state)
        offset, limit = _page(params, ROWS_DEFAULT_LIMIT, ROWS_MAX_LIMIT, checks)
        # "Whitelisted fields only": anything else falls back to the default.
        sort_by = opt(params, "sort_by") or "call_date_ms"
        if sort_by not in _SORT_KEYS:
            checks.invented(success_error("invalid_sort_by"))
            sort_by = "call_date_ms"
        sort_dir = (opt(params, "sort_dir") or "desc").lower()
        if sort_dir not in {"asc", "desc"}:
            checks.invented(success_error("invalid_sort_dir"))
            sort_dir = "desc"
        calls = _filter_rows(params, _calls(ctx, call_type), checks)
        if (refusal := checks.answer()) is not None:
            return refusal
        descending = sort_dir == "desc"
        calls.sort(key=lambda call: call.at, reverse=descending)  # ties follow the call date
        calls.sort(key=_SORT_KEYS[sort_by], reverse=descending)
        rows = [_row(call) for call in calls[offset : offset + limit]]
        return json_reply(
            {
                "success": True,
                "apikey": ctx.account.api_key,
                "limit": limit,
                "offset": offset,
                "sort_by": sort_by,
                "sort_dir": sort_dir,
                "filters": {
                    "date_from_ms": opt(params, "date_from_ms"),
                    "date_to_ms": opt(params, "date_to_ms"),
                    "q": opt(params, "q"),
                },
                "count": len(rows),
                "rows": rows,
            }
        )

    return list_rows


def _filter_rows(params: Params, calls: list[SimCall], checks: Checks) -> list[SimCall]:
    for name in ("date_from_ms", "date_to_ms"):
        text = opt(params, name)
        if text is None:
            continue
        if not text.isdigit():
            checks.invented(success_error(f"invalid_{name}"))
            continue
        bound = int(text)
        if name == "date_from_ms":
            calls = [call for call in calls if timefmt.unix_ms(call.at) >= bound]
        else:
            calls = [call for call in calls if timefmt.unix_ms(call.at) <= bound]
    query = opt(params, "q")
    return calls if query is None else [call for call in calls if _mentions(call, query)]


def _mentions(call: SimCall, text: str) -> bool:
    """Tell whether the number or the contact name contains a text (SQL LIKE, no case)."""
    needle = text.casefold()
    return needle in call.number.casefold() or needle in (call.name or "").casefold()


def _row(call: SimCall) -> dict[str, object]:
    return {
        "phone_number": call.number,
        "cached_name": call.name or None,
        "call_date_ms": timefmt.unix_ms(call.at),
        "call_datetime_utc": timefmt.sql(call.at),
        "duration_sec": call.duration,
        "geo_location": call.geo_location,
        "created_at": timefmt.sql(call.created_at),
    }


ENDPOINTS = (
    Endpoint("/call/missed/list/", ("GET",), missed_calls),
    Endpoint("/call/incoming/list/", ("GET",), _rows_endpoint("incoming")),
    Endpoint("/call/outgoing/list/", ("GET",), _rows_endpoint("outgoing")),
)
