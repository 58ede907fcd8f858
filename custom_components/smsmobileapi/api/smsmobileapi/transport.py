"""The HTTP transport of the SMSMobileAPI client: authentication, timeouts, error mapping.

Every request carries the API key (or an OAuth2 bearer token, renewed once when rejected) and the
``from`` tag, has a timeout, and ends as a JSON body or one exception of ``exceptions.py`` built by
``errors.raise_for_answer``. No credential reaches a message.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
import json
import logging
from typing import Any, Final, Literal, cast

import aiohttp
from aiohttp.http_exceptions import DecompressSizeError
from yarl import URL

from ..exceptions import (
    SmsGatewayAuthenticationError,
    SmsGatewayConnectionError,
    SmsGatewayError,
    SmsGatewayFeatureUnavailableError,
    SmsGatewayInvalidResponseError,
    SmsGatewayTimeoutError,
)
from ..models import AccessToken
from ..slices import LARGE_ANSWER, Rows, decode_in_slices, loads_in_slices, read_rows, without_lists
from .auth import ApiKeyCredentials, Credentials, OAuth2Credentials
from .const import MAX_RESPONSE_BYTES
from .errors import Scrub, raise_for_answer
from .oauth import TOKEN_PATH, TokenCache

_LOGGER = logging.getLogger(__name__)
_REDACTED: Final = "**REDACTED**"

# aiohttp errors raised before any connection was made: the request certainly never left.
_NOT_SENT: Final = (aiohttp.ClientConnectorError, aiohttp.InvalidURL)

type Params = Mapping[str, str | int | None]
type Method = Literal["GET", "POST"]


class Transport:
    """Send authenticated requests to one account's service."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        credentials: Credentials,
        *,
        base_url: str,
        request_timeout: float,
        source: str,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        """Use ``session`` (owned by the caller) to reach ``base_url`` with ``credentials``."""
        self._session = session
        self._credentials = credentials
        self._base_url = URL(base_url.rstrip("/") + "/")
        self._timeout = request_timeout
        self._source = source
        self._tokens = (
            TokenCache(credentials, self._post_token_form, clock or (lambda: datetime.now(UTC)))
            if isinstance(credentials, OAuth2Credentials)
            else None
        )

    @property
    def credentials(self) -> Credentials:
        """The credentials in use."""
        return self._credentials

    @property
    def base_url(self) -> str:
        """The service's base URL, without a trailing slash."""
        return str(self._base_url).rstrip("/")

    @property
    def request_timeout(self) -> float:
        """Seconds each request may take before it fails with ``SmsGatewayTimeoutError``."""
        return self._timeout

    @request_timeout.setter
    def request_timeout(self, seconds: float) -> None:
        self._timeout = seconds

    async def get_access_token(self) -> AccessToken:
        """Return a valid OAuth2 token, fetching a new one when needed."""
        return await self._token_cache().get()

    def _token_cache(self) -> TokenCache:
        if self._tokens is None:
            raise TypeError("an access token needs OAuth2 credentials")
        return self._tokens

    async def _post_token_form(self, form: Mapping[str, str]) -> Mapping[str, Any]:
        return await self._send("POST", TOKEN_PATH, form, headers={})

    async def request(
        self,
        path: str,
        params: Params,
        *,
        method: Method = "GET",
        max_bytes: int = MAX_RESPONSE_BYTES,
        apikey_only: bool = False,
        rows: Rows | None = None,
    ) -> Mapping[str, Any]:
        """Authenticate and send one API request; on a rejected bearer token, renew it once.

        An answer longer than ``max_bytes`` (decompressed) is an invalid response. ``rows``
        reads the elements of a list of the answer as they come (see ``Rows``).
        ``apikey_only``: the endpoint is documented to take the API key only. With OAuth2
        credentials, a refusal that survives the one renewal is then no credentials problem
        but a missing feature: ``SmsGatewayFeatureUnavailableError``.
        """
        fields = {key: str(value) for key, value in params.items() if value is not None}
        fields["from"] = self._source
        if isinstance(self._credentials, ApiKeyCredentials):
            fields["apikey"] = self._credentials.api_key
            return await self._send(
                method, path, fields, headers={}, max_bytes=max_bytes, rows=rows
            )
        tokens = self._token_cache()
        token = await tokens.get()
        try:
            return await self._send(
                method, path, fields, headers=_bearer(token), max_bytes=max_bytes, rows=rows
            )
        except SmsGatewayAuthenticationError:
            tokens.discard(token)
            _LOGGER.debug("Access token rejected by %s, fetching a new one", path)
        # A fresh token: if the refusal was an expired or revoked token, this works. The token
        # request itself raising an authentication error means bad OAuth2 credentials.
        token = await tokens.get()
        try:
            return await self._send(
                method, path, fields, headers=_bearer(token), max_bytes=max_bytes, rows=rows
            )
        except SmsGatewayAuthenticationError:
            if not apikey_only:
                raise
        raise SmsGatewayFeatureUnavailableError(
            f"/{path} does not take an OAuth2 token: it needs the API key"
        )

    async def _send(
        self,
        method: str,
        path: str,
        fields: Mapping[str, str],
        *,
        headers: Mapping[str, str],
        max_bytes: int = MAX_RESPONSE_BYTES,
        rows: Rows | None = None,
    ) -> Mapping[str, Any]:
        url = self._base_url.join(URL(path))
        query, form = (fields, None) if method == "GET" else ({}, fields)
        # aiohttp's errors carry the full URL (the API key is in its query): none of them may
        # become the cause or the context of our exception, so each one is turned into a
        # failure here and raised only once its ``except`` block is over.
        failure: SmsGatewayError
        try:
            async with (
                asyncio.timeout(self._timeout),
                self._session.request(
                    method,
                    url,
                    params=query,
                    data=form,
                    headers={"Accept": "application/json", **headers},
                    # A redirect would send the form (key, message, client secret) elsewhere.
                    allow_redirects=False,
                ) as response,
            ):
                if 300 <= response.status < 400:
                    raise SmsGatewayInvalidResponseError(
                        f"/{path} answered with a redirect (HTTP {response.status}), "
                        "which is not followed",
                        code="redirect",
                        status=response.status,
                    )
                raw = await _read_capped(response, path, max_bytes)
                status = response.status
                retry_after = response.headers.get("Retry-After")
        except TimeoutError:
            failure = SmsGatewayTimeoutError(f"Timeout while requesting /{path}")
        except aiohttp.ClientPayloadError as err:
            # aiohttp before 3.14 stops decompressing at a fixed size of its own.
            if isinstance(err.__cause__, DecompressSizeError):
                failure = _too_long(path, max_bytes, None)
            else:
                failure = SmsGatewayConnectionError(
                    f"Error while requesting /{path}: {type(err).__name__}"
                )
        except aiohttp.ClientError as err:
            failure = SmsGatewayConnectionError(
                f"Error while requesting /{path}: {type(err).__name__}",
                request_sent=not isinstance(err, _NOT_SENT),
            )
        else:
            return await _answer(path, status, raw, retry_after, self.scrub, rows=rows)
        raise failure

    def scrub(self, text: str) -> str:
        """Remove every credential from a text that came from the service."""
        secrets = [*self._credentials.secrets]
        if self._tokens is not None and self._tokens.current is not None:
            secrets.append(self._tokens.current.token)
        for secret in secrets:
            if secret:
                text = text.replace(secret, _REDACTED)
        return text[:200]


