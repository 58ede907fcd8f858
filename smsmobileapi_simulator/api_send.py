"""Sending endpoints: ``/sendsms/``, ``/resend/`` and the two sent-SMS logs."""

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta

from . import timefmt
from .endpoints import Checks, Ctx, Endpoint, Params, authenticated, missing_param, opt
from .replies import Reply, json_reply, sms_error, sms_result
from .state import Account, SimMobileSentSms, SimPhone, SimSentSms

LOG_PAGE_SIZE = 100
"""Rows per page of ``/log/sent/sms/`` (undocumented; page on with ``before``)."""

FROM_MOBILE_LIMIT = 200
FROM_MOBILE_HISTORY = timedelta(days=7)
_FROM_MOBILE_SORT_KEYS: dict[str, Callable[[SimMobileSentSms], str]] = {
    "sIdentifiant": lambda row: row.sid,
    "number": lambda row: row.number,
    "message": lambda row: row.message,
    "mobile_date_ms": lambda row: row.sent_at.astimezone(UTC).isoformat(),
    "mobile_date_formatted": lambda row: row.sent_at.astimezone(UTC).isoformat(),
    "synchro_time": lambda row: row.synchro_time.astimezone(UTC).isoformat(),
}
FROM_MOBILE_SORT_FIELDS = tuple(_FROM_MOBILE_SORT_KEYS)
_PERIODS = ("today", "yesterday", "last_24h", "last_3days", "last_7days")
_SEND_CHOICES: dict[str, tuple[str, ...]] = {
    "port": ("1", "2"),
    "shorturl": ("0", "1"),
    "sendwa": ("0", "1"),
    "sendsms": ("0", "1"),
    "waonly": ("yes", "no"),
    "encrypt_message": ("yes", "no"),
}


# /sendsms/

# Values the OpenAPI file declares (enums, an integer): anything else is a documented 400.
_DECLARED = frozenset({"port", "shorturl", "waonly"})


@authenticated("sms")
def send_sms(ctx: Ctx) -> Reply:
    """Queue an SMS and/or WhatsApp message on one of the account's phones."""
    params = ctx.params
    recipients = opt(params, "recipients")
    if recipients is None:
        return missing_param(ctx.state, "recipients")
    if opt(params, "message") is None:
        return missing_param(ctx.state, "message")
    checks = Checks(ctx.state)
    _check_send_options(ctx.account, params, checks)
    via_whatsapp = _via_whatsapp(params)
    if opt(params, "sendsms") == "0" and not via_whatsapp:
        checks.invented(sms_error("nothing_to_send", "sendsms=0 without WhatsApp sends nothing"))
    if (refusal := checks.answer()) is not None:
        return refusal
    phone = _target_phone(ctx.account, opt(params, "sIdentifiant"))
    sent = ctx.state.add_sent_sms(
        ctx.account,
        recipients=recipients,
        message=params["message"],
        status="queued" if phone is not None and phone.online else "error",
        created_at=ctx.now,
        sid=phone.sid if phone is not None else None,
        fields={key: value for key, value in params.items() if key != "apikey"},
    )
    webhook = ctx.state.webhook
    if webhook is not None and webhook.message_events:
        if opt(params, "waonly") != "yes" and opt(params, "sendsms") != "0":
            ctx.state.push_message_event(sent, "sms.api.submitted")
        if via_whatsapp:
            ctx.state.push_message_event(sent, "whatsapp.submitted")
    return sms_result(
        error=0,
        sent="1",
        id=sent.guid,
        note="sent by mobile",
        datetime=timefmt.iso_z(ctx.now),
        datetimeLocal=ctx.now.astimezone(ctx.state.local_timezone).isoformat(timespec="seconds"),
        port=opt(params, "port"),
        iac_control="1",
        iac_authorized="1",
        send_with_whatsapp="1" if via_whatsapp else "0",
        encrypted={"status": "1" if opt(params, "encrypt_message") == "yes" else "0"},
        trial_account={"status": "0", "sms_sent": 0},
    )


def _via_whatsapp(params: Params) -> bool:
    return opt(params, "sendwa") == "1" or opt(params, "waonly") == "yes"


