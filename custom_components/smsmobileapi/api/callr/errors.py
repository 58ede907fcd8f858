"""Classify CALLR's answers: the envelope's ``data``, or the right exception.

Success is HTTP 2xx with ``{"status": "success", "data": ...}``; an error is
``{"status": "error", "data": {"code", "message"}}`` (``code`` is the HTTP status or a JSON-RPC
code: opaque). What counts as an authentication failure (the wire notes leave it uncertain):

* HTTP 401 with CALLR's error envelope;
* HTTP 403 with the envelope and the message ``FORBIDDEN`` (bad credentials in one variant, a
  blocked account in another: either way the account needs the user);
* the envelope with code 22 (JSON-RPC "authentication failed") or a message about
  authentication or credentials, whatever the status.

A 401 or 403 that is not CALLR's envelope (an HTML page from a proxy, an empty body) is not:
the credentials were never judged by CALLR, so it is an invalid response, retried like the
other failures. Any other 403 (a sender that is not allowed, say) is the service's refusal of
that request, not of the account.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
import json
import math
from typing import Any, Final

from ..exceptions import (
    SmsGatewayAuthenticationError,
    SmsGatewayError,
    SmsGatewayInvalidResponseError,
    SmsGatewayRateLimitError,
    SmsGatewayResponseError,
)
from .const import AUTH_ERROR_CODE, MAX_RETRY_AFTER
from .parsing import word_of

_AUTH_WORDS: Final = ("AUTHENTICAT", "CREDENTIAL")
_MAX_TEXT: Final = 200
_MAX_CODE: Final = 64

type Scrub = Callable[[str], str]


def read_answer(
    route: str, status: int, text: str, retry_after: str | None, scrub: Scrub
) -> object:
    """Return the envelope's ``data`` when the request worked; raise the matching error.

    ``route`` names the endpoint in messages (``GET /sms``); ``scrub`` removes credentials
    from any text of the service that reaches a message.
    """
    if 300 <= status < 400:
        raise SmsGatewayResponseError(
            f"{route} answered with a redirect (HTTP {status}), which is not followed: "
            "check the base URL",
            code="redirect",
            status=status,
        )
    if status == 429:
        raise SmsGatewayRateLimitError(
            f"Rate limited on {route}", retry_after=parse_retry_after(retry_after)
        )
    body = _json(text)
    kind = (word_of(body.get("status")) or "").lower() if body is not None else ""
    if body is not None and kind == "error":
        raise _service_error(route, status, body.get("data"), scrub)
    if not 200 <= status < 300:
        raise SmsGatewayInvalidResponseError(
            f"Unreadable answer from {route} (HTTP {status}): not CALLR's JSON "
            "(a proxy's page, or a wrong base URL?)",
            code="invalid_response",
            status=status,
        )
    if body is None or kind != "success" or "data" not in body:
        raise SmsGatewayInvalidResponseError(
            f"Unexpected answer from {route} (HTTP {status}): not CALLR's success envelope",
            code="invalid_response",
            status=status,
        )
    return body["data"]


def _json(text: str) -> Mapping[str, Any] | None:
    """The body as a JSON object; None when it is not one."""
    try:
        body: object = json.loads(text)
    except (ValueError, RecursionError):
        return None
    return body if isinstance(body, Mapping) else None


def _service_error(route: str, status: int, data: object, scrub: Scrub) -> SmsGatewayError:
    """The error of CALLR's error envelope."""
    fields: Mapping[str, Any] = data if isinstance(data, Mapping) else {}
    code = word_of(fields.get("code"))
    message = word_of(fields.get("message"))
    if is_auth_failure(status, code, message):
        return SmsGatewayAuthenticationError(f"Authentication failed on {route}")
    safe_code = scrub(code)[:_MAX_CODE] if code is not None else None
    detail = scrub(message)[:_MAX_TEXT] if message is not None else "no message"
    return SmsGatewayResponseError(
        f"{route} failed (HTTP {status}, code {safe_code or 'none'}): {detail}",
        code=safe_code,
        status=status,
    )


def is_auth_failure(status: int, code: str | None, message: str | None) -> bool:
    """Tell whether CALLR's error envelope means the credentials were refused."""
    words = (message or "").upper()
    if status == 401 or code == AUTH_ERROR_CODE:
        return True
    if status == 403 and words.startswith("FORBIDDEN"):
        return True
    return any(word in words for word in _AUTH_WORDS)


def parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a ``Retry-After`` in seconds, at most an hour; None when unusable.

    An HTTP-date is not read (CALLR is not known to send one): None.
    """
    if value is None:
        return None
    try:
        seconds = float(value.strip())
    except ValueError:
        return None
    if not math.isfinite(seconds) or seconds < 0:
        return None
    return min(seconds, MAX_RETRY_AFTER)
