"""Phone numbers: parsing and formatting with the maintained ``phonenumbers`` library."""

from __future__ import annotations

import phonenumbers


def format_for_display(number: str) -> str:
    """Return "+32 470 00 00 01" for "+32470000001"; anything unparsable as it came."""
    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        return number
    if not phonenumbers.is_possible_number(parsed):
        return number
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
