"""Classify SMSMobileAPI's answers: a usable body, or the right exception.

The service reports errors in several shapes (see the wire notes): an HTTP status, ``{"success":
false, "error": ...}``, ``{"error": ..., "message": ...}``, an ``error`` inside ``result`` (even
with HTTP 200), or free text such as ``Missing apikey``. ``raise_for_answer`` reads all of them.
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
    SmsGatewaySubscriptionExpiredError,
)
from ..parsing import optional_str

# A Retry-After longer than a day is not believed: polling must never stop for good.
_MAX_RETRY_AFTER: Final = 86400.0
_AUTH_CODES: Final = frozenset(
    {
        "1",
        "missing_apikey",
        "invalid_apikey",
        "unauthorized",
        "invalid_token",
        "invalid_client",
        "invalid_grant",
        "unauthorized_client",
    }
)
_AUTH_WORDS: Final = ("apikey", "api key", "unauthori", "token")
_EXPIRED_CODES: Final = frozenset({"api_expired", "subscription_expire", "subscription_expired"})

type Scrub = Callable[[str], str]


def raise_for_answer(
    path: str, status: int, text: str, retry_after: str | None, scrub: Scrub
) -> Mapping[str, Any]:
    """Return the JSON body when the request worked; raise the matching error otherwise.

    ``scrub`` removes credentials from any text of the service that reaches a message.
    """
    if status == 429:
        raise SmsGatewayRateLimitError(
            f"Rate limited on /{path}", retry_after=parse_retry_after(retry_after)
        )
    try:
        body: Any = json.loads(text)
    except (ValueError, RecursionError):
        body = None
    if not isinstance(body, Mapping):
        raise _text_error(path, status, text)
    code, message = _error_of(body)
    if code is None and status < 400:
        return body
    raise _code_error(path, status, code, message, scrub)


def parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header; None when absent or unusable."""
    if value is None:
        return None
    try:
        seconds = float(value)
    except ValueError:
        return None
    if not math.isfinite(seconds) or seconds < 0:
        return None
    return min(seconds, _MAX_RETRY_AFTER)


def _text_error(path: str, status: int, text: str) -> SmsGatewayError:
    # Plain-text refusals such as "Missing apikey"; not a truncated JSON or HTML body, which
    # may mention the key's field name too (the call lists echo it back). A 401 or 403 page
    # that is not the service's JSON (a proxy's HTML, an empty body) says nothing about the
    # credentials: it is unreadable, and retried like any other.
    stripped = text.lstrip()
    plain = bool(stripped) and stripped[0] not in "{[<" and len(stripped) <= 200
    if plain and "apikey" in stripped.lower():
        return SmsGatewayAuthenticationError(f"Authentication failed on /{path}")
    return SmsGatewayInvalidResponseError(
        f"Unreadable answer from /{path} (HTTP {status})",
        code="invalid_response",
        status=status,
    )


def _code_error(
    path: str, status: int, code: str | None, message: str | None, scrub: Scrub
) -> SmsGatewayError:
    normalized = (code or "").strip().lower()
    # Some endpoints answer with free text ("Invalid apikey", "Subscription expired").
    if normalized in _EXPIRED_CODES or "expire" in normalized:
        return SmsGatewaySubscriptionExpiredError("The subscription has expired")
    # Bad credentials only when the service says so: one of its authentication codes, or a 401
    # carrying a JSON error. A 403 with another code, or JSON without an error, is not one.
    if (
        normalized in _AUTH_CODES
        or (status == 401 and code is not None)
        or any(word in normalized for word in _AUTH_WORDS)
    ):
        return SmsGatewayAuthenticationError(f"Authentication failed on /{path}")
    if normalized == "429":
        return SmsGatewayRateLimitError(f"Rate limited on /{path}")
    detail = f": {scrub(message)}" if message else ""
    return SmsGatewayResponseError(
        f"/{path} failed with error {scrub(code or str(status))}{detail}",
        code=scrub(code) if code is not None else None,
        status=status,
    )


def _error_of(body: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """Return the error code and message a body carries, or (None, None) for success."""
    message = optional_str(body.get("message")) or optional_str(body.get("detail"))
    if body.get("success") is False:
        return optional_str(body.get("error")) or "unknown", message
    if _is_error(body.get("error")):
        return optional_str(body["error"]) or "unknown", message
    result = body.get("result")
    if isinstance(result, Mapping) and _is_error(result.get("error")):
        result_message = optional_str(result.get("message")) or optional_str(result.get("detail"))
        return optional_str(result["error"]) or "unknown", result_message or message
    return None, None


def _is_error(value: object) -> bool:
    """Whether an ``error`` member means an error: 0, "0", "", null and false mean none."""
    if value is None or value is False:
        return False
    if isinstance(value, int | float):
        return value != 0
    if isinstance(value, str):
        return value.strip() not in ("", "0")
    return True
