"""The answer classifier and the transport's scrubbing, unit by unit (no network)."""

import aiohttp
import pytest

from custom_components.smsmobileapi.api import (
    CallrCredentials,
    SmsGatewayAuthenticationError,
    SmsGatewayError,
    SmsGatewayInvalidResponseError,
    SmsGatewayRateLimitError,
    SmsGatewayResponseError,
)
from custom_components.smsmobileapi.api.callr.errors import (
    is_auth_failure,
    parse_retry_after,
    read_answer,
)
from custom_components.smsmobileapi.api.callr.transport import Transport


def _envelope(code: object, message: object) -> str:
    import json  # noqa: PLC0415

    return json.dumps({"status": "error", "data": {"code": code, "message": message}})


@pytest.mark.parametrize(
    ("status", "text", "kind"),
    [
        (401, _envelope(401, "AUTHENTICATION_FAILED"), SmsGatewayAuthenticationError),
        (401, _envelope(None, None), SmsGatewayAuthenticationError),
        (401, _envelope(22, "whatever"), SmsGatewayAuthenticationError),
        (403, _envelope(403, "FORBIDDEN"), SmsGatewayAuthenticationError),
        (403, _envelope(22, "FORBIDDEN"), SmsGatewayAuthenticationError),
        (403, _envelope("22", "NOT_ALLOWED"), SmsGatewayAuthenticationError),
        (400, _envelope(22, "bad"), SmsGatewayAuthenticationError),
        (400, _envelope(400, "AUTHENTICATION_FAILED"), SmsGatewayAuthenticationError),
        (400, _envelope(400, "Invalid credentials"), SmsGatewayAuthenticationError),
        (200, _envelope(None, "authentication required"), SmsGatewayAuthenticationError),
        # A refusal of the request, not of the account: no reauthentication.
        (403, _envelope(403, "SENDER_NOT_AUTHORIZED"), SmsGatewayResponseError),
        (403, _envelope(403, "PROPERTY_VALUE_ERROR [from]"), SmsGatewayResponseError),
        (400, _envelope(400, "FORBIDDEN"), SmsGatewayResponseError),
        (400, _envelope(-32602, "PROPERTY_VALUE_ERROR [id]"), SmsGatewayResponseError),
        # Not CALLR's envelope: CALLR never judged the credentials.
        (
            401,
            "<html><body>401 Authorization Required</body></html>",
            SmsGatewayInvalidResponseError,
        ),
        (401, "", SmsGatewayInvalidResponseError),
        (403, '{"message": "Forbidden"}', SmsGatewayInvalidResponseError),
        (403, "Forbidden", SmsGatewayInvalidResponseError),
        (301, "", SmsGatewayResponseError),
        (308, _envelope(401, "AUTHENTICATION_FAILED"), SmsGatewayResponseError),
        (429, "", SmsGatewayRateLimitError),
        (429, _envelope(401, "AUTHENTICATION_FAILED"), SmsGatewayRateLimitError),
    ],
)
def test_classification(status: int, text: str, kind: type[SmsGatewayError]) -> None:
    """Authentication only from CALLR's envelope; redirects and 429 before anything else."""
    with pytest.raises(SmsGatewayError) as caught:
        read_answer("GET /sms", status, text, None, lambda value: value)

    assert type(caught.value) is kind


def test_success() -> None:
    """Any 2xx with the success envelope gives ``data``, whatever it is (null included)."""
    for status in (200, 201, 299):
        assert (
            read_answer("GET /sms", status, '{"status":"success","data":null}', None, str) is None
        )
    assert read_answer("GET /sms", 200, '{"status":"success","data":[1]}', None, str) == [1]


@pytest.mark.parametrize(
    ("status", "code", "message", "expected"),
    [
        (401, None, None, True),
        (500, "22", None, True),
        (403, None, "forbidden", True),
        (403, None, "Forbidden: account blocked", True),
        (403, None, None, False),
        (403, None, "NOT FORBIDDEN", False),
        (400, "400", "AUTHENTICATION_FAILED", True),
        (400, "400", "BAD_CREDENTIALS", True),
        (400, "220", "PROPERTY_VALUE_ERROR [to]", False),
        (404, None, "UNAUTHORIZED_SENDER", False),
    ],
)
def test_is_auth_failure(
    status: int, code: str | None, message: str | None, expected: bool
) -> None:
    """The rule, case by case."""
    assert is_auth_failure(status, code, message) is expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        ("", None),
        ("soon", None),
        ("Wed, 21 Oct 2026 07:28:00 GMT", None),
        ("-1", None),
        ("nan", None),
        ("inf", None),
        ("0", 0.0),
        (" 12 ", 12.0),
        ("1.5", 1.5),
        ("3600", 3600.0),
        ("86400", 3600.0),
        ("1e308", 3600.0),
    ],
)
def test_retry_after(value: str | None, expected: float | None) -> None:
    """Seconds only, finite, not negative, at most an hour."""
    assert parse_retry_after(value) == expected


@pytest.mark.parametrize(
    ("password", "text", "expected"),
    [
        ("abcdef", "x abcdef y bG9naW46YWJjZGVm", "x **REDACTED** y **REDACTED**"),
        ("a b/c", "a b/c a%20b%2Fc", "**REDACTED** **REDACTED**"),
        ("", "nothing to hide: bG9naW46", "nothing to hide: **REDACTED**"),
    ],
    ids=["plain", "quoted", "empty-password"],
)
async def test_scrub(password: str, text: str, expected: str) -> None:
    """The password, its URL-quoted form and the Basic token; an empty password is skipped."""
    async with aiohttp.ClientSession() as session:
        transport = Transport(
            session, CallrCredentials("login", password), base_url="http://x", request_timeout=1
        )

    assert transport.scrub(text) == expected