async def _answer(
    path: str,
    status: int,
    raw: list[bytes],
    retry_after: str | None,
    scrub: Scrub,
    *,
    rows: Rows | None = None,
) -> Mapping[str, Any]:
    """The JSON body of a successful answer, or the error it carries (``raise_for_answer``).

    JSON is UTF-8: decoded here, whatever charset the answer claims (some name codecs that
    raise, such as rot13 or idna). A large answer (a long list of SMS) is decoded and read in
    slices, the event loop running in between (``loads_in_slices``); the classifier then reads
    it with its lists emptied, which is all it ever looks at (the members that say "error"),
    and the whole body is returned. ``rows`` reads a list's elements: as they come in a large
    answer (before the classifier: so ``rows.read`` must not raise), else once it is classified.
    """
    if sum(map(len, raw)) < LARGE_ANSWER or status == 429:
        text = b"".join(raw).decode("utf-8-sig", "replace")
        body = raise_for_answer(path, status, text, retry_after, scrub)
        if rows is not None:
            await read_rows(body, rows)
        return body
    text = await decode_in_slices(raw)
    try:
        body = await loads_in_slices(text, rows)
    except (ValueError, RecursionError):
        # Not JSON (a truncated list, a long HTML page): classified from its text, as ever.
        return raise_for_answer(path, status, text, retry_after, scrub)
    outline = json.dumps(without_lists(body))
    raise_for_answer(path, status, outline, retry_after, scrub)
    # The outline of a JSON object is one, and only an object passes the classifier.
    return cast("Mapping[str, Any]", body)


async def _read_capped(response: aiohttp.ClientResponse, path: str, max_bytes: int) -> list[bytes]:
    """The whole body (its chunks), decompressed, unless it is longer than ``max_bytes``."""
    declared = response.content_length
    chunks: list[bytes] = []
    size = 0
    if declared is None or declared <= max_bytes:
        async for chunk in response.content.iter_any():
            size += len(chunk)
            if size > max_bytes:
                break
            chunks.append(chunk)
        else:
            return chunks
    raise _too_long(path, max_bytes, response.status)


def _too_long(path: str, max_bytes: int, status: int | None) -> SmsGatewayInvalidResponseError:
    return SmsGatewayInvalidResponseError(
        f"Answer from /{path} is longer than {max_bytes} bytes",
        code="invalid_response",
        status=status,
    )


def _bearer(token: AccessToken) -> dict[str, str]:
    return {"Authorization": f"Bearer {token.token}"}
