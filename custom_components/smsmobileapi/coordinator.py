"""Polling coordinator: received SMS every cycle, phones and call logs on a slower cadence."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Protocol, override, runtime_checkable

from homeassistant.const import CONF_SCAN_INTERVAL
from homeassistant.core import callback
from homeassistant.exceptions import ConfigEntryAuthFailed
from homeassistant.helpers.importlib import async_import_module
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed
from homeassistant.util import dt as dt_util

from .api import (
    Call,
    Capability,
    MessageStatusEvent,
    Phone,
    ReceivedSms,
    SmsGateway,
    SmsGatewayAuthenticationError,
    SmsGatewayError,
    SmsGatewayFeatureUnavailableError,
    SmsGatewayRateLimitError,
    SmsGatewayResponseError,
    SmsGatewaySubscriptionExpiredError,
    feature,
)
from .call_logs import RECENT_WINDOW, CallLogs
from .const import (
    CONF_POLL_ANSWERED_CALLS,
    CONF_POLL_MISSED_CALLS,
    CONF_POLL_SMS,
    CONF_POLL_WHATSAPP,
    CONF_SLOW_SCAN_INTERVAL,
    CONF_STALE_PHONE_MINUTES,
    DEFAULT_STALE_PHONE_MINUTES,
    DOMAIN,
    INITIAL_SYNC_WINDOW,
    LOGGER,
    SLOW_SCAN_INTERVAL,
    SMS_SCAN_INTERVAL,
    SOURCE_POLL,
    SOURCE_WHATSAPP,
    SYNC_OVERLAP,
    UNREAD_RESYNC_INTERVAL,
)
from .data import SmsMobileApiData
from .inbox import SOURCE_SMS, Inbox
from .phone_numbers import async_load_phonenumbers
from .push import PushReceiver
from .repairs import (
    async_check_phones,
    async_set_call_logs_need_api_key,
    async_set_no_webhook_no_polling,
    async_set_subscription_expired,
)

if TYPE_CHECKING:
    from homeassistant.config_entries import ConfigEntry
    from homeassistant.core import HomeAssistant

type SmsMobileApiConfigEntry = ConfigEntry[SmsMobileApiRuntimeData]


# A poll that delivers many new SMS lets the event loop run after about this much of it.
_DELIVERY_SLICE = 0.005

# The SMS of the last two days are pruned once a poll, or when their number doubled.
_RECENT_SMS_FLOOR = 100


@runtime_checkable
class UnreadTimes(Protocol):
    """A client that lists its unread SMS as GUIDs and times, without a model per SMS.

    Optional beside ``Capability.READ_STATUS``: the unread list may be a whole inbox, and
    100 000 models would cost a full garbage collection (a stall of about 0.2 s).
    """

    async def get_unread_times(self) -> dict[str, datetime]:
        """The GUID and reception time of every SMS not marked read."""


@dataclass(slots=True)
class SmsMobileApiRuntimeData:
    """What a loaded entry keeps: its client, coordinator, inbox and push receiver."""

    client: SmsGateway
    coordinator: SmsMobileApiCoordinator
    inbox: Inbox
    push: PushReceiver


class SmsMobileApiCoordinator(DataUpdateCoordinator[SmsMobileApiData]):
    """Poll the account: one request per source per cycle, only new items travel."""

    config_entry: SmsMobileApiConfigEntry

    def __init__(
        self,
        hass: HomeAssistant,
        entry: SmsMobileApiConfigEntry,
        client: SmsGateway,
        inbox: Inbox,
    ) -> None:
        """Poll ``client`` for ``entry``."""
        options = entry.options
        super().__init__(
            hass,
            LOGGER,
            config_entry=entry,
            name=DOMAIN,
            update_interval=timedelta(
                seconds=options.get(CONF_SCAN_INTERVAL, SMS_SCAN_INTERVAL.total_seconds())
            ),
        )
        self.client = client
        self.inbox = inbox
        self._slow_interval = timedelta(
            seconds=options.get(CONF_SLOW_SCAN_INTERVAL, SLOW_SCAN_INTERVAL.total_seconds())
        )
        self.poll_sms: bool = options.get(CONF_POLL_SMS, True)
        self._calls = CallLogs(
            inbox,
            missed=options.get(CONF_POLL_MISSED_CALLS, True),
            answered=options.get(CONF_POLL_ANSWERED_CALLS, True),
        )
        self._poll_wa: bool = options.get(CONF_POLL_WHATSAPP, False)
        self._whatsapp_failed = False
        self._calls_refused = False
        self._stale_after = timedelta(
            minutes=options.get(CONF_STALE_PHONE_MINUTES, DEFAULT_STALE_PHONE_MINUTES)
        )
        self._checked_phones: set[str] = set()
        self._next_slow_poll: datetime | None = None
        self._next_unread_resync: datetime | None = None
        self._unread: set[str] | None = None
        self._phones: dict[str, Phone] = {}
        self._last_sms: ReceivedSms | None = None
        self._recent_sms: dict[str, datetime] = {}
        self._recent_sms_kept = _RECENT_SMS_FLOOR
        self._last_delivery: MessageStatusEvent | None = None
        self._publish_scheduled = False

    @override
    async def _async_setup(self) -> None:
        """Check the repair issues that depend on the options; switch WhatsApp retrieval on.

        Also import ``phonenumbers`` now, off the event loop: events need it from the first
        poll on (see ``phone_numbers``).
        """
        await async_load_phonenumbers(self.hass)
        for source in self._polled_sources():
            # A source polled for the first time after the first sync (an option turned on,
            # call logs readable at last): what it holds from before is history, not news.
            self.inbox.begin(source)
        # SMS received today counts the SMS the ledger kept (two days), not only those read
        # since Home Assistant started.
        since = dt_util.utcnow() - RECENT_WINDOW
        self._recent_sms = {
            guid: at for guid, at in self.inbox.ledger.items(SOURCE_SMS).items() if at >= since
        }
        async_set_no_webhook_no_polling(
            self.hass,
            self.config_entry.entry_id,
            self.config_entry.title,
            active=not self.poll_sms and not self.inbox.webhook_seen,
        )
        # Raised again at the first refusal, if the credentials still cannot read the calls.
        async_set_call_logs_need_api_key(
            self.hass, self.config_entry.entry_id, self.config_entry.title, active=False
        )
        if self._poll_wa and (wa := feature(self.client, Capability.RECEIVE_WHATSAPP)):
            # The user turned WhatsApp polling on: that is the owner's consent the service asks.
            try:
                await wa.set_whatsapp_retrieval(True)
            except SmsGatewayError as err:
                LOGGER.warning("WhatsApp retrieval could not be switched on: %s", err)

    def _polled_sources(self) -> list[str]:
        """The ledger sources the options have this entry poll."""
        capabilities = self.client.capabilities
        sources: list[str] = []
        if self.poll_sms and Capability.RECEIVE_SMS in capabilities:
            sources.append(SOURCE_SMS)
        if self._poll_wa and Capability.RECEIVE_WHATSAPP in capabilities:
            sources.append(SOURCE_WHATSAPP)
        if Capability.CALLS in capabilities:
            sources += self._calls.sources
        return sources

    @override
    async def _async_update_data(self) -> SmsMobileApiData:
        now = dt_util.utcnow()
        try:
            await self._poll_sms(now)
            await self._poll_whatsapp(now)
            if self._next_slow_poll is None or now >= self._next_slow_poll:
                await self._poll_phones()
                await self._poll_calls(now)
                self._next_slow_poll = now + self._slow_interval
        except SmsGatewayAuthenticationError as err:
            raise ConfigEntryAuthFailed(
                translation_domain=DOMAIN, translation_key="invalid_auth"
            ) from err
        except SmsGatewaySubscriptionExpiredError as err:
            async_set_subscription_expired(
                self.hass, self.config_entry.entry_id, self.config_entry.title, expired=True
            )
            raise UpdateFailed(
                translation_domain=DOMAIN, translation_key="subscription_expired"
            ) from err
        except SmsGatewayRateLimitError as err:
            raise UpdateFailed(
                translation_domain=DOMAIN,
                translation_key="rate_limited",
                retry_after=err.retry_after,
            ) from err
        except SmsGatewayError as err:
            raise UpdateFailed(
                translation_domain=DOMAIN,
                translation_key="update_failed",
                translation_placeholders={"error": str(err)},
            ) from err
        if self.inbox.first_sync:
            self.inbox.mark_synced()
        entry_id = self.config_entry.entry_id
        async_set_subscription_expired(self.hass, entry_id, self.config_entry.title, expired=False)
        self._checked_phones = async_check_phones(
            self.hass,
            entry_id,
            self._phones,
            self._checked_phones,
            now=now,
            threshold=self._stale_after,
        )
        return self._snapshot()

    def _snapshot(self) -> SmsMobileApiData:
        return SmsMobileApiData(
            phones=dict(self._phones),
            last_sms=self._last_sms,
            unread_count=len(self._unread) if self._unread is not None else None,
            recent_missed_calls=self._calls.recent_missed,
            last_calls=self._calls.last_calls,
            recent_sms_times=tuple(self._recent_sms.values()),
            last_delivery=self._last_delivery,
            calls_available=not self._calls_refused,
        )

    @callback
    def async_push_sms(self, sms: ReceivedSms) -> None:
        """An SMS came by webhook: show it now, without moving the polling schedule."""
        self._note_sms(sms, new=True)
        self._publish_pushed()

    @callback
    def async_push_status(self, status: MessageStatusEvent) -> None:
        """What became of a message we sent: show it now."""
        self._last_delivery = status
        self._publish_pushed()

    @callback
    def async_push_call(self, call: Call) -> None:
        """A call came by webhook: show it now, without moving the polling schedule."""
        self._calls.note(call.call_type, (call,), dt_util.utcnow())
        self._publish_pushed()

    def _publish_pushed(self) -> None:
        """Publish once for all the pushes handled in this turn of the event loop.

        A burst of webhook requests is handled in one turn: each entity of the entry then
        writes its state once, not once a request.
        """
        if not self._publish_scheduled:
            self._publish_scheduled = True
            self.hass.loop.call_soon(self._publish_now)

    @callback
    def _publish_now(self) -> None:
        self._publish_scheduled = False
        self._publish()

    async def _poll_sms(self, now: datetime) -> None:
        """Read SMS received since the newest one seen (minus the sync overlap)."""
        if not self.poll_sms or Capability.RECEIVE_SMS not in self.client.capabilities:
            return
        if self.inbox.first_sync and self.inbox.ledger.cursor(SOURCE_SMS) is None:
            messages = await self._read_first_sync(now)
        else:
            # A first sync that was interrupted after reading SMS goes on from its cursor
            # (recording, still firing nothing), like any poll.
            after = self.inbox.poll_start(SOURCE_SMS, now, SYNC_OVERLAP, INITIAL_SYNC_WINDOW)
            messages = await self.client.get_received_sms(after=after)
            await self._read_unread(now)
        # The SMS a first sync records are history: the unread list just read tells which
        # of them are unread. Later, an SMS recorded for the first time is new, so unread.
        history = self.inbox.first_sync
        loop = self.hass.loop
        pause_at = loop.time() + _DELIVERY_SLICE
        for sms in messages:
            recorded = self.inbox.receive_sms(sms, SOURCE_POLL, verified=True)
            self._note_sms(sms, new=recorded and not history)
            if loop.time() >= pause_at:
                # Many new SMS (each fires its event): let the event loop run in between. A
                # push of one of them meanwhile is recorded once; an unload meanwhile saved the
                # cursor of before this poll, so the next setup reads the rest again.
                await asyncio.sleep(0)
                pause_at = loop.time() + _DELIVERY_SLICE
        if messages:
            # The bookkeeping below, and the entities' updates after it, in a turn of their own.
            await asyncio.sleep(0)
            self.inbox.ledger.advance(SOURCE_SMS, max(sms.received_at for sms in messages), now=now)
        self.inbox.mark_read(SOURCE_SMS)
        self.inbox.ledger.prune(now)
        self._prune_recent_sms(now)

    async def _read_first_sync(self, now: datetime) -> tuple[ReceivedSms, ...]:
        """Read what the first sync records (and the unread list)."""
        # Needed once in an entry's life: imported then, off the event loop, not at start.
        await async_import_module(self.hass, f"{__package__}.first_sync")
        from .first_sync import read_first_sync  # noqa: PLC0415 - imported just above

        return await read_first_sync(self.client, now, await self._read_unread(now))

    async def _read_unread(self, now: datetime) -> Mapping[str, datetime]:
        """Read the full list of unread SMS when it is due (at start, then every 6 hours).

        Their GUIDs and reception times; empty when not due (or not supported).
        """
        if Capability.READ_STATUS not in self.client.capabilities or (
            self._unread is not None
            and (self._next_unread_resync is None or now < self._next_unread_resync)
        ):
            return {}
        if isinstance(self.client, UnreadTimes):
            times = await self.client.get_unread_times()
        else:
            listed = await self.client.get_received_sms(unread_only=True)
            times = {sms.guid: sms.received_at for sms in listed}
        self._unread = set(times)
        self._next_unread_resync = now + UNREAD_RESYNC_INTERVAL
        return times

    def _note_sms(self, sms: ReceivedSms, *, new: bool) -> None:
        """Keep the newest SMS and those of the last two days; a new one is also unread."""
        if new and self._unread is not None:
            self._unread.add(sms.guid)
        if self._last_sms is None or sms.received_at >= self._last_sms.received_at:
            self._last_sms = sms
        self._recent_sms[sms.guid] = sms.received_at
        if len(self._recent_sms) > 2 * self._recent_sms_kept:
            # Pushes alone (no polling): the two-day window is kept about this size.
            self._prune_recent_sms(dt_util.utcnow())

    def _prune_recent_sms(self, now: datetime) -> None:
        """Forget the SMS of more than two days ago (once a poll, not once an SMS)."""
        limit = now - RECENT_WINDOW
        self._recent_sms = {guid: at for guid, at in self._recent_sms.items() if at >= limit}
        self._recent_sms_kept = max(len(self._recent_sms), _RECENT_SMS_FLOOR)

    async def _poll_phones(self) -> None:
        if (gateway := feature(self.client, Capability.PHONES)) is None:
            return
        phones = await gateway.get_phones()
        self._phones = {phone.phone_id: phone for phone in phones.phones}

    async def _poll_whatsapp(self, now: datetime) -> None:
        """Read WhatsApp messages received since the newest one seen (when the option is on)."""
        if (
            not self._poll_wa
            or (wa_inbox := feature(self.client, Capability.RECEIVE_WHATSAPP)) is None
        ):
            return
        after = self.inbox.poll_start(SOURCE_WHATSAPP, now, SYNC_OVERLAP, INITIAL_SYNC_WINDOW)
        try:
            messages = await wa_inbox.get_received_whatsapp(after=after)
        except (SmsGatewayResponseError, SmsGatewayFeatureUnavailableError) as err:
            # Retrieval switched off on the service, or refused: SMS polling goes on.
            if not self._whatsapp_failed:
                LOGGER.warning("WhatsApp messages cannot be read by polling: %s", err)
            self._whatsapp_failed = True
            return
        self._whatsapp_failed = False
        for message in messages:
            self.inbox.receive_whatsapp(message, "received", SOURCE_POLL, verified=True)
        if messages:
            newest = max(message.received_at for message in messages)
            self.inbox.ledger.advance(SOURCE_WHATSAPP, newest, now=now)
        self.inbox.mark_read(SOURCE_WHATSAPP)

    async def _poll_calls(self, now: datetime) -> None:
        """Read the three call logs; each new call fires once."""
        if self._calls_refused or (log := feature(self.client, Capability.CALLS)) is None:
            return
        try:
            await self._calls.poll(log, now)
        except SmsGatewayFeatureUnavailableError:
            # The call logs take an API key only: with an OAuth2 client they stay unavailable
            # (a repair issue says why), while everything else works.
            self._calls_refused = True
            async_set_call_logs_need_api_key(
                self.hass, self.config_entry.entry_id, self.config_entry.title
            )

    @callback
    def mark_read(self, guid: str) -> None:
        """Forget an unread SMS after the user marked it read through us; show it at once."""
        if self._unread is not None and guid in self._unread:
            self._unread.discard(guid)
            self._publish()

    @callback
    def async_phone_renamed(self, phone_id: str, label: str) -> None:
        """A phone was renamed through us: show it now, not at the next phones poll."""
        if (phone := self._phones.get(phone_id)) is not None:
            self._phones[phone_id] = phone._replace(label=label or None)
            self._publish()

    @callback
    def async_phone_removed(self, phone_id: str) -> None:
        """A phone was removed through us: forget it now."""
        if self._phones.pop(phone_id, None) is not None:
            self._publish()

    def _publish(self) -> None:
        """New data from a local change, without moving the polling schedule."""
        if self.data is not None:
            self.data = self._snapshot()
            self.async_update_listeners()
