"""Deliver each incoming SMS, call and WhatsApp message exactly once.

Webhooks and polls both hand their items to the ``Inbox``. It checks the ledger (keyed on identity,
never on text), fires the bus event, tells the event entities, and saves the ledger with
Home Assistant's ``Store`` (within a second of a change, and on stop), so a restart replays
nothing and catches up on what arrived meanwhile, marked ``delayed``. Every event says whether the
item is ``verified``: read by an authenticated poll, pushed with a valid signature, or confirmed
against the API.
"""

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from homeassistant.core import Context, HomeAssistant, callback
from homeassistant.helpers.dispatcher import async_dispatcher_send
from homeassistant.util import dt as dt_util

from .api import Call, Channel, MessageStatusEvent, ReceivedSms, ReceivedWhatsApp
from .const import (
    DELAYED_AFTER,
    DOMAIN,
    EVENT_CALL,
    EVENT_MESSAGE_STATUS,
    EVENT_SMS_RECEIVED,
    EVENT_WHATSAPP_RECEIVED,
    LEDGER_SAVE_DELAY,
    SOURCE_POLL,
    SOURCE_WHATSAPP,
)
from .devices import async_get_phone_device
from .ledger import Ledger
from .ledger_store import LedgerStore, SavedState
from .phone_numbers import number_type

STORAGE_VERSION = 2
SOURCE_SMS = "sms"
SOURCE_EVENTS = "event"


def signal_incoming(entry_id: str) -> str:
    """Dispatcher signal that carries an ``Incoming`` item of one entry."""
    return f"{DOMAIN}_incoming_{entry_id}"


class Incoming(NamedTuple):
    """What an event entity needs: which entity (kind, phone) and what to show."""

    kind: str  # "sms", "call" or "whatsapp"
    event_type: str
    phone_id: str | None
    attributes: dict[str, Any]


class DeliveredMessage(NamedTuple):
    """A received text message, just delivered (once) to Home Assistant.

    ``context`` is the context its bus event was fired with: what acts on the message continues
    it, so the logbook tells what the message caused.
    """

    channel: Channel
    guid: str
    number: str
    text: str
    received_at: datetime
    phone_id: str | None
    verified: bool
    delayed: bool
    context: Context


type MessageListener = Callable[[DeliveredMessage], None]


