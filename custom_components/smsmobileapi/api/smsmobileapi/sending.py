"""Sending: messages to recipients, a failed message sent again, the logs of what was sent."""

from __future__ import annotations

import asyncio
from datetime import date, datetime
from typing import Literal

from ..exceptions import SmsGatewayResponseError
from ..models import (
    Channel,
    SendResult,
    SentFromMobile,
    SentMessage,
)
from ..parsing import optional_str
from ..slices import map_in_slices
from .const import (
    MAX_LIST_RESPONSE_BYTES,
    SENT_FROM_MOBILE_MAX_LIMIT,
    SENT_FROM_MOBILE_PERIODS,
)
from .endpoints import Endpoints, bounded, iso_day, result_of
from .parsing import parse_log_rows, parse_send_result, parse_sent_from_mobile, parse_sent_message
from .whatsapp import parse_whatsapp_check


class SendingEndpoints(Endpoints):
    """``/sendsms/``, ``/whatsapp/checknumber/``, ``/resend/`` and the sent logs."""

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
        body = await self._transport.request("sendsms/", form, method="POST")
        result = result_of(body)
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
        body = await self._transport.request(
            "whatsapp/checknumber/", {"recipients": _wire_number(number, Channel.WHATSAPP)}
        )
        return parse_whatsapp_check(body)

    async def resend(self, guid: str) -> None:
        """Send again a message that failed."""
        await self._transport.request("resend/", {"guid": guid}, method="POST")

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
        body = await self._transport.request(
            "log/sent/sms/", params, max_bytes=MAX_LIST_RESPONSE_BYTES
        )
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
        body = await self._transport.request(
            "log/sent/frommobile/",
            {
                "date": iso_day(day),
                "date_from": iso_day(date_from),
                "date_to": iso_day(date_to),
                "period": period,
                "number": number,
                "sIdentifiant": phone_id,
                "search": search,
                "limit": bounded(limit, SENT_FROM_MOBILE_MAX_LIMIT),
            },
        )
        return tuple(parse_sent_from_mobile(row) for row in parse_log_rows(body))


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
