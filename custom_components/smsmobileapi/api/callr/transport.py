"""The HTTP transport of the CALLR client: one request path that maps every failure.

Every request carries HTTP Basic credentials, has a timeout (``asyncio.timeout`` around the whole
exchange, body included), follows no redirect, reads at most ``MAX_RESPONSE_BYTES`` and decodes
UTF-8 itself; then ``errors.read_answer`` returns the envelope's ``data`` or raises. Network
failures become ``SmsGatewayConnectionError`` (``request_sent`` False only when no connection was
made) or ``SmsGatewayTimeoutError``. No exception is chained to the library's own (their text may
hold the URL): only the type name is kept. No credential reaches a message or a log line.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import dataclass
import json
import logging
from typing import Final, Literal, cast
from urllib.parse import quote

import aiohttp
from yarl import URL

from ..exceptions import (
    SmsGatewayConnectionError,
    SmsGatewayError,
    SmsGatewayInvalidResponseError,
    SmsGatewayTimeoutError,
)
from ..slices import LARGE_ANSWER, Rows, decode_in_slices, loads_in_slices, read_rows, without_lists
from .auth import CallrCredentials
from .const import MAX_RESPONSE_BYTES
from .errors import Scrub, read_answer

_LOGGER = logging.getLogger(__name__)
_REDACTED: Final = "**REDACTED**"
_CHUNK: Final = 64 * 1024
# Failures that happen before anything is sent: the request certainly never reached CALLR.
_NOT_SENT: Final = (
    aiohttp.ClientConnectorError,
    aiohttp.InvalidURL,
    aiohttp.NonHttpUrlClientError,
)

type Method = Literal["GET", "POST"]


@dataclass(frozen=True, slots=True)
class _Answer:
    """What came back: the HTTP status, the raw body and ``Retry-After``."""

    status: int
    raw: list[bytes]
    retry_after: str | None


class Transport:
    """Send authenticated requests to one CALLR account."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        credentials: CallrCredentials,
        *,
        base_url: str,
        request_timeout: float,
    ) -> None:
        """Use ``session`` (owned by the caller) to reach ``base_url`` with ``credentials``."""
        self._session = session
        self._credentials = credentials
        url = URL(base_url.strip())
        # Credentials written into the URL would go around ours: they are dropped. A relative
        # URL is kept as given: its requests fail as connection errors that never left.
        self._base_url = str(url.with_user(None) if url.absolute else url).rstrip("/")
        self._timeout = request_timeout

    @property
    def credentials(self) -> CallrCredentials:
        """The credentials in use."""
        return self._credentials

    @property
    def base_url(self) -> str:
        """The service's base URL, without a trailing slash."""
        return self._base_url

    @property
    def request_timeout(self) -> float:
        """Seconds each request may take before it fails with ``SmsGatewayTimeoutError``."""
        return self._timeout

    @request_timeout.setter
    def request_timeout(self, seconds: float) -> None:
        self._timeout = seconds

    async def request(
        self,
        method: Method,
        path: str,
        *,
        route: str,
        query: Mapping[str, str] | None = None,
        payload: Mapping[str, object] | None = None,
        rows: Callable[[object], object] | None = None,
    ) -> object:
        """Send one request to ``base_url + path``; return the envelope's ``data``.

        ``route`` names the endpoint in messages and log lines (``GET /sms/{hash}``). When
        ``data`` is a list, ``rows`` reads its elements as they come (see ``Rows``).
        """
        _LOGGER.debug("CALLR request %s", route)
        outcome = await self._exchange(method, path, route, query, payload)
        # Raised here, outside any ``except`` block: nothing is chained to aiohttp's exception.
        if isinstance(outcome, SmsGatewayError):
            _LOGGER.debug("CALLR %s failed: %s", route, outcome)
            raise outcome
        _LOGGER.debug(
            "CALLR %s answered HTTP %s (%d bytes)",
            route,
            outcome.status,
            sum(map(len, outcome.raw)),
        )
        return await _data(route, outcome, self.scrub, rows)

    async def _exchange(
        self,
        method: Method,
        path: str,
        route: str,
        query: Mapping[str, str] | None,
        payload: Mapping[str, object] | None,
    ) -> _Answer | SmsGatewayError:
        """Make the HTTP exchange; the answer, or the failure (returned, never raised)."""
        headers = {
            "Accept": "application/json",
            "Authorization": f"Basic {self._credentials.basic_token}",
        }
        data: bytes | None = None
        if payload is not None:
            headers["Content-Type"] = "application/json; charset=utf-8"
            data = json.dumps(payload, ensure_ascii=False).encode()
        try:
            async with (
                asyncio.timeout(self._timeout),
                self._session.request(
                    method,
                    URL(self._base_url + path),
                    params=query,
                    data=data,
                    headers=headers,
                    allow_redirects=False,
                ) as response,
            ):
                raw = await _read_capped(response)
                if raw is None:
                    return SmsGatewayInvalidResponseError(
                        f"Answer from {route} larger than {MAX_RESPONSE_BYTES} bytes",
                        code="invalid_response",
                        status=response.status,
                    )
                return _Answer(response.status, raw, response.headers.get("Retry-After"))
        except TimeoutError:
            return SmsGatewayTimeoutError(f"Timeout while requesting {route}")
        except aiohttp.ClientError as err:
            return SmsGatewayConnectionError(
                f"Error while requesting {route}: {type(err).__name__}",
                request_sent=not isinstance(err, _NOT_SENT),
            )

    def scrub(self, text: str) -> str:
        """Remove every credential from a text that came from the service."""
        for secret in self._credentials.secrets:
            if secret:
                text = text.replace(secret, _REDACTED)
                if (quoted := quote(secret, safe="")) != secret:
                    text = text.replace(quoted, _REDACTED)
        return text