class Inbox:
    """The exactly-once gate of one config entry."""

    def __init__(self, hass: HomeAssistant, entry_id: str, provider: str) -> None:
        """Prepare the ledger of ``entry_id``; ``async_load`` reads what was saved.

        ``provider`` is told in every event (``smsmobileapi`` or ``callr``).
        """
        self.hass = hass
        self.entry_id = entry_id
        self.provider = provider
        self._state = SavedState()
        # Once closed (the entry unloads), late poll results neither fire nor touch the file: the
        # next setup reads them again and fires them once.
        self._closed = False
        self.started_at = dt_util.utcnow()
        self._listeners: list[MessageListener] = []
        # The sources polls read, told during the first sync.
        self._wanted: set[str] = set()
        self._store = LedgerStore(hass, entry_id)

    @property
    def ledger(self) -> Ledger:
        """What was seen, and how far each source was read."""
        return self._state.ledger

    @property
    def synced_at(self) -> datetime | None:
        """When the first sync ended: None until then (items are recorded, never fired)."""
        return self._state.synced_at

    @property
    def webhook_seen(self) -> bool:
        """Whether the service ever reached our webhook (a repair issue watches it)."""
        return self._state.webhook_seen

    @callback
    def async_listen(self, listener: MessageListener) -> Callable[[], None]:
        """Call ``listener`` with each text message delivered from now on; returns the undo."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    @property
    def closed(self) -> bool:
        """Whether the entry unloaded: nothing is delivered any more."""
        return self._closed

    @property
    def first_sync(self) -> bool:
        """Whether the entry's very first sync is still to be recorded (nothing fires)."""
        return self.synced_at is None

    async def async_load(self) -> None:
        """Read the saved ledger; without a usable one, this is a (silent) first sync."""
        self._state = await self._store.async_read()

    def poll_start(
        self, source: str, now: datetime, overlap: timedelta, window: timedelta
    ) -> datetime:
        """Where a poll of ``source`` starts.

        Its cursor (or, before its first item, when it became wanted: the end of the first sync
        or later) minus ``overlap``; at the very first sync, ``window`` back from now.
        """
        start = self.read_from(source)
        return start - overlap if start is not None else now - window

    def read_from(self, source: str) -> datetime | None:
        """The newest item read from ``source``, or when it became wanted (None: first sync)."""
        return self.ledger.cursor(source) or self.ledger.since(source) or self.synced_at

    @callback
    def begin(self, source: str) -> None:
        """A poll reads ``source`` from now on: what came before is its history (silent).

        During the first sync, "now" is when that sync ends.
        """
        if self.first_sync:
            self._wanted.add(source)
        else:
            self.ledger.begin(source, dt_util.utcnow())

    @callback
    def mark_read(self, source: str) -> None:
        """A poll of ``source`` succeeded: its history is recorded, what comes next fires.

        Saved at its first read only: an idle poll writes nothing.
        """
        if self.ledger.mark_read(source):
            self.async_schedule_save()

    def _fires(self, source: str, at: datetime, via: str) -> bool:
        """Whether a new item fires: not at the first sync, nor polled history of a source."""
        if self.first_sync:
            return False
        history_until = self.ledger.history_until(source)
        return via != SOURCE_POLL or history_until is None or at >= history_until

    @callback
    def mark_synced(self) -> None:
        """The first sync is recorded: from now on new items fire."""
        synced_at = self._state.synced_at = dt_util.utcnow()
        for source in self._wanted:
            # Not read by the first sync (refused): its first read records what came before.
            self.ledger.begin(source, synced_at)
        self.async_schedule_save()

    @callback
    def async_schedule_save(self) -> None:
        """Save within a second, once, however many items arrive meanwhile (and on stop)."""
        if not self._closed:
            self._store.async_delay_save(self._state.as_dict, LEDGER_SAVE_DELAY)

    async def async_close(self) -> None:
        """Save now and stop (the entry unloads, or its setup failed)."""
        self._closed = True
        await self._store.async_save(self._state.as_dict())

    async def async_remove(self) -> None:
        """Delete the saved ledger (the entry is being removed)."""
        await self._store.async_remove()

    # --- items -------------------------------------------------------------------------------

    @callback
    def receive_sms(self, sms: ReceivedSms, source: str, *, verified: bool) -> bool:
        """Fire an SMS unless it was seen; True when it was new."""
        if self._closed or not self.ledger.add(SOURCE_SMS, sms.guid, sms.received_at):
            return False
        if self._fires(SOURCE_SMS, sms.received_at, source):
            delayed = self._delayed(sms.received_at)
            data = {
                "config_entry_id": self.entry_id,
                "device_id": self._device_id(sms.phone_id),
                "guid": sms.guid,
                "number": sms.number,
                "number_type": number_type(sms.number),
                "message": sms.message,
                "alias": sms.alias,
                "received_at": sms.received_at.isoformat(),
                "source": source,
                "delayed": delayed,
                "verified": verified,
                "provider": self.provider,
            }
            context = self._fire(EVENT_SMS_RECEIVED, data, "sms", "received", sms.phone_id)
            self._tell(
                DeliveredMessage(
                    channel=Channel.SMS,
                    guid=sms.guid,
                    number=sms.number,
                    text=sms.message,
                    received_at=sms.received_at,
                    phone_id=sms.phone_id,
                    verified=verified,
                    delayed=delayed,
                    context=context,
                )
            )
        self.async_schedule_save()
        return True

    @callback
    def receive_call(
        self, call: Call, source: str, *, verified: bool, phone_id: str | None = None
    ) -> bool:
        """Fire a call unless it was seen; True when it was new."""
        if self._closed or not self.ledger.add(call.call_type, call.key, call.call_at):
            return False
        if self._fires(call.call_type, call.call_at, source):
            data = {
                "config_entry_id": self.entry_id,
                "device_id": self._device_id(phone_id),
                "call_type": str(call.call_type),
                "number": call.number,
                "number_type": number_type(call.number),
                "name": call.name,
                "call_at": call.call_at.isoformat(),
                "duration": call.duration,
                "source": source,
                "delayed": self._delayed(call.call_at),
                "verified": verified,
                "provider": self.provider,
            }
            self._fire(EVENT_CALL, data, "call", str(call.call_type), phone_id)
        self.async_schedule_save()
        return True

    @callback
    def receive_whatsapp(
        self, message: ReceivedWhatsApp, kind: str, source: str, *, verified: bool
    ) -> bool:
        """Fire a WhatsApp message (``received`` or ``voice_transcribed``) unless it was seen."""
        if self._closed or not self.ledger.add(
            SOURCE_WHATSAPP, f"{kind}:{message.guid}", message.received_at
        ):
            return False
        if self._fires(SOURCE_WHATSAPP, message.received_at, source):
            delayed = self._delayed(message.received_at)
            data = {
                "config_entry_id": self.entry_id,
                "kind": kind,
                "guid": message.guid,
                "number": message.number,
                "number_type": number_type(message.number),
                "name": message.name,
                "message": message.message,
                "voice": message.voice,
                "received_at": message.received_at.isoformat(),
                "source": source,
                "delayed": delayed,
                "verified": verified,
                "provider": self.provider,
            }
            context = self._fire(EVENT_WHATSAPP_RECEIVED, data, "whatsapp", kind, None)
            self._tell(
                DeliveredMessage(
                    channel=Channel.WHATSAPP,
                    guid=f"{kind}:{message.guid}",
                    number=message.number,
                    text=message.message,
                    received_at=message.received_at,
                    phone_id=message.phone_id,
                    verified=verified,
                    delayed=delayed,
                    context=context,
                )
            )
        self.async_schedule_save()
        return True

    @callback
    def receive_status(self, event: MessageStatusEvent, *, verified: bool) -> None:
        """Tell what became of a message we sent."""
        if self._closed:
            return
        self.hass.bus.async_fire(
            EVENT_MESSAGE_STATUS,
            {
                "config_entry_id": self.entry_id,
                "guid": event.guid,
                "status": event.status,
                "channel": event.channel,
                "verified": verified,
                "provider": self.provider,
            },
        )

    def knows_sms(self, guid: str) -> bool:
        """Whether this SMS was already delivered (or recorded by the first sync)."""
        return self.ledger.knows(SOURCE_SMS, guid)

    @callback
    def accept_event(self, event_id: str | None) -> bool:
        """Note a pushed request; False when the inbox is closed or the event was handled."""
        if self._closed:
            return False
        self._state.webhook_seen = True
        if event_id is not None and not self.ledger.add(SOURCE_EVENTS, event_id, dt_util.utcnow()):
            return False
        self.async_schedule_save()
        return True

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

    def _tell(self, message: DeliveredMessage) -> None:
        for listener in list(self._listeners):
            listener(message)

    def _fire(
        self, event: str, data: dict[str, Any], kind: str, event_type: str, phone_id: str | None
    ) -> Context:
        """Fire the bus event and tell the event entities; the context it was fired with."""
        context = Context()
        self.hass.bus.async_fire(event, data, context=context)
        async_dispatcher_send(
            self.hass, signal_incoming(self.entry_id), Incoming(kind, event_type, phone_id, data)
        )
        return context
