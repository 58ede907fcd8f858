"""What the webhook brings: signed items delivered at once, unsigned SMS confirmed first.

An unsigned request (the legacy webhook, or Webhook V2 without a secret) could come from anyone
who knows the webhook's URL. Its SMS is looked up on the service before its event fires: when
found, the event carries the service's copy and ``verified: true``; when not (or when the service
cannot be reached), the pushed copy fires with ``verified: false``. Calls, WhatsApp messages and
statuses of unsigned requests fire at once with ``verified: false``.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Final

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


class PushReceiver:
    """Hand pushed items to the inbox, each once, with how far they can be trusted."""

    def __init__(self, hass: HomeAssistant, entry: SmsMobileApiConfigEntry) -> None:
        """Receive the pushes of ``entry`` (its runtime data must be set)."""
        self._hass = hass
        self._entry = entry
        # SMS being looked up, by guid: a second push of one meanwhile starts no second lookup.
        self._confirming: set[str] = set()

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
        if sms.guid in self._confirming or self._entry.runtime_data.inbox.knows_sms(sms.guid):
            return
        self._confirming.add(sms.guid)
        # A short task (one request): tracked, so Home Assistant waits for it when it stops.
        self._entry.async_create_task(
            self._hass, self._async_confirm(sms), f"confirm pushed SMS {self._entry.entry_id}"
        )

    async def _async_confirm(self, pushed: ReceivedSms) -> None:
        """Look the SMS up on the service, then deliver the service's copy (or the pushed one)."""
        now = dt_util.utcnow()
        start = max(min(pushed.received_at, now), now - _CONFIRM_HORIZON) - SYNC_OVERLAP
        try:
            listed = await self._entry.runtime_data.client.get_received_sms(after=start)
        except SmsGatewayError as err:
            LOGGER.debug("Could not confirm a pushed SMS with the service: %s", err)
            listed = ()
        finally:
            self._confirming.discard(pushed.guid)
        confirmed = next((sms for sms in listed if sms.guid == pushed.guid), None)
        if confirmed is None:
            LOGGER.debug("A pushed SMS is not known to the service: it fires as unverified")
        self._deliver_sms(confirmed or pushed, verified=confirmed is not None)
