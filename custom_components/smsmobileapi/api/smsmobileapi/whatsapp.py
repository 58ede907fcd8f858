"""WhatsApp answers: the number check and the messages a phone synchronised."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from ..models import (
    ReceivedWhatsApp,
)
from ..parsing import (
    as_object,
    invalid,
    optional_bool,
    optional_str,
    required_str,
)
from ..slices import map_in_slices, sorted_in_slices
from .parsing import time_of

# Where and under which names a WhatsApp number check may give its verdict: the OpenAPI file
# types the answer as any object, so every plausible name is read.
_VERDICT_FIELDS = (
    "whatsapp",
    "has_whatsapp",
    "is_whatsapp",
    "on_whatsapp",
    "exists",
    "available",
    "is_available",
    "registered",
    "status",
)
_VERDICT_WORDS: dict[str, bool] = {
    "available": True,
    "registered": True,
    "exists": True,
    "valid": True,
    "whatsapp": True,
    "not_available": False,
    "unavailable": False,
    "not_registered": False,
    "not_found": False,
    "invalid": False,
    "no_whatsapp": False,
}


def parse_whatsapp_check(body: Mapping[str, Any]) -> bool | None:
    """Whether /whatsapp/checknumber/ says the number has WhatsApp; None when it does not say."""
    places = [body]
    places += [body[key] for key in ("result", "data") if isinstance(body.get(key), Mapping)]
    for place in places:
        for name in _VERDICT_FIELDS:
            if (verdict := _verdict(place.get(name))) is not None:
                return verdict
    return None


def _verdict(value: object) -> bool | None:
    if isinstance(value, str):
        word = value.strip().lower().replace(" ", "_").replace("-", "_")
        if not word:
            return None  # optional_bool reads "" as no; here it says nothing
        if word in _VERDICT_WORDS:
            return _VERDICT_WORDS[word]
    return optional_bool(value)


# /getwa/ is typed as any object: its list and fields are read under every plausible name,
# starting with those of the Webhook V2 ``whatsapp.received`` example.
_WHATSAPP_LISTS = ("messages", "data", "rows", "whatsapp", "wa", "sms")
_VOICE_TYPES = frozenset({"audio", "voice", "ptt", "voice_message"})


def parse_whatsapp_list(body: Mapping[str, Any]) -> tuple[ReceivedWhatsApp, ...]:
    """Parse /getwa/, oldest first.

    The rows are the first list among the usual names, at the top or in ``result``. An answer
    without one is an unknown layout (an invalid response), not "no message".
    """
    rows = _whatsapp_rows(body)
    return tuple(sorted((parse_received_whatsapp(row) for row in rows), key=_whatsapp_order))


async def parse_whatsapp_list_in_slices(
    body: Mapping[str, Any],
) -> tuple[ReceivedWhatsApp, ...]:
    """``parse_whatsapp_list``, the event loop running between slices of rows (long lists)."""
    parsed = await map_in_slices(parse_received_whatsapp, _whatsapp_rows(body))
    return tuple(await sorted_in_slices(parsed, _whatsapp_order))


def _whatsapp_rows(body: Mapping[str, Any]) -> Sequence[Any]:
    places = [body]
    if isinstance(body.get("result"), Mapping):
        places.append(body["result"])
    for place in places:
        for name in _WHATSAPP_LISTS:
            if isinstance(place.get(name), list):
                rows: Sequence[Any] = place[name]
                return rows
    raise invalid("missing field 'messages' in response")


def _whatsapp_order(message: ReceivedWhatsApp) -> datetime:
    return message.received_at


def parse_received_whatsapp(row: object) -> ReceivedWhatsApp:
    """Parse one received WhatsApp message of /getwa/."""
    data = as_object(row, "message")
    kind = (optional_str(data.get("message_type")) or optional_str(data.get("type")) or "").lower()
    return ReceivedWhatsApp(
        guid=required_str(data, "guid", "data_id", "id", "message_id", where="message"),
        number=required_str(data, "from", "number", "phone_number", "numero", where="message"),
        message=optional_str(
            data.get("message") or data.get("text") or data.get("body") or data.get("transcript")
        )
        or "",
        received_at=_whatsapp_time(data),
        name=optional_str(data.get("contact_name") or data.get("name") or data.get("alias")),
        voice=bool(optional_bool(data.get("is_voice_message"))) or kind in _VOICE_TYPES,
        phone_id=optional_str(
            data.get("sIdentifiant") or data.get("device_id") or data.get("sIdentifiantPhone")
        ),
    )


def _whatsapp_time(data: Mapping[str, Any]) -> datetime:
    names = ("received_at", "timestamp_unix", "timestamp", "time_received", "datetime")
    return time_of(data, names, where="message")
