"""The credentials of a CALLR account: the API login and its password (HTTP Basic)."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
import hashlib


@dataclass(frozen=True, slots=True)
class CallrCredentials:
    """An API login and its password; the password never shows in a repr."""

    username: str
    password: str = field(repr=False)

    @property
    def secrets(self) -> tuple[str, ...]:
        """Values that must never appear in a log line or a message."""
        return (self.password, self.basic_token)

    @property
    def fingerprint(self) -> str:
        """Stable identifier derived from the login only (it survives a new password)."""
        digest = hashlib.sha256(f"callr:{self.username.casefold()}".encode(errors="replace"))
        return digest.hexdigest()[:24]

    @property
    def basic_token(self) -> str:
        """The HTTP Basic token: base64 of the UTF-8 ``login:password``."""
        raw = f"{self.username}:{self.password}".encode(errors="replace")
        return base64.b64encode(raw).decode("ascii")
