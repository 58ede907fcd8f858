"""OAuth2 client-credentials tokens: fetched once, shared by concurrent requests, renewed early."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime, timedelta
from typing import Any, Final

from ..models import AccessToken
from ..parsing import optional_int, required_str
from .auth import OAuth2Credentials

TOKEN_PATH: Final = "oauth2/token"  # noqa: S105 - a URL path, not a secret
# Refresh a token this long before it expires.
_TOKEN_MARGIN: Final = timedelta(seconds=60)
# When the token endpoint gives no lifetime (or zero, or a negative one), assume this one.
_TOKEN_DEFAULT_LIFETIME: Final = 3600
# A longer lifetime is not believed (a huge one overflowed the expiry's datetime): fetch a new
# token at least daily.
_TOKEN_MAX_LIFETIME: Final = 86400

type TokenRequest = Callable[[Mapping[str, str]], Awaitable[Mapping[str, Any]]]


class TokenCache:
    """The current access token of one OAuth2 client."""

    def __init__(
        self,
        credentials: OAuth2Credentials,
        request: TokenRequest,
        clock: Callable[[], datetime],
    ) -> None:
        """Fetch tokens for ``credentials`` by posting a form with ``request``."""
        self._credentials = credentials
        self._request = request
        self._clock = clock
        self._token: AccessToken | None = None
        self._lock = asyncio.Lock()

    @property
    def current(self) -> AccessToken | None:
        """The token held now, if any (valid or not)."""
        return self._token

    async def get(self) -> AccessToken:
        """A valid token; concurrent callers share one fetch."""
        async with self._lock:
            token = self._token
            if token is None or token.expires_at - _TOKEN_MARGIN <= self._clock():
                token = self._token = await self._fetch()
            return token

    def discard(self, token: AccessToken) -> None:
        """Forget a token the service rejected, unless a concurrent request already replaced it."""
        if self._token is token:
            self._token = None

    async def _fetch(self) -> AccessToken:
        body = await self._request(
            {
                "grant_type": "client_credentials",
                "client_id": self._credentials.client_id,
                "client_secret": self._credentials.client_secret,
            }
        )
        lifetime = optional_int(body.get("expires_in"))
        if lifetime is None or lifetime <= 0:
            lifetime = _TOKEN_DEFAULT_LIFETIME
        lifetime = min(lifetime, _TOKEN_MAX_LIFETIME)
        return AccessToken(
            token=required_str(body, "access_token", where="token response"),
            expires_at=self._clock() + timedelta(seconds=lifetime),
        )
