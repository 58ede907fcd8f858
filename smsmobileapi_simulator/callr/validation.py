"""Checks of ``POST /sms`` and ``GET /sms/send`` parameters, and the SMS options.

Messages are the ones CALLR's SDK tests show (``PROPERTY_VALUE_ERROR [from]``,
``PROPERTY_TYPE_ERROR [to]``, ``INVALID_PARAM_FORMAT [body]``); their ``<KIND> [<name>]``
pattern is reused for the cases the SDKs do not show.
"""

from collections.abc import Mapping
from dataclasses import dataclass
import re

from .sms import ENCODINGS, NATURES, DynamicWebhook, Encoding, Nature

E164 = re.compile(r"\+[1-9][0-9]{6,14}")
"""An international number, ``+CCNSN``."""
ALPHANUMERIC_SENDER = re.compile(r"(?=.*[A-Za-z])[A-Za-z0-9 _-]{1,11}")
"""A custom sender: 1 to 11 of ``[A-Za-z0-9 _-]`` with at least one letter."""
SHORT_CODE = re.compile(r"[0-9]{3,8}")
"""A dedicated short code (digits only)."""
QUERY_OPTION_PREFIX = "options."
_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off", ""})


def value_error(name: str) -> str:
    """Return the message of a property with a bad value."""
    return f"PROPERTY_VALUE_ERROR [{name}]"


def check_recipient(value: object) -> str | None:
    """Check ``to``: absent or not a string is a type error, a non-E.164 string a value error.

    CALLR's SDK tests show ``PROPERTY_TYPE_ERROR [to]`` for a missing recipient; the value
    error for a malformed one follows the ``from`` case.
    """
    if not isinstance(value, str):
        return "PROPERTY_TYPE_ERROR [to]"
    return None if E164.fullmatch(value) else value_error("to")


def check_sender(value: object) -> str | None:
    """Check ``from``: empty (CALLR picks), a custom sender, a short code or an E.164 number.

    ``null`` is taken as empty. The SDK tests show ``+33123`` refused with
    ``PROPERTY_VALUE_ERROR [from]``.
    """
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        return value_error("from")
    for pattern in (ALPHANUMERIC_SENDER, SHORT_CODE, E164):
        if pattern.fullmatch(value):
            return None
    return value_error("from")


def check_body(value: object) -> str | None:
    """Check ``body``: a non-empty string."""
    if isinstance(value, str) and value:
        return None
    return "INVALID_PARAM_FORMAT [body]"


def is_custom_sender(sender: str) -> bool:
    """Tell whether a (valid) sender is alphanumeric, which makes ``%STOPNUM%`` apply."""
    return ALPHANUMERIC_SENDER.fullmatch(sender) is not None


@dataclass(frozen=True, slots=True)
class SendOptions:
    """The SMS options the simulator acts on, and the options object as sent (``raw``)."""

    raw: dict[str, object] | None = None
    force_encoding: Encoding | None = None
    nature: Nature | None = None
    user_data: str = ""
    flash_message: bool = False
    webhook: DynamicWebhook | None = None


def read_options(raw: object) -> tuple[SendOptions, str | None]:
    """Read an options object leniently; also return the first problem seen, if any.

    Unknown members are ignored. A member with a bad value is ignored too (its default
    applies); the problem is reported so that the ``strict_options`` variant can refuse it.
    """
    if raw is None:
        return SendOptions(), None
    if not isinstance(raw, dict):
        return SendOptions(), "PROPERTY_TYPE_ERROR [options]"
    options: dict[str, object] = raw
    problems: list[str] = []
    force_encoding = _choice(options, "force_encoding", ENCODINGS, problems)
    nature = _choice(options, "nature", NATURES, problems)
    user_data = options.get("user_data")
    if user_data is not None and not isinstance(user_data, str):
        problems.append(value_error("user_data"))
        user_data = None
    flash = _flag(options.get("flash_message"))
    if flash is None:
        problems.append(value_error("flash_message"))
    webhook = _webhook(options.get("webhook"))
    if webhook is None and options.get("webhook") is not None:
        problems.append(value_error("webhook"))
    read = SendOptions(
        raw=options,
        force_encoding=force_encoding,
        nature=nature,
        user_data=user_data or "",
        flash_message=bool(flash),
        webhook=webhook,
    )
    return read, problems[0] if problems else None


def options_from_query(query: Mapping[str, str]) -> dict[str, object] | None:
    """Build the options object of ``GET /sms/send`` from ``options.key=value`` parameters.

    Dots nest: ``options.webhook.endpoint=URL`` gives ``{"webhook": {"endpoint": URL}}``.
    Values stay strings (``flash_message=true`` is read as a flag later).
    """
    options: dict[str, object] = {}
    for key, value in query.items():
        if not key.startswith(QUERY_OPTION_PREFIX) or key == QUERY_OPTION_PREFIX:
            continue
        *parents, leaf = key.removeprefix(QUERY_OPTION_PREFIX).split(".")
        node = options
        for name in parents:
            child = node.get(name)
            if not isinstance(child, dict):
                child = {}
                node[name] = child
            node = child
        node[leaf] = value
    return options or None


def _choice[T: str](
    options: Mapping[str, object], name: str, allowed: tuple[T, ...], problems: list[str]
) -> T | None:
    value = options.get(name)
    if value is None:
        return None
    for choice in allowed:
        if value == choice:
            return choice
    problems.append(value_error(name))
    return None


def _flag(value: object) -> bool | None:
    """Read a boolean (JSON) or a query-string flag; ``None`` when it is neither."""
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in _TRUE | _FALSE:
        return value.lower() in _TRUE
    return None


def _webhook(value: object) -> DynamicWebhook | None:
    if not isinstance(value, dict):
        return None
    endpoint = value.get("endpoint")
    secret = value.get("hmac_secret")
    if not isinstance(endpoint, str) or not endpoint.startswith(("http://", "https://")):
        return None
    return DynamicWebhook(endpoint, secret if isinstance(secret, str) and secret else None)
