"""Async client for the SMSMobileAPI REST API: one method per endpoint.

One instance per account. The caller owns the ``aiohttp`` session; ``transport.py`` authenticates,
times out and turns every failure into one of the exceptions of ``exceptions.py``. Methods return
the typed models of ``models.py``; no credential ever reaches a message, a log line or a returned
value.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from typing import Any, Literal

import aiohttp

from ..events import WebhookDelivery
from ..exceptions import SmsGatewayInvalidResponseError, SmsGatewayResponseError
from ..gateway import Capability
from ..models import (
    AccessToken,
    Call,
    CallType,
    Channel,
    Conversation,
    ConversationOrigin,
    PhoneList,
    ReceivedSms,
    ReceivedWhatsApp,
    SendResult,
    SentFromMobile,
    SentMessage,
)
from ..parsing import (
    ModelRows,
    Rows,
    as_object,
    map_in_slices,
    optional_bool,
    optional_str,
    parse_time,
    required_list,
    sorted_in_slices,
)
from .auth import Credentials
from .const import (
    CALLS_DEFAULT_LIMIT,
    CALLS_MAX_LIMIT,
    CALLS_SORT_FIELDS,
    DEFAULT_BASE_URL,
    DEFAULT_TIMEOUT,
    MAX_LIST_RESPONSE_BYTES,
    MAX_MESSAGE_LENGTH,
    MISSED_CALLS_DEFAULT_LIMIT,
    MISSED_CALLS_MAX_LIMIT,
    SENT_FROM_MOBILE_MAX_LIMIT,
    SENT_FROM_MOBILE_PERIODS,
    SOURCE_TAG,
)
from .parsing import (
    SmsTimes,
    parse_calls,
    parse_conversations,
    parse_log_rows,
    parse_phone_list,
    parse_received_sms,
    parse_send_result,
    parse_sent_from_mobile,
    parse_sent_message,
    parse_whatsapp_check,
    parse_whatsapp_list_in_slices,
    sms_order,
)
from .transport import Transport
from .webhook import parse_webhook, verify_signature

type SortDirection = Literal["asc", "desc"]


class SmsMobileApiClient:
    """Talk to SMSMobileAPI on behalf of one account."""

    capabilities: frozenset[Capability] = frozenset(
        {
            Capability.SEND_SMS,
            Capability.SEND_WHATSAPP,
            Capability.SEND_MEDIA,
            Capability.SCHEDULE,
            Capability.SHORTEN_URLS,
            Capability.ENCRYPT,
            Capability.CHOOSE_SIM,
            Capability.RECEIVE_SMS,
            Capability.READ_STATUS,
            Capability.PHONES,
            Capability.CALLS,
            Capability.MANAGE_MESSAGES,
            Capability.CONVERSATIONS,
            Capability.SENT_LOG,
            Capability.SENT_FROM_PHONE,
            Capability.CHECK_WHATSAPP,
            Capability.RECEIVE_WHATSAPP,
        }
    )
    max_message_length: int = MAX_MESSAGE_LENGTH

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
        self._transport = Transport(
            session,
            credentials,
            base_url=base_url,
            request_timeout=request_timeout,
            source=source,
            clock=clock,
        )
        self._request = self._transport.request
        self._clock = clock or (lambda: datetime.now(UTC))
        # The end of the WhatsApp synchronisation window last requested, when it said.
        self._whatsapp_sync_until: datetime | None = None

    @property
    def credentials(self) -> Credentials:
        """The credentials in use."""
        return self._transport.credentials

    @property
    def base_url(self) -> str:
        """The service's base URL, without a trailing slash."""
        return self._transport.base_url

    @property
    def request_timeout(self) -> float:
        """Seconds each request may take before it fails with ``SmsGatewayTimeoutError``."""
        return self._transport.request_timeout

    @request_timeout.setter
    def request_timeout(self, seconds: float) -> None:
        self._transport.request_timeout = seconds

    def read_webhook(
        self, headers: Mapping[str, str], body: bytes, *, secret: str | None, now: datetime
    ) -> WebhookDelivery:
        """Read a legacy or Webhook V2 request; with a secret, only correctly signed ones.

        A signed V2 event must carry its ``id`` in the (signed) body.
        """
        signed = secret is not None
        if secret is not None:
            verify_signature(secret, headers, body, now=now)
        return WebhookDelivery(event=parse_webhook(headers, body, signed=signed), signed=signed)

    async def get_access_token(self) -> AccessToken:
        """Return a valid OAuth2 token, fetching a new one when needed."""
        return await self._transport.get_access_token()

    # --- sending -------------------------------------------------------------------------------

    async def send_message(
        self,
        recipient: str,
        message: str,
        *,
        channel: Channel = Channel.SMS,
        phone_id: str | None = None,
        sim: int | None = None,
        schedule_at: datetime | None = None,
        shorten_urls: bool = False,
        encrypt: bool = False,
        media_url: str | None = None,
        sender: str | None = None,
    ) -> SendResult:
        """Queue one message to one recipient; the phone sends it later.

        Never retried on a timeout: the message may already be on its way.
        """
        if not message:
            raise ValueError("message must not be empty")
        if sender is not None:
            raise ValueError("the phone sends from its own number: no sender name")
        if sim not in (None, 1, 2):
            raise ValueError("sim must be 1 or 2")
        if media_url is not None and (
            channel is Channel.SMS or not media_url.startswith("https://")
        ):
            raise ValueError("media_url must be an https URL sent with WhatsApp")
        form: dict[str, str | int | None] = {
            "recipients": _wire_number(recipient, channel),
            "message": message,
            "port": sim,
            "sIdentifiant": phone_id,
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
        result = _result(body)
        # The vendor's Odoo module counts a send as done only when ``sent`` is "1" (an ``error``
        # of 0 is not enough), and reports the answer otherwise; an absent ``sent`` is not "1"
        # there either, so it is a failure here too. The answer's ``note`` says why.
        if optional_str(result.get("sent")) != "1":
            note = optional_str(result.get("note"))
            detail = f": {self._transport.scrub(note)}" if note else ""
            raise SmsGatewayResponseError(
                f"/sendsms/ did not send the message{detail}", code="not_sent"
            )
        return parse_send_result(result)

    async def has_whatsapp(self, number: str) -> bool | None:
        """Whether an E.164 number can be reached on WhatsApp; None when the service cannot tell.

        ``/whatsapp/checknumber/`` takes the country code and number without "+" or "00".
        """
        body = await self._request(
            "whatsapp/checknumber/", {"recipients": _wire_number(number, Channel.WHATSAPP)}
        )
        return parse_whatsapp_check(body)

    async def resend(self, guid: str) -> None:
        """Send again a message that failed."""
        await self._request("resend/", {"guid": guid}, method="POST")

    # --- logs ----------------------------------------------------------------------------------

    async def get_sent_messages(
        self,
        *,
        guid: str | None = None,
        keyword: str | None = None,
        since: datetime | None = None,
        errors_only: bool = False,
    ) -> tuple[SentMessage, ...]:
        """List messages sent through the API (the service's sent log), newest first.

        The log filters one error source per request: ``errors_only`` asks for both and merges
        them. ``since`` is applied here (the log has no such filter).
        """
        if errors_only:
            api_rows, mobile_rows = await asyncio.gather(
                self._get_sent_log(guid=guid, keyword=keyword, error="error_api"),
                self._get_sent_log(guid=guid, keyword=keyword, error="error_mobile"),
            )
            rows: tuple[SentMessage, ...] = (*api_rows, *mobile_rows)
        else:
            rows = await self._get_sent_log(guid=guid, keyword=keyword)
        unique: dict[object, SentMessage] = {}
        for row in rows:
            if since is None or (row.sent_at is not None and row.sent_at >= since):
                unique.setdefault(row.guid or id(row), row)
        return tuple(sorted(unique.values(), key=_newest_first))

    async def _get_sent_log(
        self,
        *,
        guid: str | None,
        keyword: str | None,
        error: Literal["error_api", "error_mobile"] | None = None,
    ) -> tuple[SentMessage, ...]:
        params: dict[str, str | int | None] = {"guid_message": guid, "keyword": keyword}
        if error is not None:
            params[error] = 1
        body = await self._request("log/sent/sms/", params, max_bytes=MAX_LIST_RESPONSE_BYTES)
        return tuple(await map_in_slices(parse_sent_message, parse_log_rows(body)))

    async def get_sent_from_mobile(
        self,
        *,
        day: date | None = None,
        date_from: date | None = None,
        date_to: date | None = None,
        period: str | None = None,
        number: str | None = None,
        phone_id: str | None = None,
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
                "sIdentifiant": phone_id,
                "search": search,
                "limit": _bounded(limit, SENT_FROM_MOBILE_MAX_LIMIT),
            },
        )
        return tuple(parse_sent_from_mobile(row) for row in parse_log_rows(body))

    # --- received SMS --------------------------------------------------------------------------

    async def get_received_sms(
        self,
        *,
        after: datetime | None = None,
        phone_id: str | None = None,
        unread_only: bool = False,
    ) -> tuple[ReceivedSms, ...]:
        """List received SMS, oldest first; ``after`` keeps only those after that time.

        Each row becomes its model as it is read (a long list never holds all its rows).
        """
        reader = ModelRows(parse_received_sms)
        body = await self._request(
            "getsms/",
            {
                "after_timestamp_unix": int(after.timestamp()) if after else None,
                "sIdentifiantPhone": phone_id,
                "onlyunread": "yes" if unread_only else None,
            },
            max_bytes=MAX_LIST_RESPONSE_BYTES,
            rows=Rows(("result", "sms"), reader.read),
        )
        rows = required_list(_result(body), "sms", where="result")
        return tuple(await sorted_in_slices(reader.models(rows), sms_order))

    async def get_unread_times(self) -> dict[str, datetime]:
        """The GUID and reception time of every SMS not marked read: what an unread count needs.

        The same request and checks as ``get_received_sms(unread_only=True)``, without a model
        per SMS: each row is read into the dict as it comes (the unread list may be the whole
        inbox; see ``Rows``).
        """
        times = SmsTimes()
        body = await self._request(
            "getsms/",
            {"onlyunread": "yes"},
            max_bytes=MAX_LIST_RESPONSE_BYTES,
            rows=Rows(("result", "sms"), times.read),
        )
        return times.result(_result(body))

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

    # --- received WhatsApp messages ------------------------------------------------------------
    # The vendor's workflow (OpenAPI file, Postman collection, API examples): retrieval is off
    # by default, for privacy, until activated once (``set_whatsapp_retrieval``); messages are
    # then synchronised from the phone during time-limited windows (``/getwa/synchronisation/``)
    # and read with ``/getwa/``. Only the window's answer is documented; the list is read
    # leniently (``parse_whatsapp_list``).

    async def set_whatsapp_retrieval(self, active: bool) -> bool | None:  # noqa: FBT001
        """Activate or deactivate WhatsApp retrieval; the state the service reports, if any.

        A consent choice of the account's owner: the client never calls it by itself.
        """
        body = await self._request("getwa/active/", {"statut": 1 if active else 0})
        if not active:
            self._whatsapp_sync_until = None
        return optional_bool(body.get("read_message_active"))

    async def get_received_whatsapp(
        self, *, after: datetime | None = None
    ) -> tuple[ReceivedWhatsApp, ...]:
        """List received WhatsApp messages, oldest first; ``after`` keeps those after then.

        Requests a synchronisation window first unless the last one is still open (its end is
        unknown: every time), then lists what the phone synchronised. A message arriving
        while no window is open shows at the next call.
        """
        until = self._whatsapp_sync_until
        if until is None or until <= self._clock():
            body = await self._request("getwa/synchronisation/", {})
            self._whatsapp_sync_until = parse_time(body.get("expire_at_unix")) or parse_time(
                body.get("expire_at")
            )
        body = await self._request("getwa/", {}, max_bytes=MAX_LIST_RESPONSE_BYTES)
        messages = await parse_whatsapp_list_in_slices(body)
        if after is None:
            return messages
        return tuple(message for message in messages if message.received_at > after)

    # --- phones --------------------------------------------------------------------------------

    async def get_phones(
        self, *, phone_id: str | None = None, search: str | None = None
    ) -> PhoneList:
        """List the phones connected to the account."""
        body = await self._request("gateway/mobile/list/", {"sid": phone_id, "search": search})
        return parse_phone_list(body)

    async def update_phone(
        self, phone_id: str, *, label: str, phone_number: str | None = None
    ) -> None:
        """Rename a connected phone (an empty label clears it)."""
        await self._request(
            "gateway/mobile/update/",
            {"sid": phone_id, "label": label, "phone_number": phone_number},
            method="POST",
        )

    async def delete_phone(self, phone_id: str) -> None:
        """Remove a phone from the gateway, with its history."""
        await self._request("gateway/mobile/delete/", {"sid": phone_id}, method="POST")

    # --- calls ---------------------------------------------------------------------------------
    # The call-management doc says these endpoints authenticate with the ``apikey`` parameter,
    # and the OpenAPI file declares no bearer scheme. With OAuth2 credentials a refusal here is
    # retried once with a new token (it may have been an expired one), then raises
    # ``SmsGatewayFeatureUnavailableError``: the call logs need an API key, the credentials
    # themselves are fine.

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
            apikey_only=True,
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
            apikey_only=True,
        )
        return parse_calls(body, call_type)


def _result(body: Mapping[str, Any]) -> Mapping[str, Any]:
    if "result" not in body:
        raise SmsGatewayInvalidResponseError(
            "missing field 'result' in response", code="invalid_response"
        )
    return as_object(body["result"], "result")


def _wire_number(number: str, channel: Channel) -> str:
    """The ``recipients`` value of an E.164 number on a channel.

    WhatsApp alone: country code and number without "+" (or "00"), as the vendor's Postman
    environment writes its WhatsApp recipient ("15551234567", sent with ``waonly=yes``) and
    as the OpenAPI file asks of ``/whatsapp/checknumber/``. SMS, and SMS with WhatsApp: the
    "+" stays. One value serves both channels there, and the phone dials it: without "+" it
    would be read as a national number. The vendor's own WhatsApp guide sends
    ``recipients=+1234567890`` with ``waonly=yes``, so the service takes the "+" on its
    WhatsApp path too.
    """
    return number.removeprefix("+") if channel is Channel.WHATSAPP else number


def _newest_first(message: SentMessage) -> tuple[bool, float]:
    sent_at = message.sent_at
    return (sent_at is None, -sent_at.timestamp() if sent_at is not None else 0.0)


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