async def _data(
    route: str, answer: _Answer, scrub: Scrub, rows: Callable[[object], object] | None = None
) -> object:
    """The envelope's ``data`` of a successful answer, or its error (``read_answer``).

    JSON is UTF-8: decoded here, whatever charset the answer claims. A large answer (a long
    list of SMS) is decoded and read in slices, the event loop running in between; the
    classifier then reads it with its lists emptied (it reads ``status`` and the error's
    ``code`` and ``message``, never a list), and the real ``data`` is returned. ``rows`` reads
    the elements of a ``data`` list: as they come in a large answer (before the classifier:
    so it must not raise), else once it is classified.
    """
    raw, status, retry_after = answer.raw, answer.status, answer.retry_after
    reader = Rows(("data",), rows) if rows is not None else None
    if sum(map(len, raw)) < LARGE_ANSWER or not 200 <= status < 300:
        text = b"".join(raw).decode("utf-8-sig", "replace")
        data = read_answer(route, status, text, retry_after, scrub)
        if reader is not None:
            await read_rows({"data": data}, reader)
        return data
    text = await decode_in_slices(raw)
    try:
        body = await loads_in_slices(text, reader)
    except (ValueError, RecursionError):
        # Not JSON (a truncated list, a proxy's page): classified from its text, as ever.
        return read_answer(route, status, text, retry_after, scrub)
    read_answer(route, status, json.dumps(without_lists(body)), retry_after, scrub)
    # Only an object with "data" passes the classifier.
    return cast("Mapping[str, object]", body)["data"]


async def _read_capped(response: aiohttp.ClientResponse) -> list[bytes] | None:
    """Read the body (its chunks), or None when it is (or announces being) larger than the cap."""
    if (response.content_length or 0) > MAX_RESPONSE_BYTES:
        return None
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.content.iter_chunked(_CHUNK):
        size += len(chunk)
        if size > MAX_RESPONSE_BYTES:
            return None
        chunks.append(chunk)
    return chunks
