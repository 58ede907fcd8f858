"""Async client for CALLR's SMS REST API v1.1: send, list received and sent SMS, read webhooks.

One instance per account. The caller owns the ``aiohttp`` session; ``transport.py`` authenticates
(HTTP Basic), times out and turns every failure into one of the exceptions of ``exceptions.py``.
Methods return the provider-neutral models of ``models.py``; no credential ever reaches a message,
a log line or a returned value.

Endpoints: ``POST /sms`` (send), ``GET /sms?type=IN|OUT&from=&to=`` (list, a UTC window whose
bounds are included, to the second), ``GET /sms/<hash>`` (one SMS).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Container, Mapping, Sequence
from datetime import UTC, datetime
from functools import partial
import re
from typing import Any, Final

import aiohttp

from ..events import WebhookDelivery
from ..exceptions import SmsGatewayResponseError
from ..gateway import Capability
from ..models import Channel, ReceivedSms, SendResult, SentMessage
from ..slices import SKIP, ModelRows, Skip, map_in_slices, sorted_in_slices
from .auth import CallrCredentials
from .const import (
    DEFAULT_BASE_URL,
    DEFAULT_TIMEOUT,
    DEFAULT_WINDOW,
    MAX_MESSAGE_LENGTH,
    SEND_OPTIONS,
)
from .parsing import (
    as_rows,
    as_sms,
    clean,
    format_time,
    is_hash,
    is_type,
    parse_received_sms,
    parse_send_result,
    parse_sent_message,
    sms_hash,
)
from .transport import Transport
from .webhook import read

# CALLR's answer to ``GET /sms/<hash>`` for a hash it does not know: PROPERTY_VALUE_ERROR [id].
_UNKNOWN_HASH: Final = re.compile(r"\[(id|hash)\]", re.IGNORECASE)


class CallrClient:
    """Talk to CALLR on behalf of one account."""

    capabilities: frozenset[Capability] = frozenset(
        {Capability.SEND_SMS, Capability.SENDER_ID, Capability.RECEIVE_SMS, Capability.SENT_LOG}
    )
    max_message_length: int = MAX_MESSAGE_LENGTH

    def __init__(
        self,
        session: aiohttp.ClientSession,
        credentials: CallrCredentials,
        *,
        base_url: str = DEFAULT_BASE_URL,
        request_timeout: float = DEFAULT_TIMEOUT,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        """Use ``session`` (owned by the caller) to reach ``base_url`` with ``credentials``.

        ``clock`` gives the current time (aware UTC) for the listing windows.
        """
        self._transport = Transport(
            session, credentials, base_url=base_url, request_timeout=request_timeout
        )
        self._clock: Callable[[], datetime] = clock or (lambda: datetime.now(UTC))

    def __repr__(self) -> str:
        """Name the account by its login and the service by its URL, nothing secret."""
        return f"CallrClient(username={self.credentials.username!r}, base_url={self.base_url!r})"

    @property
    def credentials(self) -> CallrCredentials:
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
        """Send one SMS (``POST /sms``); ``sender`` is an approved sender ID, else CALLR picks.

        Only a plain SMS, optionally with a sender: any other option raises ``ValueError``
        before any request. Never retried on a timeout: the SMS may already be on its way.
        ``parts`` stays None: the answer carries only the new SMS's hash.
        """
        unsupported = {
            "channel": channel is not Channel.SMS,
            "phone_id": phone_id is not None,
            "sim": sim is not None,
            "schedule_at": schedule_at is not None,
            "shorten_urls": shorten_urls,
            "encrypt": encrypt,
            "media_url": media_url is not None,
        }
        if refused := [name for name, given in unsupported.items() if given]:
            raise ValueError(f"CALLR does not support {', '.join(refused)}")
        if not recipient.strip():
            raise ValueError("recipient must not be empty")
        if not message:
            raise ValueError("message must not be empty")
        if len(message) > MAX_MESSAGE_LENGTH:
            raise ValueError(f"message longer than {MAX_MESSAGE_LENGTH} characters")
        payload = {
            "to": clean(recipient.strip()),
            "from": clean(sender.strip()) if sender is not None else "",
            "body": clean(message),
            "options": dict(SEND_OPTIONS),
        }
        data = await self._transport.request("POST", "/sms", route="POST /sms", payload=payload)
        return parse_send_result(data)

    # --- webhooks ------------------------------------------------------------------------------

    def read_webhook(
        self, headers: Mapping[str, str], body: bytes, *, secret: str | None, now: datetime
    ) -> WebhookDelivery:
        """Read a CALLR delivery (``sms.mo``, ``sms.mt.status_update``); see ``webhook.py``.

        With ``secret``, only a body signed with it (``X-CALLR-HmacSignature``) is read.
        """
        event, signed = read(headers, body, secret=secret, now=now)
        return WebhookDelivery(event=event, signed=signed)

    # --- received SMS --------------------------------------------------------------------------

    async def get_received_sms(
        self,
        *,
        after: datetime | None = None,
        phone_id: str | None = None,
        unread_only: bool = False,
    ) -> tuple[ReceivedSms, ...]:
        """List received SMS from ``after`` (default: the last seven days) to now, oldest first.

        The window is CALLR's, bounds included to the second: an SMS of the very second of
        ``after`` is listed again; deduplicating is the caller's job. ``phone_id`` and
        ``unread_only`` do not exist at CALLR: ``ValueError``.
        """
        if phone_id is not None:
            raise ValueError("CALLR has no phones: no phone_id")
        if unread_only:
            raise ValueError("CALLR keeps no read status: no unread_only")
        # Each row becomes its model as it is read (a long list never holds all its rows).
        reader = ModelRows(_incoming)
        rows = await self._list_data("IN", after, reader.read)
        return tuple(await sorted_in_slices(reader.models(rows), _received_at))

    async def find_received_sms(
        self, guids: Collection[str], *, after: datetime
    ) -> dict[str, ReceivedSms]:
        """The SMS with these hashes among those received from ``after`` to now, by hash.

        The request of ``get_received_sms(after=after)``, for a lookup (a pushed SMS confirmed
        with the service): only the rows looked for become models, the others are dropped as
        they are read.
        """
        reader = ModelRows(partial(_incoming_wanted, frozenset(guids)))
        found: dict[str, ReceivedSms] = {}
        for sms in reader.models(await self._list_data("IN", after, reader.read)):
            found.setdefault(sms.guid, sms)
        return found

    # --- sent SMS ------------------------------------------------------------------------------

    async def get_sent_messages(
        self,
        *,
        guid: str | None = None,
        keyword: str | None = None,
        since: datetime | None = None,
        errors_only: bool = False,
    ) -> tuple[SentMessage, ...]:
        """List SMS sent through CALLR, newest first.

        ``guid`` reads that one SMS (``GET /sms/<hash>``): a hash CALLR does not know, or that
        of a received SMS, gives an empty tuple. Otherwise the SMS sent from ``since`` (default:
        the last seven days) to now. ``keyword`` keeps those whose text or recipient contains
        it (case-insensitive), ``errors_only`` those that failed (``ERROR``, ``FAILED``,
        ``EXPIRED``); both are applied here, like ``since`` to the one SMS of a ``guid``.
        """
        if guid is not None:
            rows = await self._one_sent(guid.strip())
        else:
            rows = await self._list("OUT", since)
        messages = await map_in_slices(parse_sent_message, rows)
        floor = _utc(since).replace(microsecond=0) if since is not None else None
        needle = keyword.casefold() if keyword else None
        kept = [
            message
            for message in messages
            if (floor is None or (message.sent_at is not None and message.sent_at >= floor))
            and (needle is None or _contains(message, needle))
            and (not errors_only or message.failure is not None)
        ]
        return tuple(sorted(kept, key=_newest_first))

    async def _one_sent(self, guid: str) -> Sequence[Mapping[str, Any]]:
        """The outgoing SMS of a hash, if CALLR has one."""
        if not is_hash(guid):
            # Not a CALLR hash: no SMS can have it (and it must not reach the URL's path).
            return ()
        try:
            data = await self._transport.request("GET", f"/sms/{guid}", route="GET /sms/{hash}")
        except SmsGatewayResponseError as err:
            if type(err) is SmsGatewayResponseError and (
                err.status == 404 or _UNKNOWN_HASH.search(str(err))
            ):
                return ()
            raise
        row = as_sms(data, "data")
        return (row,) if is_type(row, "OUT") else ()

    # --- helpers -------------------------------------------------------------------------------

    async def _list(self, sms_type: str, start: datetime | None) -> list[Mapping[str, Any]]:
        """``GET /sms`` of a type from ``start`` (default: ``DEFAULT_WINDOW`` ago) to now."""
        rows = await map_in_slices(as_sms, await self._list_data(sms_type, start))
        # The service lists one type; a row of the other would be misread.
        return [row for row in rows if is_type(row, sms_type)]

    async def _list_data(
        self,
        sms_type: str,
        start: datetime | None,
        read: Callable[[object], object] | None = None,
    ) -> Sequence[object]:
        """The rows of ``GET /sms`` of a type (``read`` reads each as it comes)."""
        now = _utc(self._clock())
        begin = min(_utc(start), now) if start is not None else now - DEFAULT_WINDOW
        query = {"type": sms_type, "from": format_time(begin), "to": format_time(now)}
        data = await self._transport.request(
            "GET", "/sms", route="GET /sms", query=query, rows=read
        )
        return as_rows(data)


def _incoming(row: object) -> ReceivedSms | Skip:
    """An incoming SMS of ``GET /sms?type=IN``; a row of the other type is left out."""
    data = as_sms(row)
    # The service lists one type; a row of the other would be misread.
    return parse_received_sms(data) if is_type(data, "IN") else SKIP


def _incoming_wanted(wanted: Container[str], row: object) -> ReceivedSms | Skip:
    """``_incoming`` of a row whose hash is ``wanted``; ``SKIP`` for any other row."""
    data = as_sms(row)
    if not is_type(data, "IN") or sms_hash(data, "sms") not in wanted:
        return SKIP
    return parse_received_sms(data)


def _received_at(sms: ReceivedSms) -> datetime:
    return sms.received_at


def _utc(moment: datetime) -> datetime:
    """An aware UTC datetime (a naive one is taken as UTC)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _contains(message: SentMessage, needle: str) -> bool:
    return needle in message.message.casefold() or needle in (message.recipients or "").casefold()


def _newest_first(message: SentMessage) -> tuple[bool, float]:
    sent_at = message.sent_at
    return (sent_at is None, -sent_at.timestamp() if sent_at is not None else 0.0)
