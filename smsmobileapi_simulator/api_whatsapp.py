"""WhatsApp endpoints: the number check and the received-message retrieval (``/getwa/``).

Retrieval follows the vendor's workflow (OpenAPI file, Postman collection, API examples):
activate it once (``/getwa/active/?statut=1``; off by default, for privacy), request a
time-limited synchronisation window (``/getwa/synchronisation/``), then read what was
synchronised (``/getwa/``). The OpenAPI file documents the window's answer (``error``,
``messages``, ``expire_at``, ``expire_at_unix``, all strings); the other answers are typed as
any object, so their layouts here are **invented**, with the fields of the Webhook V2
``whatsapp.received`` example, and the same ``guid`` as that push.
"""

from . import timefmt
from .endpoints import Checks, Ctx, Endpoint, authenticated, missing_param, opt
from .replies import Reply, json_reply
from .state import SimReceivedWhatsApp

_INACTIVE = {
    "error": "whatsapp_retrieval_inactive",
    "message": "WhatsApp message retrieval is not activated (see /getwa/active/)",
}


@authenticated("sms")
def check_number(ctx: Ctx) -> Reply:
    """Tell whether a number (country code and number, without "+" or "00") has WhatsApp.

    The OpenAPI file types the answer as any object: this one is **invented**,
    ``{"success": true, "recipients": ..., "whatsapp": true | false | null}``, null when no
    phone is online (the check is made with a phone's WhatsApp, so nobody can tell then).
    A number outside ``Account.without_whatsapp`` has WhatsApp.
    """
    recipients = opt(ctx.params, "recipients")
    if recipients is None:
        return missing_param(ctx.state, "recipients")
    checks = Checks(ctx.state)
    if not recipients.isdigit() or recipients.startswith("00"):
        checks.invalid("recipients", "country code and number, without + or 00")
    if (refusal := checks.answer()) is not None:
        return refusal
    number = recipients.removeprefix("+").removeprefix("00")
    online = any(phone.online for phone in ctx.account.phones.values())
    verdict = number not in ctx.account.without_whatsapp if online else None
    return json_reply({"success": True, "recipients": number, "whatsapp": verdict})


@authenticated("sms")
def set_retrieval(ctx: Ctx) -> Reply:
    """Activate (``statut=1``), deactivate (``0``) or toggle (``x``, the default) retrieval.

    The answer (invented) follows a third-party description of this endpoint:
    ``read_message_active`` 1 or 0 and a ``status_note``.
    """
    statut = opt(ctx.params, "statut") or "x"
    checks = Checks(ctx.state)
    if statut not in {"0", "1", "x"}:
        checks.invalid("statut", "expected 0, 1 or x")
        statut = "x"
    if (refusal := checks.answer()) is not None:
        return refusal
    account = ctx.account
    account.whatsapp_retrieval = not account.whatsapp_retrieval if statut == "x" else statut == "1"
    if not account.whatsapp_retrieval:
        account.whatsapp_sync_until = None
    active = account.whatsapp_retrieval
    return json_reply(
        {
            "success": True,
            "read_message_active": 1 if active else 0,
            "status_note": "WhatsApp retrieval is " + ("active" if active else "inactive"),
        }
    )


@authenticated("sms")
def request_sync(ctx: Ctx) -> Reply:
    """Open a synchronisation window (the documented answer's fields, all strings)."""
    if not ctx.account.whatsapp_retrieval:
        return json_reply(_INACTIVE)
    until = ctx.state.open_whatsapp_sync(ctx.account)
    return json_reply(
        {
            "error": "",
            "messages": "Synchronization requested",
            "expire_at": timefmt.sql(until),
            "expire_at_unix": str(timefmt.unix(until)),
        }
    )


@authenticated("sms")
def list_received(ctx: Ctx) -> Reply:
    """List synchronised WhatsApp messages, newest first (``before``, ``date``, type)."""
    if not ctx.account.whatsapp_retrieval:
        return json_reply(_INACTIVE)
    params = ctx.params
    checks = Checks(ctx.state)
    rows = [received for received in ctx.account.whatsapp_received if received.synced]
    before = opt(params, "before")
    if before is not None and before.isdigit():
        rows = [row for row in rows if timefmt.unix(row.received_at) < int(before)]
    elif before is not None:
        checks.invalid("before", "expected UNIX seconds")
    day_text = opt(params, "date")
    day = None if day_text is None else timefmt.parse_day(day_text)
    if day is not None:
        rows = [row for row in rows if row.received_at.date() == day]
    elif day_text is not None:
        checks.invalid("date", "expected YYYY-MM-DD")
    message_type = opt(params, "message_type")
    if message_type in {"text", "audio"}:
        rows = [row for row in rows if row.voice == (message_type == "audio")]
    elif message_type is not None:
        checks.invalid("message_type", "expected text or audio")
    if (refusal := checks.answer()) is not None:
        return refusal
    rows.sort(key=lambda row: row.received_at, reverse=True)
    return json_reply(
        {"error": "", "count": len(rows), "messages": [_whatsapp_row(row) for row in rows]}
    )


def _whatsapp_row(received: SimReceivedWhatsApp) -> dict[str, object]:
    return {
        "guid": received.guid,
        "data_id": received.data_id,
        "from": received.number,
        "contact_name": received.name,
        "message": received.message,
        "message_type": "audio" if received.voice else "text",
        "received_at": timefmt.iso_z(received.received_at),
        "timestamp_unix": timefmt.unix(received.received_at),
        "sIdentifiant": received.sid,
    }


ENDPOINTS = (
    Endpoint("/whatsapp/checknumber/", ("GET", "POST"), check_number),
    Endpoint("/getwa/active/", ("GET",), set_retrieval),
    Endpoint("/getwa/synchronisation/", ("GET",), request_sync),
    Endpoint("/getwa/", ("GET",), list_received),
)
