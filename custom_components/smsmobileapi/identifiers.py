"""Device identifiers of the integration's devices."""

from __future__ import annotations

_PHONE_PREFIX = "phone_"


def account_identifier(entry_id: str) -> str:
    """Device identifier of an entry's account device."""
    return f"account_{entry_id}"


def phone_device_identifier(device_id: str) -> str:
    """Device identifier of a connected phone."""
    return f"{_PHONE_PREFIX}{device_id}"


def phone_identifier(identifier: str) -> str | None:
    """The phone id in a device identifier, or None when it is not a phone's."""
    return identifier.removeprefix(_PHONE_PREFIX) if identifier.startswith(_PHONE_PREFIX) else None
