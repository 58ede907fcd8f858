"""Phone numbers: parsing and formatting with the maintained ``phonenumbers`` library."""

from __future__ import annotations

from functools import cache
import re

import phonenumbers


class InvalidPhoneNumberError(ValueError):
    """A text that is not a valid phone number (of the default region, when national)."""


def format_for_display(number: str) -> str:
    """Return "+32 470 00 00 01" for "+32470000001"; anything unparsable as it came."""
    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        return number
    if not phonenumbers.is_possible_number(parsed):
        return number
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def to_e164(number: str, default_region: str | None = None) -> str:
    """Return the E.164 form ("+32470000001") of a valid number.

    A number without a country code ("0470 00 00 01") is read as a number of
    ``default_region`` (an ISO 3166 country code such as "BE"); without one, only
    international numbers are accepted. Raises ``InvalidPhoneNumberError`` otherwise.
    """
    try:
        parsed = phonenumbers.parse(number, default_region)
    except phonenumbers.NumberParseException as err:
        raise InvalidPhoneNumberError(number) from err
    if not phonenumbers.is_valid_number(parsed):
        raise InvalidPhoneNumberError(number)
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def number_type(number: str) -> str | None:
    """The kind of an international number as ``phonenumbers`` classes it, in lower case.

    "mobile", "fixed_line", "fixed_line_or_mobile", "premium_rate", "toll_free", "voip"...;
    None for a sender name or a text that is no valid number (so nothing replies to it).
    """
    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(parsed):
        return None
    return _type_names().get(phonenumbers.number_type(parsed))


@cache
def _type_names() -> dict[int, str]:
    return {
        value: name.lower()
        for name, value in vars(phonenumbers.PhoneNumberType).items()
        if name.isupper() and isinstance(value, int)
    }


_SENDER_NAME = re.compile(r"[A-Za-z0-9 _-]{1,11}")


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
    return bool(_SENDER_NAME.fullmatch(sender)) and any(char.isalpha() for char in sender)


def same_number(first: str, second: str, default_region: str | None = None) -> bool:
    """Tell whether two texts are the same phone number (or, when unparsable, the same text)."""
    try:
        return to_e164(first, default_region) == to_e164(second, default_region)
    except InvalidPhoneNumberError:
        return first.strip().casefold() == second.strip().casefold()
