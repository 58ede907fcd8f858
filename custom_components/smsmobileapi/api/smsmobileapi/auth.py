"""Credentials the client authenticates with: an API key, or an OAuth2 client."""

from __future__ import annotations

from dataclasses import dataclass, field
import hashlib


@dataclass(frozen=True, slots=True)
class ApiKeyCredentials:
    """The account's API key, sent as the ``apikey`` parameter."""

    api_key: str = field(repr=False)

    @property
    def secrets(self) -> tuple[str, ...]:
        """Values that must never appear in a log line or a message."""
        return (self.api_key,)

    @property
    def fingerprint(self) -> str:
        """Stable identifier derived from, never equal to, the credential."""
        return _fingerprint("apikey", self.api_key)


@dataclass(frozen=True, slots=True)
class OAuth2Credentials:
    """An OAuth2 client (client-credentials grant); a bearer token replaces the API key."""

    client_id: str
    client_secret: str = field(repr=False)

    @property
    def secrets(self) -> tuple[str, ...]:
        """Values that must never appear in a log line or a message."""
        return (self.client_secret,)

    @property
    def fingerprint(self) -> str:
        """Stable identifier derived from the client id (it survives a new secret)."""
        return _fingerprint("oauth2", self.client_id)


type Credentials = ApiKeyCredentials | OAuth2Credentials


def _fingerprint(kind: str, value: str) -> str:
    return hashlib.sha256(f"smsmobileapi:{kind}:{value}".encode()).hexdigest()[:24]
