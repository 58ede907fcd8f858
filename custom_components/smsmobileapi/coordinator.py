"""Polling coordinator: received SMS every cycle, phones and call logs on a slower cadence."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, override

from homeassistant.exceptions import ConfigEntryAuthFailed
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed
from homeassistant.util import dt as dt_util

from .api import (
    Call,
    CallType,
    Capability,
    Phone,
    ReceivedSms,
    SmsGateway,
    SmsMobileApiAuthenticationError,
    SmsMobileApiError,
    SmsMobileApiRateLimitError,
    SmsMobileApiSubscriptionExpiredError,
)
from .const import (
    ANSWERED_CALLS_POLL_LIMIT,
    DOMAIN,
    INITIAL_SYNC_WINDOW,
    LOGGER,
    MISSED_CALLS_POLL_LIMIT,
    SLOW_SCAN_INTERVAL,
    SMS_SCAN_INTERVAL,
    SYNC_OVERLAP,
    UNREAD_RESYNC_INTERVAL,
)
from .ledger import Ledger

if TYPE_CHECKING:
    from homeassistant.config_entries import ConfigEntry
    from homeassistant.core import HomeAssistant

type SmsMobileApiConfigEntry = ConfigEntry[SmsMobileApiRuntimeData]

# Missed calls are kept this long to count today's in any time zone.
_RECENT_CALLS_WINDOW = timedelta(hours=48)


@dataclass(slots=True)
class SmsMobileApiRuntimeData:
    """What a loaded entry keeps: its client and its coordinator."""

    client: SmsGateway
    coordinator: SmsMobileApiCoordinator


@dataclass(frozen=True, slots=True, kw_only=True)
class SmsMobileApiData:
    """One snapshot of the account, as the entities see it."""

    phones: Mapping[str, Phone] = field(default_factory=dict)
    last_sms: ReceivedSms | None = None
    unread_count: int | None = None
    recent_missed_calls: tuple[Call, ...] = ()
    last_calls: Mapping[CallType, Call] = field(default_factory=dict)
    # What this cycle saw for the first time (oldest first); empty on the very first sync.
    new_sms: tuple[ReceivedSms, ...] = ()
    new_calls: tuple[Call, ...] = ()

    def missed_calls_on(self, day: datetime) -> int:
        """Count the missed calls of the local calendar day of ``day``."""
        local_day = dt_util.as_local(day).date()
        return sum(
            1
            for call in self.recent_missed_calls
            if dt_util.as_local(call.call_at).date() == local_day
        )


class SmsMobileApiCoordinator(DataUpdateCoordinator[SmsMobileApiData]):
    """Poll the account: one request per source per cycle, only new items travel."""

    config_entry: SmsMobileApiConfigEntry

    def __init__(
        self,
        hass: HomeAssistant,
        entry: SmsMobileApiConfigEntry,
        client: SmsGateway,
        *,
        ledger: Ledger | None = None,
    ) -> None:
        """Poll ``client`` for ``entry``."""
        super().__init__(
            hass,
            LOGGER,
            config_entry=entry,
            name=DOMAIN,
            update_interval=SMS_SCAN_INTERVAL,
        )
        self.client = client
        self.ledger = ledger or Ledger()
        self._slow_interval = SLOW_SCAN_INTERVAL
        self._next_slow_poll: datetime | None = None
        self._next_unread_resync: datetime | None = None
        self._unread: set[str] | None = None
        self._phones: dict[str, Phone] = {}
        self._last_sms: ReceivedSms | None = None
        self._recent_missed: dict[str, Call] = {}
        self._last_calls: dict[CallType, Call] = {}

    @override
    async def _async_update_data(self) -> SmsMobileApiData:
        now = dt_util.utcnow()
        first_sync = self.ledger.is_empty and self.data is None
        try:
            new_sms = await self._poll_sms(now)
            new_calls: list[Call] = []
            if self._next_slow_poll is None or now >= self._next_slow_poll:
                await self._poll_phones()
                new_calls = await self._poll_calls(now)
                self._next_slow_poll = now + self._slow_interval
        except SmsMobileApiAuthenticationError as err:
            raise ConfigEntryAuthFailed(
                translation_domain=DOMAIN, translation_key="invalid_auth"
            ) from err
        except SmsMobileApiSubscriptionExpiredError as err:
            raise UpdateFailed(
                translation_domain=DOMAIN, translation_key="subscription_expired"
            ) from err
        except SmsMobileApiRateLimitError as err:
            raise UpdateFailed(
                translation_domain=DOMAIN,
                translation_key="rate_limited",
                retry_after=err.retry_after,
            ) from err
        except SmsMobileApiError as err:
            raise UpdateFailed(
                translation_domain=DOMAIN,
                translation_key="update_failed",
                translation_placeholders={"error": str(err)},
            ) from err
        return SmsMobileApiData(
            phones=dict(self._phones),
            last_sms=self._last_sms,
            unread_count=len(self._unread) if self._unread is not None else None,
            recent_missed_calls=tuple(
                sorted(self._recent_missed.values(), key=lambda call: call.call_at, reverse=True)
            ),
            last_calls=dict(self._last_calls),
            new_sms=() if first_sync else tuple(new_sms),
            new_calls=() if first_sync else tuple(new_calls),
        )

    def _supports(self, capability: Capability) -> bool:
        return capability in self.client.capabilities

    async def _poll_sms(self, now: datetime) -> list[ReceivedSms]:
        """Read SMS received since the newest one seen (minus the sync overlap)."""
        if not self._supports(Capability.RECEIVE_SMS):
            return []
        cursor = self.ledger.cursor("sms")
        after = cursor - SYNC_OVERLAP if cursor else now - INITIAL_SYNC_WINDOW
        messages = await self.client.get_received_sms(after=after)
        unread = self._unread
        if unread is None or (
            self._next_unread_resync is not None and now >= self._next_unread_resync
        ):
            listed = await self.client.get_received_sms(unread_only=True)
            unread = self._unread = {sms.guid for sms in listed}
            self._next_unread_resync = now + UNREAD_RESYNC_INTERVAL
        new = [sms for sms in messages if self.ledger.add("sms", sms.guid, sms.received_at)]
        for sms in new:
            unread.add(sms.guid)
            self.ledger.advance("sms", sms.received_at)
        if messages and (
            self._last_sms is None or messages[-1].received_at >= self._last_sms.received_at
        ):
            self._last_sms = messages[-1]
        self.ledger.prune(now)
        return new

    async def _poll_phones(self) -> None:
        if not self._supports(Capability.PHONES):
            return
        phones = await self.client.get_phones()
        self._phones = {phone.device_id: phone for phone in phones.phones}

    async def _poll_calls(self, now: datetime) -> list[Call]:
        """Read the three call logs; return the calls not seen before, oldest first."""
        if not self._supports(Capability.CALLS):
            return []
        new: list[Call] = []
        missed_cursor = self.ledger.cursor(CallType.MISSED)
        missed = await self.client.get_missed_calls(
            limit=MISSED_CALLS_POLL_LIMIT,
            date_start=(missed_cursor - timedelta(days=1)).date() if missed_cursor else None,
        )
        new.extend(self._record_calls(CallType.MISSED, missed))
        for call in missed:
            if now - call.call_at <= _RECENT_CALLS_WINDOW:
                self._recent_missed[call.key] = call
        self._recent_missed = {
            key: call
            for key, call in self._recent_missed.items()
            if now - call.call_at <= _RECENT_CALLS_WINDOW
        }
        for call_type in (CallType.INCOMING, CallType.OUTGOING):
            cursor = self.ledger.cursor(call_type)
            calls = await self.client.get_answered_calls(
                call_type,
                limit=ANSWERED_CALLS_POLL_LIMIT,
                since=cursor - SYNC_OVERLAP if cursor else now - INITIAL_SYNC_WINDOW,
            )
            new.extend(self._record_calls(call_type, calls))
        new.sort(key=lambda call: call.call_at)
        self.ledger.prune(now)
        return new

    def _record_calls(self, call_type: CallType, calls: tuple[Call, ...]) -> list[Call]:
        """Remember the newest call of a log and return those not seen before."""
        if calls and (
            (last := self._last_calls.get(call_type)) is None or calls[0].call_at >= last.call_at
        ):
            self._last_calls[call_type] = calls[0]
        new = [call for call in calls if self.ledger.add(call_type, call.key, call.call_at)]
        for call in new:
            self.ledger.advance(call_type, call.call_at)
        return new

    def mark_read(self, guid: str) -> None:
        """Forget an unread SMS after the user marked it read through us."""
        if self._unread is not None:
            self._unread.discard(guid)
