"""WhatsApp endpoints: the number check (``/whatsapp/checknumber/``)."""

from .endpoints import Checks, Ctx, Endpoint, authenticated, missing_param, opt
from .replies import Reply, json_reply


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


ENDPOINTS = (Endpoint("/whatsapp/checknumber/", ("GET", "POST"), check_number),)
