"""Lenient parsers from the service's JSON to the typed models.

The service's formats vary (see the wire notes): a field may be a number or a string, a time may be
seconds, milliseconds, a compact string or separate date and hour. Unknown extra fields are ignored;
a missing required field raises ``SmsGatewayInvalidResponseError`` naming it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
import math
import re
from typing import Any

from .exceptions import SmsGatewayInvalidResponseError

# A unix time above this is in milliseconds (it is year 5138 in seconds).
_MS_THRESHOLD = 100_000_000_000
_COMPACT_TIME = re.compile(r"^\d{17}$")
_DIGITS = re.compile(r"^\d+(\.\d+)?$")
_MAX_DIGITS = 20
# A lone surrogate (half of a truncated emoji, "\ud83d" in JSON) is not text: Home Assistant's
# recorder and websocket cannot encode it. Every text from outside goes through ``clean_text``.
_LONE_SURROGATE = re.compile(r"[\ud800-\udfff]")
_TRUE_WORDS = frozenset({"1", "true", "yes", "on", "online", "connected"})
_FALSE_WORDS = frozenset({"0", "false", "no", "off", "offline", "disconnected", ""})


def invalid(what: str) -> SmsGatewayInvalidResponseError:
    """The error of a response that lacks what the API documents."""
    return SmsGatewayInvalidResponseError(what, code="invalid_response")


def as_object(value: object, where: str) -> Mapping[str, Any]:
    """Return value when it is a JSON object, else raise naming where it was expected."""
    if not isinstance(value, Mapping):
        raise invalid(f"expected an object for '{where}'")
    return value


def as_list(value: object, where: str) -> Sequence[Any]:
    """Return value when it is a JSON array, else raise (null is no list: nothing says empty)."""
    if isinstance(value, list | tuple):
        return value
    raise invalid(f"expected a list for '{where}'")


def required_list(data: Mapping[str, Any], *names: str, where: str) -> Sequence[Any]:
    """Return the list under the first of ``names`` present; none present (or null) raises.

    A response without the list it exists to carry is an unknown layout, not an empty one:
    reading it as "nothing" would show an empty inbox while messages go unread.
    """
    for name in names:
        if data.get(name) is not None:
            return as_list(data[name], name)
    raise invalid(f"missing field '{names[0]}' in {where}")


def clean_text(text: str) -> str:
    """Return a text with every lone surrogate replaced by U+FFFD (encodable as UTF-8)."""
    return text if text.isascii() else _LONE_SURROGATE.sub("\ufffd", text)


def optional_str(value: object) -> str | None:
    """Return a stripped, clean string (see ``clean_text``), or None for null and empty values."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        return clean_text(value.strip()) or None
    return None


def required_str(data: Mapping[str, Any], *names: str, where: str) -> str:
    """Return the first non-empty of the named fields, or raise naming the first one."""
    for name in names:
        if (value := optional_str(data.get(name))) is not None:
            return value
    raise invalid(f"missing field '{names[0]}' in {where}")


def optional_int(value: object) -> int | None:
    """Return an int from a number or a numeric string, else None."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if math.isfinite(value) else None
    if isinstance(value, str) and _DIGITS.match(text := value.strip()):
        whole = text.partition(".")[0]
        # No real field has more digits than a millisecond timestamp; longer is nonsense.
        return int(whole) if len(whole) <= _MAX_DIGITS else None
    return None


def optional_bool(value: object) -> bool | None:
    """Return a bool from the many ways the service says yes or no, else None."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value != 0
    if isinstance(value, str):
        word = value.strip().lower()
        if word in _TRUE_WORDS:
            return True
        if word in _FALSE_WORDS:
            return False
    return None


def from_unix(value: float) -> datetime:
    """Return an aware UTC datetime from unix seconds or milliseconds."""
    if abs(value) >= _MS_THRESHOLD:
        value /= 1000
    return datetime.fromtimestamp(value, UTC)


def parse_time(value: object) -> datetime | None:
    """Parse any time format the service uses; naive values are UTC. None when unreadable."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return _safe_unix(float(value))
    if not isinstance(value, str) or not (text := value.strip()):
        return None
    if _COMPACT_TIME.match(text):
        try:
            parsed = datetime.strptime(text, "%Y%m%d%H%M%S%f")  # noqa: DTZ007
        except ValueError:
            return None
        return parsed.replace(tzinfo=UTC)
    if _DIGITS.match(text):
        return _safe_unix(float(text))
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def _safe_unix(value: float) -> datetime | None:
    try:
        return from_unix(value)
    except (OverflowError, OSError, ValueError):
        return None
