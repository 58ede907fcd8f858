"""Deliver each incoming SMS, call and WhatsApp message exactly once.

Webhooks and polls both hand their items to the ``Inbox``. It checks the ledger (keyed on identity,
never on text), fires the bus event, tells the event entities, and saves the ledger with
Home Assistant's ``Store`` (debounced, and on stop), so a restart replays nothing and catches up on
what arrived meanwhile, marked ``delayed``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.dispatcher import async_dispatcher_send
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from .api import (
    Call,
    CallEvent,
    CallType,
    IgnoredEvent,
    MessageStatusEvent,
    ReceivedSms,
    SmsReceivedEvent,
    WebhookEvent,
    WhatsAppEvent,
)
from .const import (
    DELAYED_AFTER,
    DOMAIN,
    EVENT_CALL,
    EVENT_MESSAGE_STATUS,
    EVENT_SMS_RECEIVED,
    EVENT_WHATSAPP_RECEIVED,
    LEDGER_SAVE_DELAY,
    SOURCE_WEBHOOK,
)
from .devices import async_get_phone_device
from .ledger import Ledger

STORAGE_VERSION = 1
SOURCE_SMS = "sms"
SOURCE_EVENTS = "event"
SOURCE_WHATSAPP = "whatsapp"


def signal_incoming(entry_id: str) -> str:
    """Dispatcher signal that carries an ``Incoming`` item of one entry."""
    return f"{DOMAIN}_incoming_{entry_id}"


@dataclass(frozen=True, slots=True)
class Incoming:
    """What an event entity needs: which entity (kind, phone) and what to show."""

    kind: str  # "sms", "call" or "whatsapp"
    event_type: str
    phone_id: str | None
    attributes: dict[str, Any]


class Inbox:
    """The exactly-once gate of one config entry."""

    def __init__(self, hass: HomeAssistant, entry_id: str) -> None:
        """Prepare the ledger of ``entry_id``; ``async_load`` reads what was saved."""
        self.hass = hass
        self.entry_id = entry_id
        # Missed calls are re-read for up to two days (the log filters by day).
        self.ledger = Ledger(protect={CallType.MISSED: timedelta(days=2)})
        self.first_sync = True
        # Once closed (the entry unloads), late poll results neither fire nor touch the file: the
        # next setup reads them again and fires them once.
        self._closed = False
        # Whether the service ever reached our webhook (a repair issue watches it).
        self.webhook_seen = False
        self.started_at = dt_util.utcnow()
        self._store: Store[dict[str, Any]] = Store(
            hass, STORAGE_VERSION, f"{DOMAIN}.{entry_id}.ledger", private=True
        )

    async def async_load(self) -> None:
        """Read the saved ledger; without one, this is the entry's very first sync."""
        data = await self._store.async_load()
        if isinstance(data, dict):
            self.ledger.load(data)
            # A first sync interrupted (a failed setup) stays a first sync.
            self.first_sync = data.get("synced", True) is not True
            self.webhook_seen = data.get("webhook_seen") is True

    @callback
    def mark_synced(self) -> None:
        """The first sync is recorded: from now on new items fire."""
        self.first_sync = False
        self.async_schedule_save()

    @callback
    def async_schedule_save(self) -> None:
        """Save soon, once, however many items arrive meanwhile (and on stop)."""
        if not self._closed:
            self._store.async_delay_save(self._data, LEDGER_SAVE_DELAY)

    async def async_close(self) -> None:
        """Save now and stop (the entry unloads, or its setup failed)."""
        self._closed = True
        await self._store.async_save(self._data())

    def _data(self) -> dict[str, Any]:
        return {
            **self.ledger.as_dict(),
            "synced": not self.first_sync,
            "webhook_seen": self.webhook_seen,
        }

    async def async_remove(self) -> None:
        """Delete the saved ledger (the entry is being removed)."""
        await self._store.async_remove()

    # --- items -------------------------------------------------------------------------------

    @callback
    def receive_sms(self, sms: ReceivedSms, source: str) -> bool:
        """Fire an SMS unless it was seen; True when it was new."""
        if self._closed or not self.ledger.add(SOURCE_SMS, sms.guid, sms.received_at):
            return False
        if not self.first_sync:
            device_id = self._device_id(sms.phone_id)
            data = {
                "config_entry_id": self.entry_id,
                "device_id": device_id,
                "guid": sms.guid,
                "number": sms.number,
                "message": sms.message,
                "alias": sms.alias,
                "received_at": sms.received_at.isoformat(),
                "source": source,
                "delayed": self._delayed(sms.received_at),
            }
            self.hass.bus.async_fire(EVENT_SMS_RECEIVED, data)
            self._dispatch("sms", "received", sms.phone_id, data)
        self.async_schedule_save()
        return True

    @callback
    def receive_call(self, call: Call, source: str, phone_id: str | None = None) -> bool:
        """Fire a call unless it was seen; True when it was new."""
        if self._closed or not self.ledger.add(call.call_type, call.key, call.call_at):
            return False
        if not self.first_sync:
            data = {
                "config_entry_id": self.entry_id,
                "device_id": self._device_id(phone_id),
                "call_type": str(call.call_type),
                "number": call.number,
                "name": call.name,
                "call_at": call.call_at.isoformat(),
                "duration": call.duration,
                "source": source,
                "delayed": self._delayed(call.call_at),
            }
            self.hass.bus.async_fire(EVENT_CALL, data)
            self._dispatch("call", str(call.call_type), phone_id, data)
        self.async_schedule_save()
        return True

    @callback
    def receive_webhook(self, event: WebhookEvent) -> bool:
        """Act on a parsed webhook; False when it was a replay (already handled)."""
        if self._closed:
            return False
        self.webhook_seen = True
        if event.event_id is not None and not self.ledger.add(
            SOURCE_EVENTS, event.event_id, dt_util.utcnow()
        ):
            return False
        match event:
            case SmsReceivedEvent(sms=sms):
                self.receive_sms(sms, SOURCE_WEBHOOK)
            case CallEvent(call=call, phone_id=phone_id):
                self.receive_call(call, SOURCE_WEBHOOK, phone_id)
            case WhatsAppEvent():
                self._receive_whatsapp(event)
            case MessageStatusEvent():
                self.hass.bus.async_fire(
                    EVENT_MESSAGE_STATUS,
                    {
                        "config_entry_id": self.entry_id,
                        "guid": event.guid,
                        "status": event.status,
                        "channel": event.channel,
                    },
                )
            case IgnoredEvent():
                pass
        self.async_schedule_save()
        return True

    def _receive_whatsapp(self, event: WhatsAppEvent) -> None:
        if not self.ledger.add(
            SOURCE_WHATSAPP, f"{event.kind}:{event.guid}", event.at or dt_util.utcnow()
        ):
            return
        at = event.at or dt_util.utcnow()
        data = {
            "config_entry_id": self.entry_id,
            "kind": event.kind,
            "guid": event.guid,
            "number": event.number,
            "name": event.name,
            "message": event.text,
            "voice": event.voice,
            "received_at": at.isoformat(),
            "source": SOURCE_WEBHOOK,
            "delayed": self._delayed(at),
        }
        self.hass.bus.async_fire(EVENT_WHATSAPP_RECEIVED, data)
        self._dispatch("whatsapp", event.kind, None, data)

    # --- helpers -----------------------------------------------------------------------------

    def _delayed(self, at: datetime) -> bool:
        """Late: it happened before we were listening, or reached us long after it happened."""
        # Whole seconds: the service's times have no fraction, so an item of our very first
        # second is not "before we were listening".
        started = self.started_at.replace(microsecond=0)
        return at < started or dt_util.utcnow() - at > DELAYED_AFTER

    def _device_id(self, phone_id: str | None) -> str | None:
        """The Home Assistant device of a phone, when the phone is known."""
        if phone_id is None:
            return None
        device = async_get_phone_device(self.hass, self.entry_id, phone_id)
        return device.id if device is not None else None

    def _dispatch(
        self, kind: str, event_type: str, phone_id: str | None, data: dict[str, Any]
    ) -> None:
        async_dispatcher_send(
            self.hass, signal_incoming(self.entry_id), Incoming(kind, event_type, phone_id, data)
        )
