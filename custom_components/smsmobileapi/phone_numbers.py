"""Phone numbers: parsing and formatting with the maintained ``phonenumbers`` library.

``phonenumbers`` is imported when first needed, not with the integration: its metadata is two
thirds of the integration's import cost. ``async_load_phonenumbers`` imports it in Home
Assistant's import executor, off the event loop, when an entry's first refresh starts: before
any event (``number_type``), message sent (``to_e164``) or logbook line (``format_for_display``)
needs it. Only a form or an action used before any entry started its first refresh imports it
on the spot (once, about 20 ms).
"""

from __future__ import annotations

from functools import cache, lru_cache
import re

from homeassistant.core import HomeAssistant
from homeassistant.helpers.importlib import async_import_module

_LIBRARY = "phonenumbers"
# Parsing a number costs about 0.1 ms, and the same few numbers write again and again: the
# results of this many numbers are kept (a bounded cache; an invalid number is never kept).
_CACHED_NUMBERS = 512


async def async_load_phonenumbers(hass: HomeAssistant) -> None:
    """Import ``phonenumbers`` off the event loop (at once when it already is)."""
    await async_import_module(hass, _LIBRARY)


class InvalidPhoneNumberError(ValueError):
    """A text that is not a valid phone number (of the default region, when national)."""


def format_for_display(number: str) -> str:
    """Return "+32 470 00 00 01" for "+32470000001"; anything unparsable as it came."""
    import phonenumbers  # noqa: PLC0415 - imported when first needed

    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        return number
    if not phonenumbers.is_possible_number(parsed):
        return number
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


@lru_cache(maxsize=_CACHED_NUMBERS)
def to_e164(number: str, default_region: str | None = None) -> str:
    """Return the E.164 form ("+32470000001") of a valid number.

    A number without a country code ("0470 00 00 01") is read as a number of
    ``default_region`` (an ISO 3166 country code such as "BE"); without one, only
    international numbers are accepted. Raises ``InvalidPhoneNumberError`` otherwise.
    """
    import phonenumbers  # noqa: PLC0415 - imported when first needed

    try:
        parsed = phonenumbers.parse(number, default_region)
    except phonenumbers.NumberParseException as err:
        raise InvalidPhoneNumberError(number) from err
    if not phonenumbers.is_valid_number(parsed):
        raise InvalidPhoneNumberError(number)
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


@lru_cache(maxsize=_CACHED_NUMBERS)
def number_type(number: str) -> str | None:
    """The kind of an international number as ``phonenumbers`` classes it, in lower case.

    "mobile", "fixed_line", "fixed_line_or_mobile", "premium_rate", "toll_free", "voip"...;
    None for a sender name or a text that is no valid number (so nothing replies to it).
    """
    import phonenumbers  # noqa: PLC0415 - imported when first needed

    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(parsed):
        return None
    return _type_names().get(phonenumbers.number_type(parsed))


@cache
def _type_names() -> dict[int, str]:
    import phonenumbers  # noqa: PLC0415 - imported when first needed

    return {
        value: name.lower()
        for name, value in vars(phonenumbers.PhoneNumberType).items()
        if name.isupper() and isinstance(value, int)
    }


# Compiled at its first use (re keeps it): most entries never check a sender.
_SENDER_NAME = r"[A-Za-z0-9 _-]{1,11}"


def is_valid_sender(sender: str) -> bool:
    """Whether a text can be the sender (the ``from``) of an SMS.

    An E.164 number, or at most 11 characters ``[A-Za-z0-9 _-]`` with at least one letter (a
    name that is not only digits).
    """
    if sender.startswith("+"):
        try:
            return to_e164(sender) == sender
        except InvalidPhoneNumberError:
            return False
    return bool(re.fullmatch(_SENDER_NAME, sender)) and any(char.isalpha() for char in sender)


def same_number(first: str, second: str, default_region: str | None = None) -> bool:
    """Tell whether two texts are the same phone number (or, when unparsable, the same text)."""
    try:
        return to_e164(first, default_region) == to_e164(second, default_region)
    except InvalidPhoneNumberError:
        return first.strip().casefold() == second.strip().casefold()