def _check_send_options(account: Account, params: Params, checks: Checks) -> None:
    for name, allowed in _SEND_CHOICES.items():
        value = opt(params, name)
        if value is not None and value not in allowed:
            detail = f"expected one of {', '.join(allowed)}"
            checks.invalid(name, detail, documented=name in _DECLARED)
    sid = opt(params, "sIdentifiant")
    if sid is not None and sid not in account.phones:
        checks.invalid("sIdentifiant", "no connected mobile has this SID")
    schedule = opt(params, "schedule_timestamp")
    if schedule is not None and not schedule.isdigit():
        checks.invalid("schedule_timestamp", "expected UNIX seconds", documented=True)
    media = opt(params, "url_media")
    if media is not None and not media.startswith("https://"):
        checks.invalid("url_media", "expected an https URL")


def _target_phone(account: Account, sid: str | None) -> SimPhone | None:
    """Return the chosen phone, else the first online one, else the first one.

    An unknown SID (refused only by ``invented_param_errors``) reaches no phone: the message
    is accepted and ends in error.
    """
    if sid is not None:
        return account.phones.get(sid)
    phones = list(account.phones.values())
    return next((phone for phone in phones if phone.online), phones[0] if phones else None)


# /resend/


@authenticated("sms")
def resend(ctx: Ctx) -> Reply:
    """Queue again a sent message that is in error."""
    guid = opt(ctx.params, "guid")
    if guid is None:
        return missing_param(ctx.state, "guid")
    sent = _find_sent(ctx, guid)
    if sent is None:
        return sms_error("not_found", "No sent message has this GUID")
    if sent.status != "error":
        return sms_error("not_in_error", "Only messages in error status can be resent")
    sent.status = "queued"
    sent.error_source = None
    return sms_result(error=0, resent="1", id=sent.guid)


def _find_sent(ctx: Ctx, guid: str) -> SimSentSms | None:
    wanted = guid.lower()
    return next((sent for sent in ctx.state.sent_for(ctx.account) if sent.guid == wanted), None)


# /log/sent/sms/


@authenticated("sms")
def sent_log(ctx: Ctx) -> Reply:
    """List messages sent through the API, newest first, one page at a time."""
    params = ctx.params
    checks = Checks(ctx.state)
    rows = ctx.state.sent_for(ctx.account)
    before = opt(params, "before")
    cut = None if before is None else _before_cut(ctx, rows, before)
    if before is not None and cut is None:
        checks.invalid("before", "expected UNIX seconds or a known message GUID")
    if (refusal := checks.answer()) is not None:
        return refusal
    if cut is not None:
        rows = rows[:cut]
    guid = opt(params, "guid_message")
    if guid is not None:
        rows = [sent for sent in rows if sent.guid == guid.lower()]
    if params.get("error_api") == "1":
        rows = [sent for sent in rows if sent.error_source == "api"]
    if params.get("error_mobile") == "1":
        rows = [sent for sent in rows if sent.error_source == "mobile"]
    keyword = opt(params, "keyword")
    if keyword is not None:
        needle = keyword.casefold()
        rows = [
            s for s in rows if needle in s.recipients.casefold() or needle in s.message.casefold()
        ]
    page = list(reversed(rows))[:LOG_PAGE_SIZE]
    return _log_reply(ctx, [_sent_row(sent) for sent in page])


def _log_reply(ctx: Ctx, rows: Sequence[Mapping[str, object]]) -> Reply:
    """Answer a sent log in the chosen layout (every one invented: see ``Variants``)."""
    match ctx.state.variants.invented_sent_log_layout:
        case "result_sms":
            return sms_result(error=0, count=len(rows), sms=rows)
        case "result_data":
            return sms_result(error=0, count=len(rows), data=rows)
        case "data":
            return json_reply({"success": True, "count": len(rows), "data": rows})


def _before_cut(ctx: Ctx, rows: list[SimSentSms], before: str) -> int | None:
    """Return how many of the oldest-first rows come before ``before``; ``None`` if invalid."""
    if before.isdigit():
        return sum(1 for sent in rows if timefmt.unix(sent.created_at) < int(before))
    wanted = before.lower()
    return next((index for index, sent in enumerate(rows) if sent.guid == wanted), None)


def _sent_row(sent: SimSentSms) -> dict[str, object]:
    return {
        "guid": sent.guid,
        "recipients": sent.recipients,
        "message": sent.message,
        "status": sent.status,
        "date": timefmt.sql(sent.created_at),
        "timestamp_unix": timefmt.unix(sent.created_at),
        "sIdentifiant": sent.sid,
        "port": sent.fields.get("port") or None,
        "send_with_whatsapp": "1" if _via_whatsapp(sent.fields) else "0",
        "error_api": "1" if sent.error_source == "api" else "0",
        "error_mobile": "1" if sent.error_source == "mobile" else "0",
    }


