"""What the webhook brings: signed items delivered at once, unsigned SMS confirmed first.

An unsigned request (the legacy webhook, or Webhook V2 without a secret) could come from anyone
who knows the webhook's URL. Its SMS is looked up on the service before its event fires: when
found, the event carries the service's copy and ``verified: true``; when not (or when the service
cannot be reached), the pushed copy fires with ``verified: false``. Calls, WhatsApp messages and
statuses of unsigned requests fire at once with ``verified: false``.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Final, Protocol, runtime_checkable

from homeassistant.core import HomeAssistant, callback
from homeassistant.util import dt as dt_util

from .api import (
    CallEvent,
    IgnoredEvent,
    MessageStatusEvent,
    ReceivedSms,
    ReceivedWhatsApp,
    SmsGatewayError,
    SmsReceivedEvent,
    WebhookDelivery,
    WhatsAppEvent,
)
from .const import LOGGER, SOURCE_WEBHOOK, SYNC_OVERLAP
from .providers import sign_in_of
from .repairs import async_set_unsigned_webhook

if TYPE_CHECKING:
    from .coordinator import SmsMobileApiConfigEntry

# An SMS is looked up no further back than this, whatever time its push claims.
_CONFIRM_HORIZON: Final = timedelta(days=1)


@runtime_checkable
class SmsLookup(Protocol):
    """A client that finds received SMS by GUID without a model per SMS it lists.

    Optional beside ``get_received_sms``: a lookup lists every SMS of its window, and making a
    model of each, lookup after lookup, fills the garbage collector's oldest generation (whose
    full collections stall the event loop for a tenth of a second and more).
    """

    async def find_received_sms(
        self, guids: Collection[str], *, after: datetime
    ) -> dict[str, ReceivedSms]:
        """The SMS with these GUIDs among those received after ``after``, by GUID."""


class PushReceiver:
    """Hand pushed items to the inbox, each once, with how far they can be trusted."""

    def __init__(self, hass: HomeAssistant, entry: SmsMobileApiConfigEntry) -> None:
        """Receive the pushes of ``entry`` (its runtime data must be set)."""
        self._hass = hass
        self._entry = entry
        # Unsigned SMS waiting for a lookup, by guid, and those being looked up: a second push
        # of one meanwhile starts no second lookup. One lookup at a time serves all that wait.
        self._waiting: dict[str, ReceivedSms] = {}
        self._looking_up: set[str] = set()
        self._confirming = False

    @callback
    def async_receive(self, delivery: WebhookDelivery) -> bool:
        """Act on a pushed request; False when it was a replay or the entry is closing."""
        runtime = self._entry.runtime_data
        event, verified = delivery.event, delivery.signed
        if not runtime.inbox.accept_event(event.event_id):
            return False
        if not verified:
            sign_in = sign_in_of(self._entry.data)
            async_set_unsigned_webhook(
                self._hass,
                self._entry.entry_id,
                self._entry.title,
                advice=sign_in.unsigned_advice,
                portal_url=sign_in.portal_url,
            )
        match event:
            case SmsReceivedEvent(sms=sms) if verified:
                self._deliver_sms(sms, verified=True)
            case SmsReceivedEvent(sms=sms):
                self._confirm_later(sms)
            case CallEvent(call=call, phone_id=phone_id):
                if runtime.inbox.receive_call(
                    call, SOURCE_WEBHOOK, verified=verified, phone_id=phone_id
                ):
                    runtime.coordinator.async_push_call(call)
            case WhatsAppEvent():
                message = ReceivedWhatsApp(
                    guid=event.guid,
                    number=event.number,
                    message=event.text,
                    received_at=event.at or dt_util.utcnow(),
                    name=event.name,
                    voice=event.voice,
                )
                runtime.inbox.receive_whatsapp(
                    message, event.kind, SOURCE_WEBHOOK, verified=verified
                )
            case MessageStatusEvent():
                runtime.inbox.receive_status(event, verified=verified)
                runtime.coordinator.async_push_status(event)
            case IgnoredEvent():
                pass
        return True

    def _deliver_sms(self, sms: ReceivedSms, *, verified: bool) -> None:
        runtime = self._entry.runtime_data
        if runtime.inbox.receive_sms(sms, SOURCE_WEBHOOK, verified=verified):
            runtime.coordinator.async_push_sms(sms)

    def _confirm_later(self, sms: ReceivedSms) -> None:
        if (
            sms.guid in self._waiting
            or sms.guid in self._looking_up
            or self._entry.runtime_data.inbox.knows_sms(sms.guid)
        ):
            return
        self._waiting[sms.guid] = sms
        if not self._confirming:
            self._confirming = True
            # A short task (a request a batch): tracked, so Home Assistant waits for it when
            # it stops.
            self._entry.async_create_task(
                self._hass, self._async_confirm(), f"confirm pushed SMS {self._entry.entry_id}"
            )

    async def _async_confirm(self) -> None:
        """Look the waiting SMS up on the service and deliver each, until none waits.

        Each is delivered as the service lists it, or as it was pushed when it is not listed.
        The pushes of a burst share one request.
        """
        try:
            while self._waiting:
                batch, self._waiting = self._waiting, {}
                self._looking_up = set(batch)
                found = await self._async_look_up(batch)
                self._looking_up = set()
                for guid, pushed in batch.items():
                    confirmed = found.get(guid)
                    if confirmed is None:
                        LOGGER.debug(
                            "A pushed SMS is not known to the service: it fires as unverified"
                        )
                    self._deliver_sms(confirmed or pushed, verified=confirmed is not None)
        finally:
            self._looking_up = set()
            self._confirming = False

    async def _async_look_up(self, batch: dict[str, ReceivedSms]) -> dict[str, ReceivedSms]:
        """The SMS of ``batch`` the service lists (empty when it cannot be reached)."""
        now = dt_util.utcnow()
        start = min(
            max(min(pushed.received_at, now), now - _CONFIRM_HORIZON) for pushed in batch.values()
        )
        client = self._entry.runtime_data.client
        try:
            if isinstance(client, SmsLookup):
                return await client.find_received_sms(batch, after=start - SYNC_OVERLAP)
            listed = await client.get_received_sms(after=start - SYNC_OVERLAP)
        except SmsGatewayError as err:
            LOGGER.debug("Could not confirm a pushed SMS with the service: %s", err)
            return {}
        found: dict[str, ReceivedSms] = {}
        for sms in listed:
            if sms.guid in batch:
                found.setdefault(sms.guid, sms)
        return found
