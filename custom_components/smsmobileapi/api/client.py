"""Async client for the SMSMobileAPI REST API.

One instance per account. The caller owns the ``aiohttp`` session; every request has a timeout;
every failure becomes one of the exceptions of ``exceptions.py``; the body, not only the HTTP
status, says whether a request worked. No credential ever reaches a message, a log line or a
returned value.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, timedelta
import json
import logging
import math
from typing import Any, Final, Literal

import aiohttp
from yarl import URL

from .auth import ApiKeyCredentials, Credentials, OAuth2Credentials
from .exceptions import (
    SmsMobileApiAuthenticationError,
    SmsMobileApiConnectionError,
    SmsMobileApiError,
    SmsMobileApiInvalidResponseError,
    SmsMobileApiRateLimitError,
    SmsMobileApiResponseError,
    SmsMobileApiSubscriptionExpiredError,
    SmsMobileApiTimeoutError,
)
from .gateway import Capability
from .models import (
    AccessToken,
    Call,
    CallType,
    Channel,
    Conversation,
    ConversationOrigin,
    PhoneList,
    ReceivedSms,
    SendResult,
    SentFromMobile,
)
from .parsing import (
    as_list,
    as_object,
    optional_int,
    optional_str,
    parse_calls,
    parse_conversations,
    parse_phone_list,
    parse_send_result,
    parse_sent_from_mobile,
    parse_sms_list,
    required_str,
)

_LOGGER = logging.getLogger(__name__)

DEFAULT_BASE_URL: Final = "https://api.smsmobileapi.com"
DEFAULT_TIMEOUT: Final = 30.0
SOURCE_TAG: Final = "homeassistant"

MISSED_CALLS_DEFAULT_LIMIT: Final = 100
MISSED_CALLS_MAX_LIMIT: Final = 500
CALLS_DEFAULT_LIMIT: Final = 50
CALLS_MAX_LIMIT: Final = 200
CALLS_SORT_FIELDS: Final = frozenset(
    {
        "call_date_ms",
        "call_datetime_utc",
        "duration_sec",
        "phone_number",
        "created_at",
        "cached_name",
        "geo_location",
    }
)
SENT_FROM_MOBILE_MAX_LIMIT: Final = 200
SENT_FROM_MOBILE_PERIODS: Final = frozenset(
    {"today", "yesterday", "last_24h", "last_3days", "last_7days"}
)
CONVERSATIONS_DEFAULT_LIMIT: Final = 20

# Refresh an OAuth2 token this long before it expires.
_TOKEN_MARGIN: Final = timedelta(seconds=60)
# When the token endpoint gives no lifetime, assume this one.
_TOKEN_DEFAULT_LIFETIME: Final = 3600
_REDACTED: Final = "**REDACTED**"
# A Retry-After longer than a day is not believed: polling must never stop for good.
_MAX_RETRY_AFTER: Final = 86400.0
_SECRET_FIELDS: Final = frozenset({"apikey", "api_key", "access_token", "client_secret"})

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

type Params = Mapping[str, str | int | None]
type SortDirection = Literal["asc", "desc"]


class SmsMobileApiClient:
    """Talk to SMSMobileAPI on behalf of one account."""

    capabilities: frozenset[Capability] = frozenset(Capability)

    def __init__(
        self,
        session: aiohttp.ClientSession,
        credentials: Credentials,
        *,
        base_url: str = DEFAULT_BASE_URL,
        request_timeout: float = DEFAULT_TIMEOUT,
        source: str = SOURCE_TAG,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        """Use ``session`` (owned by the caller) to reach ``base_url`` with ``credentials``."""
        self._session = session
        self._credentials = credentials
        self._base_url = URL(base_url.rstrip("/") + "/")
        self._timeout = request_timeout
        self._source = source
        self._clock = clock or (lambda: datetime.now(UTC))
        self._token: AccessToken | None = None
        self._token_lock = asyncio.Lock()

    @property
    def credentials(self) -> Credentials:
        """The credentials in use."""
        return self._credentials

    @property
    def base_url(self) -> str:
        """The service's base URL, without a trailing slash."""
        return str(self._base_url).rstrip("/")

    # --- sending -------------------------------------------------------------------------------

    async def send_message(
        self,
        recipient: str,
        message: str,
        *,
        channel: Channel = Channel.SMS,
        device_id: str | None = None,
        sim: int | None = None,
        schedule_at: datetime | None = None,
        shorten_urls: bool = False,
        encrypt: bool = False,
        media_url: str | None = None,
    ) -> SendResult:
        """Queue one message to one recipient; the phone sends it later.

        Never retried on a timeout: the message may already be on its way.
        """
        if not message:
            raise ValueError("message must not be empty")
        if sim not in (None, 1, 2):
            raise ValueError("sim must be 1 or 2")
        if media_url is not None and (
            channel is Channel.SMS or not media_url.startswith("https://")
        ):
            raise ValueError("media_url must be an https URL sent with WhatsApp")
        form: dict[str, str | int | None] = {
            "recipients": recipient,
            "message": message,
            "port": sim,
            "sIdentifiant": device_id,
            "shorturl": 1 if shorten_urls else None,
            "encrypt_message": "yes" if encrypt else None,
            "url_media": media_url,
        }
        if channel is not Channel.SMS:
            form["sendwa"] = 1
            form["sendsms"] = 1 if channel is Channel.SMS_WHATSAPP else 0
            if channel is Channel.WHATSAPP:
                form["waonly"] = "yes"
        if schedule_at is not None:
            form["schedule_timestamp"] = int(schedule_at.timestamp())
        body = await self._request("sendsms/", form, method="POST")
        return parse_send_result(_result(body))

    async def resend(self, guid: str) -> None:
        """Send again a message that failed."""
        await self._request("resend/", {"guid": guid}, method="POST")

    # --- logs ----------------------------------------------------------------------------------

    async def get_sent_log(
        self,
        *,
        guid: str | None = None,
        before: str | None = None,
        keyword: str | None = None,
        api_errors_only: bool = False,
        mobile_errors_only: bool = False,
    ) -> tuple[dict[str, Any], ...]:
        """List messages sent through the API; rows are undocumented, so passed through."""
        body = await self._request(
            "log/sent/sms/",
            {
                "guid_message": guid,
                "before": before,
                "keyword": keyword,
                "error_api": 1 if api_errors_only else None,
                "error_mobile": 1 if mobile_errors_only else None,
            },
        )
        result = _result(body)
        rows = result.get("sms", result.get("messages", result.get("data")))
        return tuple(
            {
                key: value
                for key, value in as_object(row, "sms").items()
                if key not in _SECRET_FIELDS
            }
            for row in as_list(rows, "sms")
        )

    async def get_sent_from_mobile(
        self,
        *,
        day: date | None = None,
        date_from: date | None = None,
        date_to: date | None = None,
        period: str | None = None,
        number: str | None = None,
        device_id: str | None = None,
        search: str | None = None,
        limit: int | None = None,
    ) -> tuple[SentFromMobile, ...]:
        """List SMS sent from the phones themselves (last 7 days)."""
        if period is not None and period not in SENT_FROM_MOBILE_PERIODS:
            raise ValueError(f"period must be one of {sorted(SENT_FROM_MOBILE_PERIODS)}")
        body = await self._request(
            "log/sent/frommobile/",
            {
                "date": _day(day),
                "date_from": _day(date_from),
                "date_to": _day(date_to),
                "period": period,
                "number": number,
                "sIdentifiant": device_id,
                "search": search,
                "limit": _bounded(limit, SENT_FROM_MOBILE_MAX_LIMIT),
            },
        )
        rows = body.get("data", body.get("rows"))
        if rows is None and isinstance(body.get("result"), Mapping):
            rows = body["result"].get("sms", body["result"].get("data"))
        return tuple(parse_sent_from_mobile(row) for row in as_list(rows, "data"))

    # --- received SMS --------------------------------------------------------------------------

    async def get_received_sms(
        self,
        *,
        after: datetime | None = None,
        device_id: str | None = None,
        unread_only: bool = False,
    ) -> tuple[ReceivedSms, ...]:
        """List received SMS, oldest first; ``after`` keeps only those after that time."""
        body = await self._request(
            "getsms/",
            {
                "after_timestamp_unix": int(after.timestamp()) if after else None,
                "sIdentifiantPhone": device_id,
                "onlyunread": "yes" if unread_only else None,
            },
        )
        return parse_sms_list(_result(body))

    async def mark_read(self, guid: str) -> None:
        """Mark a received SMS as read (API status only, not on the phone)."""
        await self._request("getsms/set-read/", {"guid_message": guid})

    async def set_alias(self, guid: str, alias: str) -> None:
        """Set the alias of a received SMS; an empty alias clears it."""
        await self._request("getsms/update/", {"guid": guid, "alias": alias}, method="POST")

    async def delete_received_sms(
        self,
        *,
        guid: str | None = None,
        date_start: date | None = None,
        date_end: date | None = None,
    ) -> None:
        """Delete SMS from the service's log (never from the phone): one, one day or a period."""
        if guid is None and date_start is None:
            raise ValueError("give a guid or a date_start")
        if date_end is not None and date_start is None:
            raise ValueError("date_end needs date_start")
        await self._request(
            "deletesms/",
            {"guid_message": guid, "date_start": _day(date_start), "date_end": _day(date_end)},
        )

    async def get_conversations(
        self,
        origin: ConversationOrigin,
        *,
        number: str | None = None,
        date_from: date | datetime | None = None,
        date_to: date | datetime | None = None,
        newest_first: bool = True,
        limit: int | None = None,
        summary_lines: int | None = None,
    ) -> tuple[Conversation, ...]:
        """List conversations; with ``summary_lines`` only the latest lines of each."""
        body = await self._request(
            "conversation/sms/list/",
            {
                "origineConversation": origin.value,
                "numero": number,
                "date_from": _day_or_time(date_from),
                "date_to": _day_or_time(date_to),
                "sort": "DESC" if newest_first else "ASC",
                "limit": limit,
                "resume": 1 if summary_lines is not None else None,
                "resume_line_how": summary_lines,
            },
        )
        return parse_conversations(body)

    # --- phones --------------------------------------------------------------------------------

    async def get_phones(
        self, *, device_id: str | None = None, search: str | None = None
    ) -> PhoneList:
        """List the phones connected to the account."""
        body = await self._request("gateway/mobile/list/", {"sid": device_id, "search": search})
        return parse_phone_list(body)

    async def update_phone(
        self, device_id: str, *, label: str, phone_number: str | None = None
    ) -> None:
        """Rename a connected phone (an empty label clears it)."""
        await self._request(
            "gateway/mobile/update/",
            {"sid": device_id, "label": label, "phone_number": phone_number},
            method="POST",
        )

    async def delete_phone(self, device_id: str) -> None:
        """Remove a phone from the gateway, with its history."""
        await self._request("gateway/mobile/delete/", {"sid": device_id}, method="POST")

    # --- calls ---------------------------------------------------------------------------------

    async def get_missed_calls(
        self,
        *,
        limit: int = MISSED_CALLS_DEFAULT_LIMIT,
        offset: int = 0,
        search: str | None = None,
        date_start: date | None = None,
        date_end: date | None = None,
    ) -> tuple[Call, ...]:
        """List missed calls, newest first."""
        body = await self._request(
            "call/missed/list/",
            {
                "limit": _bounded(limit, MISSED_CALLS_MAX_LIMIT),
                "offset": offset or None,
                "search": search,
                "date_start": _day(date_start),
                "date_end": _day(date_end),
            },
        )
        return parse_calls(body, CallType.MISSED)

    async def get_answered_calls(
        self,
        call_type: Literal[CallType.INCOMING, CallType.OUTGOING],
        *,
        limit: int = CALLS_DEFAULT_LIMIT,
        offset: int = 0,
        sort_by: str = "call_date_ms",
        sort_dir: SortDirection = "desc",
        since: datetime | None = None,
        until: datetime | None = None,
        query: str | None = None,
    ) -> tuple[Call, ...]:
        """List incoming (answered) or outgoing calls, newest first."""
        if sort_by not in CALLS_SORT_FIELDS:
            raise ValueError(f"sort_by must be one of {sorted(CALLS_SORT_FIELDS)}")
        body = await self._request(
            f"call/{call_type.value}/list/",
            {
                "limit": _bounded(limit, CALLS_MAX_LIMIT),
                "offset": offset or None,
                "sort_by": sort_by,
                "sort_dir": sort_dir,
                "date_from_ms": _millis(since),
                "date_to_ms": _millis(until),
                "q": query,
            },
        )
        return parse_calls(body, call_type)

    # --- transport -----------------------------------------------------------------------------

    async def get_access_token(self) -> AccessToken:
        """Return a valid OAuth2 token, fetching a new one when needed."""
        if not isinstance(self._credentials, OAuth2Credentials):
            raise TypeError("an access token needs OAuth2 credentials")
        async with self._token_lock:
            token = self._token
            if token is None or token.expires_at - _TOKEN_MARGIN <= self._clock():
                token = self._token = await self._fetch_token(self._credentials)
            return token

    async def _fetch_token(self, credentials: OAuth2Credentials) -> AccessToken:
        form = {
            "grant_type": "client_credentials",
            "client_id": credentials.client_id,
            "client_secret": credentials.client_secret,
        }
        body = await self._send("POST", "oauth2/token", form, headers={})
        lifetime = optional_int(body.get("expires_in")) or _TOKEN_DEFAULT_LIFETIME
        return AccessToken(
            token=required_str(body, "access_token", where="token response"),
            expires_at=self._clock() + timedelta(seconds=lifetime),
        )

    async def _request(
        self, path: str, params: Params, *, method: Literal["GET", "POST"] = "GET"
    ) -> Mapping[str, Any]:
        """Authenticate and send one API request; on a rejected bearer token, renew it once."""
        fields = {key: str(value) for key, value in params.items() if value is not None}
        fields["from"] = self._source
        if isinstance(self._credentials, ApiKeyCredentials):
            fields["apikey"] = self._credentials.api_key
            return await self._send(method, path, fields, headers={})
        token = await self.get_access_token()
        try:
            return await self._send(method, path, fields, headers=_bearer(token))
        except SmsMobileApiAuthenticationError:
            # Forget this token unless a concurrent request has already replaced it.
            if self._token is token:
                self._token = None
            _LOGGER.debug("Access token rejected by %s, fetching a new one", path)
            token = await self.get_access_token()
            return await self._send(method, path, fields, headers=_bearer(token))

    async def _send(
        self,
        method: str,
        path: str,
        fields: Mapping[str, str],
        *,
        headers: Mapping[str, str],
    ) -> Mapping[str, Any]:
        url = self._base_url.join(URL(path))
        query, form = (fields, None) if method == "GET" else ({}, fields)
        try:
            async with (
                asyncio.timeout(self._timeout),
                self._session.request(
                    method,
                    url,
                    params=query,
                    data=form,
                    headers={"Accept": "application/json", **headers},
                ) as response,
            ):
                text = await response.text(errors="replace")
                status = response.status
                retry_after = response.headers.get("Retry-After")
        except TimeoutError as err:
            raise SmsMobileApiTimeoutError(f"Timeout while requesting /{path}") from err
        except aiohttp.ClientError as err:
            raise SmsMobileApiConnectionError(
                f"Error while requesting /{path}: {type(err).__name__}"
            ) from err
        return self._interpret(path, status, text, retry_after)

    def _interpret(
        self, path: str, status: int, text: str, retry_after: str | None
    ) -> Mapping[str, Any]:
        """Decide from status and body whether the request worked; raise when it did not."""
        if status == 429:
            raise SmsMobileApiRateLimitError(
                f"Rate limited on /{path}", retry_after=_retry_after(retry_after)
            )
        try:
            body: Any = json.loads(text)
        except ValueError, RecursionError:
            body = None
        if not isinstance(body, Mapping):
            raise self._text_error(path, status, text)
        code, message = _error_of(body)
        if code is None and status < 400:
            return body
        raise self._code_error(path, status, code, message)

    def _text_error(self, path: str, status: int, text: str) -> SmsMobileApiError:
        # Plain-text refusals such as "Missing apikey"; not a truncated JSON or HTML body, which
        # may mention the key's field name too (the call lists echo it back).
        stripped = text.lstrip()
        plain = bool(stripped) and stripped[0] not in "{[<" and len(stripped) <= 200
        if status in (401, 403) or (plain and "apikey" in stripped.lower()):
            return SmsMobileApiAuthenticationError(f"Authentication failed on /{path}")
        return SmsMobileApiInvalidResponseError(
            f"Unreadable answer from /{path} (HTTP {status})",
            code="invalid_response",
            status=status,
        )

    def _code_error(
        self, path: str, status: int, code: str | None, message: str | None
    ) -> SmsMobileApiError:
        normalized = (code or "").strip().lower()
        # Some endpoints answer with free text ("Invalid apikey", "Subscription expired").
        if normalized in _EXPIRED_CODES or "expire" in normalized:
            return SmsMobileApiSubscriptionExpiredError("The subscription has expired")
        if (
            normalized in _AUTH_CODES
            or status in (401, 403)
            or any(word in normalized for word in _AUTH_WORDS)
        ):
            return SmsMobileApiAuthenticationError(f"Authentication failed on /{path}")
        if normalized == "429":
            return SmsMobileApiRateLimitError(f"Rate limited on /{path}")
        detail = f": {self._scrub(message)}" if message else ""
        return SmsMobileApiResponseError(
            f"/{path} failed with error {self._scrub(code or str(status))}{detail}",
            code=self._scrub(code) if code is not None else None,
            status=status,
        )

    def _scrub(self, text: str) -> str:
        """Remove every credential from a text that came from the service."""
        secrets = [*self._credentials.secrets]
        if self._token is not None:
            secrets.append(self._token.token)
        for secret in secrets:
            if secret:
                text = text.replace(secret, _REDACTED)
        return text[:200]


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


def _result(body: Mapping[str, Any]) -> Mapping[str, Any]:
    if "result" not in body:
        raise SmsMobileApiInvalidResponseError(
            "missing field 'result' in response", code="invalid_response"
        )
    return as_object(body["result"], "result")


def _bearer(token: AccessToken) -> dict[str, str]:
    return {"Authorization": f"Bearer {token.token}"}


def _retry_after(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        seconds = float(value)
    except ValueError:
        return None
    if not math.isfinite(seconds) or seconds < 0:
        return None
    return min(seconds, _MAX_RETRY_AFTER)


def _bounded(value: int | None, maximum: int) -> int | None:
    if value is None:
        return None
    if not 1 <= value <= maximum:
        raise ValueError(f"limit must be between 1 and {maximum}")
    return value


def _day(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _day_or_time(value: date | datetime | None) -> str | None:
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
    return _day(value)


def _millis(value: datetime | None) -> int | None:
    return int(value.timestamp() * 1000) if value is not None else None