# /log/sent/frommobile/


@authenticated("sms")
def sent_from_mobile(ctx: Ctx) -> Reply:
    """List SMS sent from the phones themselves during the last 7 days."""
    params = ctx.params
    checks = Checks(ctx.state)
    rows = [
        row for row in ctx.account.sent_from_mobile if row.sent_at >= ctx.now - FROM_MOBILE_HISTORY
    ]
    rows = _filter_from_mobile(ctx.now, params, rows, checks)
    sort_by = opt(params, "sort_by") or "mobile_date_ms"
    if sort_by not in FROM_MOBILE_SORT_FIELDS:
        checks.invalid("sort_by", f"expected one of {', '.join(FROM_MOBILE_SORT_FIELDS)}")
        sort_by = "mobile_date_ms"
    order = (opt(params, "sort_order") or "DESC").upper()
    if order not in {"ASC", "DESC"}:
        checks.invalid("sort_order", "expected ASC or DESC")
        order = "DESC"
    limit_text = opt(params, "limit")
    if limit_text is not None and (not limit_text.isdigit() or int(limit_text) < 1):
        checks.invalid("limit", "expected a positive integer")
        limit_text = None
    if (refusal := checks.answer()) is not None:
        return refusal
    limit = min(int(limit_text or FROM_MOBILE_LIMIT), FROM_MOBILE_LIMIT)
    ordered = sorted(rows, key=_FROM_MOBILE_SORT_KEYS[sort_by], reverse=order == "DESC")
    out = [_from_mobile_row(row) for row in ordered[:limit]]
    return _log_reply(ctx, out)


def _filter_from_mobile(
    now: datetime, params: Params, rows: list[SimMobileSentSms], checks: Checks
) -> list[SimMobileSentSms]:
    rows = _filter_by_dates(now, params, rows, checks)
    number = opt(params, "number")
    if number is not None:
        rows = [row for row in rows if number in row.number]
    sid = opt(params, "sIdentifiant")
    if sid is not None:
        rows = [row for row in rows if row.sid == sid]
    message = opt(params, "message")
    if message is not None:
        rows = [row for row in rows if message.casefold() in row.message.casefold()]
    search = opt(params, "search")
    if search is not None:
        needle = search.casefold()
        rows = [
            row
            for row in rows
            if any(needle in str(value).casefold() for value in _from_mobile_row(row).values())
        ]
    return rows


def _filter_by_dates(
    now: datetime, params: Params, rows: list[SimMobileSentSms], checks: Checks
) -> list[SimMobileSentSms]:
    """Apply the day filters and the period; an unreadable one is ignored (see ``Checks``)."""
    for name in ("date", "date_from", "date_to"):
        value = opt(params, name)
        if value is None:
            continue
        day = timefmt.parse_day(value)
        if day is None:
            checks.invalid(name, "expected YYYY-MM-DD")
        elif name == "date":
            rows = [row for row in rows if row.sent_at.date() == day]
        elif name == "date_from":
            rows = [row for row in rows if row.sent_at.date() >= day]
        else:
            rows = [row for row in rows if row.sent_at.date() <= day]
    period = opt(params, "period")
    if period is None:
        return rows
    if period not in _PERIODS:
        checks.invalid("period", f"expected one of {', '.join(_PERIODS)}")
        return rows
    return [row for row in rows if _in_period(now, period, row.sent_at)]


def _in_period(now: datetime, period: str, moment: datetime) -> bool:
    match period:
        case "today":
            return moment.date() == now.date()
        case "yesterday":
            return moment.date() == now.date() - timedelta(days=1)
        case "last_24h":
            return moment >= now - timedelta(hours=24)
        case "last_3days":
            return moment >= now - timedelta(days=3)
        case _:
            return moment >= now - timedelta(days=7)


def _from_mobile_row(row: SimMobileSentSms) -> dict[str, str | int]:
    return {
        "sIdentifiant": row.sid,
        "number": row.number,
        "message": row.message,
        "mobile_date_ms": timefmt.unix_ms(row.sent_at),
        "mobile_date_formatted": timefmt.sql(row.sent_at),
        "synchro_time": timefmt.sql(row.synchro_time),
    }


ENDPOINTS = (
    Endpoint("/sendsms/", ("GET", "POST"), send_sms),
    Endpoint("/resend/", ("GET", "POST"), resend),
    Endpoint("/log/sent/sms/", ("GET",), sent_log),
    Endpoint("/log/sent/frommobile/", ("GET", "POST"), sent_from_mobile),
)
