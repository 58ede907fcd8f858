"""``/conversation/sms/list/``: received and sent SMS merged per phone number."""

from dataclasses import dataclass
from datetime import datetime, timedelta
import re
from typing import Literal

from . import timefmt
from .endpoints import Ctx, Endpoint, Params, authenticated, opt
from .replies import Reply, json_reply, success_error
from .state import Account, SimulatorState

DEFAULT_LIMIT = 20
_TIMEAREA = re.compile(r"^UTC([+-])(\d{1,2})(?::?(\d{2}))?$")


@dataclass(frozen=True, slots=True)
class _Line:
    """One message of a conversation; ``shown`` is the display time (UTC or adjusted)."""

    number: str
    direction: Literal["incoming", "outgoing"]
    message_id: str
    shown: datetime
    utc: datetime
    text: str
    sid: str | None

    def as_json(self) -> dict[str, object]:
        return {
            "direction": self.direction,
            "message_id": self.message_id,
            "date": timefmt.sql(self.shown),
            "timestamp_utc": timefmt.iso_z(self.utc),
            "message": self.text,
            "status": "received" if self.direction == "incoming" else "sent",
            "mobile_sid": self.sid,
        }


@dataclass(frozen=True, slots=True)
class _Query:
    origin: Literal["received", "sent"]
    numero: str | None
    date_from: datetime | None
    date_to: datetime | None
    descending: bool
    limit: int
    resume_lines: int | None


@authenticated("success")
def list_conversations(ctx: Ctx) -> Reply:
    """List conversations (latest first by default), each as one merged timeline."""
    query = _parse(ctx.params)
    if isinstance(query, Reply):
        return query
    lines = [line for line in _all_lines(ctx.state, ctx.account) if _in_range(query, line)]
    by_number: dict[str, list[_Line]] = {}
    for line in sorted(lines, key=lambda item: item.shown):
        by_number.setdefault(line.number, []).append(line)
    wanted_direction = "incoming" if query.origin == "received" else "outgoing"
    numbers = [
        number
        for number, timeline in by_number.items()
        if any(line.direction == wanted_direction for line in timeline)
        and (query.numero is None or number == query.numero)
    ]
    numbers.sort(key=lambda number: by_number[number][-1].shown, reverse=query.descending)
    if query.numero is None:
        numbers = numbers[: query.limit]
    conversations = [
        {
            "phone_number": number,
            "contact_alias": _alias(ctx.account, number),
            "messages": [line.as_json() for line in _resume(by_number[number], query)],
        }
        for number in numbers
    ]
    return json_reply(
        {
            "success": True,
            "origineConversation": query.origin,
            "resume": 0 if query.resume_lines is None else 1,
            "resume_line_how": query.resume_lines,
            "conversations": conversations,
        }
    )


def _parse(params: Params) -> _Query | Reply:
    origin = opt(params, "origineConversation")
    if origin is None:
        return success_error("Missing required parameter: origineConversation")
    if origin not in {"received", "sent"}:
        return success_error("Invalid origineConversation. Allowed values: received, sent")
    bounds: list[datetime | None] = []
    for name in ("date_from", "date_to"):
        text = opt(params, name)
        moment = None if text is None else timefmt.parse_moment(text, end_of_day=name == "date_to")
        if text is not None and moment is None:
            return success_error(f"Invalid {name}. Use YYYY-MM-DD or a full datetime")
        bounds.append(moment)
    sort = (opt(params, "sort") or "DESC").upper()
    if sort not in {"ASC", "DESC"}:
        return success_error("Invalid sort. Allowed values: DESC, ASC")
    limit = _positive(params, "limit", DEFAULT_LIMIT)
    lines = _positive(params, "resume_line_how", 1)
    if limit is None or lines is None:
        return success_error("limit and resume_line_how must be positive integers")
    return _Query(
        origin="received" if origin == "received" else "sent",
        numero=opt(params, "numero"),
        date_from=bounds[0],
        date_to=bounds[1],
        descending=sort == "DESC",
        limit=limit,
        resume_lines=lines if params.get("resume") == "1" else None,
    )


def _positive(params: Params, name: str, default: int) -> int | None:
    text = opt(params, name)
    if text is None:
        return default
    return int(text) if text.isdigit() and int(text) > 0 else None


def _all_lines(state: SimulatorState, account: Account) -> list[_Line]:
    lines = [
        _Line(
            sms.number, "incoming", sms.guid, sms.received_at, sms.received_at, sms.message, sms.sid
        )
        for sms in account.received
    ]
    for sent in state.sent_for(account):
        shown = sent.created_at + _offset(sent.timearea)
        lines.extend(
            _Line(
                number.strip(),
                "outgoing",
                sent.guid,
                shown,
                sent.created_at,
                sent.message,
                sent.sid,
            )
            for number in sent.recipients.split(",")
            if number.strip()
        )
    return lines


def _offset(timearea: str | None) -> timedelta:
    """Return the offset of a ``timearea_of_message`` such as ``UTC+02`` (zero if unknown)."""
    match = _TIMEAREA.match(timearea or "")
    if match is None:
        return timedelta()
    sign = -1 if match.group(1) == "-" else 1
    return sign * timedelta(hours=int(match.group(2)), minutes=int(match.group(3) or 0))


def _in_range(query: _Query, line: _Line) -> bool:
    if query.date_from is not None and line.utc < query.date_from:
        return False
    return query.date_to is None or line.utc <= query.date_to


def _resume(timeline: list[_Line], query: _Query) -> list[_Line]:
    return timeline if query.resume_lines is None else timeline[-query.resume_lines :]


def _alias(account: Account, number: str) -> str | None:
    aliases = [sms.alias for sms in account.received if sms.number == number and sms.alias]
    return aliases[-1] if aliases else None


ENDPOINTS = (Endpoint("/conversation/sms/list/", ("GET", "POST"), list_conversations),)
