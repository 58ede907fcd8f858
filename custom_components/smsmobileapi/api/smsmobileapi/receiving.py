"""Receiving: the SMS inbox, its conversations and the WhatsApp messages synchronised by a phone."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from datetime import date, datetime
from functools import partial
from typing import Any

from ..models import (
    Conversation,
    ConversationOrigin,
    ReceivedSms,
    ReceivedWhatsApp,
)
from ..parsing import optional_bool, parse_time, required_list
from ..slices import ModelRows, Rows, sorted_in_slices
from .const import (
    MAX_LIST_RESPONSE_BYTES,
)
from .endpoints import Endpoints, iso_day, iso_day_or_time, result_of
from .parsing import SmsTimes, parse_conversations, parse_received_sms, parse_wanted_sms, sms_order
from .transport import Params
from .whatsapp import parse_whatsapp_list_in_slices


class ReceivingEndpoints(Endpoints):
    """``/getsms/`` and its updates, ``/deletesms/``, conversations, ``/getwa/``."""

    # The end of the WhatsApp synchronisation window last requested, when it said.
    _whatsapp_sync_until: datetime | None = None

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
        result = await self._get_sms(
            {
                "after_timestamp_unix": int(after.timestamp()) if after else None,
                "sIdentifiantPhone": phone_id,
                "onlyunread": "yes" if unread_only else None,
            },
            reader.read,
        )
        rows = required_list(result, "sms", where="result")
        return tuple(await sorted_in_slices(reader.models(rows), sms_order))

    async def find_received_sms(
        self, guids: Collection[str], *, after: datetime
    ) -> dict[str, ReceivedSms]:
        """The SMS with these GUIDs among those received after ``after``, by GUID.

        The request of ``get_received_sms(after=after)``, for a lookup (a pushed SMS confirmed
        with the service): only the rows looked for become models, the others are dropped as
        they are read (a lookup lists every SMS of its window, again and again).
        """
        reader = ModelRows(partial(parse_wanted_sms, frozenset(guids)))
        result = await self._get_sms({"after_timestamp_unix": int(after.timestamp())}, reader.read)
        rows = required_list(result, "sms", where="result")
        found: dict[str, ReceivedSms] = {}
        for sms in reader.models(rows):
            found.setdefault(sms.guid, sms)
        return found

    async def get_unread_times(self) -> dict[str, datetime]:
        """The GUID and reception time of every SMS not marked read: what an unread count needs.

        The same request and checks as ``get_received_sms(unread_only=True)``, without a model
        per SMS: each row is read into the dict as it comes (the unread list may be the whole
        inbox; see ``Rows``).
        """
        times = SmsTimes()
        return times.result(await self._get_sms({"onlyunread": "yes"}, times.read))

    async def _get_sms(self, params: Params, read: Callable[[Any], object]) -> Mapping[str, Any]:
        """The ``result`` of ``/getsms/`` with ``params``; ``read`` reads each SMS row as it comes.

        A list of received SMS may be a whole inbox: no row waits for the others (see ``Rows``).
        """
        body = await self._transport.request(
            "getsms/",
            params,
            max_bytes=MAX_LIST_RESPONSE_BYTES,
            rows=Rows(("result", "sms"), read),
        )
        return result_of(body)

    async def mark_read(self, guid: str) -> None:
        """Mark a received SMS as read (API status only, not on the phone)."""
        await self._transport.request("getsms/set-read/", {"guid_message": guid})

    async def set_alias(self, guid: str, alias: str) -> None:
        """Set the alias of a received SMS; an empty alias clears it."""
        await self._transport.request(
            "getsms/update/", {"guid": guid, "alias": alias}, method="POST"
        )

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
        await self._transport.request(
            "deletesms/",
            {
                "guid_message": guid,
                "date_start": iso_day(date_start),
                "date_end": iso_day(date_end),
            },
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
        body = await self._transport.request(
            "conversation/sms/list/",
            {
                "origineConversation": origin.value,
                "numero": number,
                "date_from": iso_day_or_time(date_from),
                "date_to": iso_day_or_time(date_to),
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
        body = await self._transport.request("getwa/active/", {"statut": 1 if active else 0})
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
            body = await self._transport.request("getwa/synchronisation/", {})
            self._whatsapp_sync_until = parse_time(body.get("expire_at_unix")) or parse_time(
                body.get("expire_at")
            )
        body = await self._transport.request("getwa/", {}, max_bytes=MAX_LIST_RESPONSE_BYTES)
        messages = await parse_whatsapp_list_in_slices(body)
        if after is None:
            return messages
        return tuple(message for message in messages if message.received_at > after)
