"""Gateway endpoints: list, relabel and delete the connected mobiles."""

from . import timefmt
from .endpoints import Ctx, Endpoint, authenticated, opt
from .replies import Reply, json_reply, success_error
from .state import BatteryFormat, SimPhone, Variants

LIST_NOTE = (
    "Received SMS statistics are available starting from version 3.0.33.3+ of the mobile app."
)


@authenticated("success")
def list_mobiles(ctx: Ctx) -> Reply:
    """List the account's phones, filtered by exact ``sid`` or a ``search`` text."""
    phones = list(ctx.account.phones.values())
    sid = opt(ctx.params, "sid")
    if sid is not None:
        phones = [phone for phone in phones if phone.sid == sid]
    search = opt(ctx.params, "search")
    if search is not None:
        needle = search.casefold()
        phones = [phone for phone in phones if needle in _searchable(phone)]
    variants = ctx.state.variants
    if variants.phones_shape == "items":
        connected = len(ctx.account.phones)
        return json_reply(
            {
                "success": True,
                "connected_available": max(ctx.account.connected_limit - connected, 0),
                "connected_limit": ctx.account.connected_limit,
                "connected_now": connected,
                "filters": {"sid": sid, "search": search},
                "items": [_item(phone, variants) for phone in phones],
                "note": LIST_NOTE,
            }
        )
    key = "mobiles" if variants.phones_shape == "result_mobiles" else "mobile"
    return json_reply({"result": {"error": 0, key: [_mobile(phone, variants) for phone in phones]}})


def _searchable(phone: SimPhone) -> str:
    fields = (phone.sid, timefmt.sql(phone.last_seen), str(phone.battery), phone.version)
    return " ".join((*fields, phone.label, phone.phone_number or "")).casefold()


def _battery(level: int, battery_format: BatteryFormat) -> int | str:
    match battery_format:
        case "int":
            return level
        case "str":
            return str(level)
        case "percent":
            return f"{level}%"


def _item(phone: SimPhone, variants: Variants) -> dict[str, object]:
    return {
        "sIdentifiant_pour_check": phone.sid,
        "nom_reference": phone.label,
        "online": 1 if phone.online else 0,
        "battery": _battery(phone.battery, variants.battery_format),
        "version": phone.version,
        "date": timefmt.sql(phone.last_seen),
        "phone_number": phone.phone_number,
    }


def _mobile(phone: SimPhone, variants: Variants) -> dict[str, object]:
    return {
        "sIdentifiant": phone.sid,
        "label": phone.label,
        "online": phone.online,
        "battery": _battery(phone.battery, variants.battery_format),
        "version": phone.version,
        "date": timefmt.sql(phone.last_seen),
    }


@authenticated("success")
def update_mobile(ctx: Ctx) -> Reply:
    """Change a phone's label (required, may be empty) and optionally its number."""
    sid = opt(ctx.params, "sid")
    if sid is None:
        return success_error("Missing required parameter: sid")
    if "label" not in ctx.params:
        return success_error("Missing required parameter: label")
    phone = ctx.account.phones.get(sid)
    if phone is None:
        return success_error("Mobile not found", status=404)
    phone.label = ctx.params["label"].strip()
    number = opt(ctx.params, "phone_number")
    if number is not None:
        phone.phone_number = number
    return json_reply(
        {"success": True, "sid": sid, "label": phone.label, "phone_number": phone.phone_number}
    )


@authenticated("success")
def delete_mobile(ctx: Ctx) -> Reply:
    """Remove a phone and all its history rows."""
    sid = opt(ctx.params, "sid")
    if sid is None:
        return success_error("Missing required parameter: sid")
    if not ctx.state.delete_phone(ctx.account, sid):
        return success_error("Mobile not found", status=404)
    return json_reply({"success": True, "sid": sid, "deleted": True})


ENDPOINTS = (
    Endpoint("/gateway/mobile/list/", ("GET", "POST"), list_mobiles),
    Endpoint("/gateway/mobile/update/", ("GET", "POST"), update_mobile),
    Endpoint("/gateway/mobile/delete/", ("GET", "POST"), delete_mobile),
)
