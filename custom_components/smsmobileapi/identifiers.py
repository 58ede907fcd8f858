"""Device identifiers of the integration's devices (the second half of ``(DOMAIN, identifier)``)."""

from __future__ import annotations

from typing import Final

_PHONE_PREFIX: Final = "phone_"


def account_identifier(entry_id: str) -> str:
    """Device identifier of an entry's account device."""
    return f"account_{entry_id}"


def phone_identifier(phone_id: str) -> str:
    """Device identifier of a connected phone, from the provider's phone id."""
    return f"{_PHONE_PREFIX}{phone_id}"


def phone_id_of(identifier: str) -> str | None:
    """The provider's phone id in a device identifier, or None when it is not a phone's."""
    return identifier.removeprefix(_PHONE_PREFIX) if identifier.startswith(_PHONE_PREFIX) else None


def recipient_identifier(subentry_id: str) -> str:
    """Device identifier of a recipient (one recipient subentry)."""
    return f"recipient_{subentry_id}"
