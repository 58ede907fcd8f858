"""Received-SMS endpoints: ``/getsms/`` and friends, ``/deletesms/``."""

from . import timefmt
from .endpoints import Checks, Ctx, Endpoint, authenticated, missing_param, opt
from .replies import Reply, sms_error, sms_result
from .state import SimReceivedSms, SmsTimeFormat


@authenticated("getsms")
def get_sms(ctx: Ctx) -> Reply:
    """List received SMS, oldest first."""
    params = ctx.params
    rows = ctx.account.received
    after = opt(params, "after_timestamp_unix")
    if after is not None and not after.isdigit():
        checks = Checks(ctx.state)
        checks.invalid("after_timestamp_unix", "expected UNIX seconds")
        if (refusal := checks.answer()) is not None:
            return refusal
    elif after is not None:
        cutoff = timefmt.from_unix(int(after) + 1)  # timestamp > after, in whole seconds
        rows = [sms for sms in rows if sms.received_at >= cutoff]
    sid = opt(params, "sIdentifiantPhone")
    if sid is not None:
        rows = [sms for sms in rows if sms.sid == sid]
    if params.get("onlyunread") == "yes":
        rows = [sms for sms in rows if not sms.read]
    ordered = sorted(rows, key=lambda sms: (sms.received_at, sms.id))
    time_format = ctx.state.variants.sms_time_format
    return sms_result(error="", sms=[_sms_row(sms, time_format) for sms in ordered])


def _sms_row(sms: SimReceivedSms, time_format: SmsTimeFormat) -> dict[str, object]:
    row: dict[str, object] = {"id": sms.id, "sIdentifiantPhone": sms.sid}
    match time_format:
        case "unix":
            row["timestamp_unix"] = sms.timestamp
        case "unix_ms":
            row["timestamp_unix"] = timefmt.unix_ms(sms.received_at)
        case "date_hour":
            row["date"] = timefmt.day_text(sms.received_at)
            row["hour"] = timefmt.time_text(sms.received_at)
        case "time_received_ms":
            row["time_received"] = str(timefmt.unix_ms(sms.received_at))
        case "time_received_compact":
            row["time_received"] = timefmt.compact_ms(sms.received_at)
    row |= {"message": sms.message, "number": sms.number, "guid": sms.guid, "alias": sms.alias}
    return row


@authenticated("sms")
def set_read(ctx: Ctx) -> Reply:
    """Set the API-side read flag of one received SMS."""
    guid = opt(ctx.params, "guid_message")
    if guid is None:
        return missing_param(ctx.state, "guid_message")
    sms = ctx.account.find_received(guid)
    if sms is None:
        return sms_error("not_found", "No received SMS has this GUID")
    sms.read = True
    return sms_result(error=0, guid=sms.guid, read=1)


@authenticated("sms")
def update_alias(ctx: Ctx) -> Reply:
    """Set or clear (empty ``alias``) the alias of one received SMS."""
    guid = opt(ctx.params, "guid")
    if guid is None:
        return missing_param(ctx.state, "guid")
    if "alias" not in ctx.params:
        return missing_param(ctx.state, "alias")
    sms = ctx.account.find_received(guid)
    if sms is None:
        return sms_error("not_found", "No received SMS has this GUID")
    sms.alias = opt(ctx.params, "alias")
    return sms_result(error=0, guid=sms.guid, alias=sms.alias)


@authenticated("sms")
def delete_sms(ctx: Ctx) -> Reply:
    """Delete received SMS from the server log: one GUID, one day or a range of days."""
    params = ctx.params
    guid = opt(params, "guid_message")
    if guid is not None:
        sms = ctx.account.find_received(guid)
        if sms is None:
            return sms_error("not_found", "No received SMS has this GUID")
        ctx.account.received.remove(sms)
        return sms_result(error=0, deleted=1)
    checks = Checks(ctx.state)
    start_text = opt(params, "date_start")
    start = None if start_text is None else timefmt.parse_day(start_text)
    if start_text is None:
        checks.invented(sms_error("missing_parameter", "guid_message or date_start is required"))
    elif start is None:
        checks.invalid("date_start", "expected YYYY-MM-DD")
    end_text = opt(params, "date_end")
    end = start if end_text is None else timefmt.parse_day(end_text)
    if start is not None and (end is None or end < start):
        checks.invalid("date_end", "expected YYYY-MM-DD, not before date_start")
    if (refusal := checks.answer()) is not None:
        return refusal
    if start is None:
        return sms_result(error=0, deleted=0)  # no readable day: nothing deleted
    # An unreadable date_end is ignored (the day alone); one before date_start spans nothing.
    first, last = timefmt.day_start(start), timefmt.day_end(end or start)
    kept = [sms for sms in ctx.account.received if not first <= sms.received_at <= last]
    deleted = len(ctx.account.received) - len(kept)
    ctx.account.received = kept
    return sms_result(error=0, deleted=deleted)


ENDPOINTS = (
    Endpoint("/getsms/", ("GET",), get_sms),
    Endpoint("/getsms/set-read/", ("GET",), set_read),
    Endpoint("/getsms/update/", ("GET", "POST"), update_alias),
    Endpoint("/deletesms/", ("GET",), delete_sms),
)
