"""The phones connected to the account, and their call logs."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from ..models import (
    Call,
    CallType,
    PhoneList,
)
from .const import (
    CALLS_DEFAULT_LIMIT,
    CALLS_MAX_LIMIT,
    CALLS_SORT_FIELDS,
    MISSED_CALLS_DEFAULT_LIMIT,
    MISSED_CALLS_MAX_LIMIT,
)
from .endpoints import Endpoints, bounded, iso_day, unix_millis
from .parsing import (
    parse_calls,
    parse_phone_list,
)

type SortDirection = Literal["asc", "desc"]


class PhoneEndpoints(Endpoints):
    """``/gateway/mobile/`` and the call logs ``/call/``."""

    async def get_phones(
        self, *, phone_id: str | None = None, search: str | None = None
    ) -> PhoneList:
        """List the phones connected to the account."""
        body = await self._transport.request(
            "gateway/mobile/list/", {"sid": phone_id, "search": search}
        )
        return parse_phone_list(body)

    async def update_phone(
        self, phone_id: str, *, label: str, phone_number: str | None = None
    ) -> None:
        """Rename a connected phone (an empty label clears it)."""
        await self._transport.request(
            "gateway/mobile/update/",
            {"sid": phone_id, "label": label, "phone_number": phone_number},
            method="POST",
        )

    async def delete_phone(self, phone_id: str) -> None:
        """Remove a phone from the gateway, with its history."""
        await self._transport.request("gateway/mobile/delete/", {"sid": phone_id}, method="POST")

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
        body = await self._transport.request(
            "call/missed/list/",
            {
                "limit": bounded(limit, MISSED_CALLS_MAX_LIMIT),
                "offset": offset or None,
                "search": search,
                "date_start": iso_day(date_start),
                "date_end": iso_day(date_end),
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
        body = await self._transport.request(
            f"call/{call_type.value}/list/",
            {
                "limit": bounded(limit, CALLS_MAX_LIMIT),
                "offset": offset or None,
                "sort_by": sort_by,
                "sort_dir": sort_dir,
                "date_from_ms": unix_millis(since),
                "date_to_ms": unix_millis(until),
                "q": query,
            },
            apikey_only=True,
        )
        return parse_calls(body, call_type)
