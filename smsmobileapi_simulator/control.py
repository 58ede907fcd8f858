"""Control routes under ``/_sim/``: drive the simulator from other processes.

They are not part of the simulated API: never recorded, never faulted. When
``state.control_token`` is set, each call needs the header ``X-Sim-Token``.
"""

from collections.abc import Awaitable, Callable
from dataclasses import asdict
from datetime import UTC, datetime
import json
import secrets
from typing import get_args

from aiohttp import web

from . import timefmt
from .faults import CONTENT_ENCODINGS, FAULT_KINDS, Fault
from .state import (
    MESSAGE_EVENT_TYPES,
    Account,
    BatteryFormat,
    CallType,
    PhonesShape,
    SentLogLayout,
    SimPhone,
    SimulatorState,
    SmsTimeFormat,
    WebhookFormat,
    WebhookTarget,
)

MAX_BULK = 1_000_000
_CALL_TYPES: dict[str, CallType] = {name: name for name in get_args(CallType.__value__)}
_WEBHOOK_FORMATS: dict[str, WebhookFormat] = {
    name: name for name in get_args(WebhookFormat.__value__)
}
_VARIANT_CHOICES: dict[str, frozenset[str]] = {
    "sms_time_format": frozenset(get_args(SmsTimeFormat.__value__)),
    "phones_shape": frozenset(get_args(PhonesShape.__value__)),
    "battery_format": frozenset(get_args(BatteryFormat.__value__)),
    "invented_sent_log_layout": frozenset(get_args(SentLogLayout.__value__)),
}
_VARIANT_FLAGS = frozenset(
    {
        "getsms_auth_error_http200",
        "missed_calls_text_errors",
        "call_endpoints_apikey_only",
        "invented_param_errors",
    }
)

type ControlHandler = Callable[[web.Request, "Payload"], Awaitable[web.Response]]


class ControlError(Exception):
    """A control request that cannot be honoured; ``status`` is the HTTP answer."""

    def __init__(self, message: str, status: int = 400) -> None:
        """Keep the message and the status."""
        super().__init__(message)
        self.status = status


class Payload:
    """Typed access to a control request's JSON object."""

    def __init__(self, data: dict[str, object]) -> None:
        """Wrap a decoded JSON object."""
        self.data = data

    def has(self, name: str) -> bool:
        """Tell whether a member is present (even when null)."""
        return name in self.data

    def text(self, name: str) -> str:
        """Return a required non-empty string member."""
        value = self.opt_text(name)
        if not value:
            raise ControlError(f"{name} is required")
        return value

    def opt_text(self, name: str) -> str | None:
        """Return an optional string member."""
        return self._typed(name, str, "a string")

    def opt_int(self, name: str) -> int | None:
        """Return an optional integer member."""
        value = self.data.get(name)
        if isinstance(value, bool):
            raise ControlError(f"{name} must be an integer")
        return self._typed(name, int, "an integer")

    def opt_float(self, name: str) -> float | None:
        """Return an optional number member (integer or not) as a float."""
        value = self.data.get(name)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ControlError(f"{name} must be a number")
        return float(value)

    def opt_bool(self, name: str) -> bool | None:
        """Return an optional boolean member."""
        return self._typed(name, bool, "a boolean")

    def opt_datetime(self, name: str) -> datetime | None:
        """Return an optional ISO 8601 member as an aware datetime (naive means UTC)."""
        text = self.opt_text(name)
        if text is None:
            return None
        moment = timefmt.parse_moment(text, end_of_day=False)
        if moment is None:
            raise ControlError(f"{name} must be an ISO 8601 datetime")
        return moment

    def _typed[T](self, name: str, kind: type[T], label: str) -> T | None:
        value = self.data.get(name)
        if value is None:
            return None
        if not isinstance(value, kind):
            raise ControlError(f"{name} must be {label}")
        return value


class ControlApi:
    """Handlers of the control routes for one state."""

    def __init__(self, state: SimulatorState) -> None:
        """Bind to a state."""
        self.state = state

    def routes(self) -> list[web.RouteDef]:
        """Return the route definitions to add to the application."""
        return [
            web.post("/_sim/sms", self._guard(self.add_sms)),
            web.post("/_sim/bulk_sms", self._guard(self.add_bulk_sms)),
            web.post("/_sim/call", self._guard(self.add_call)),
            web.post("/_sim/whatsapp", self._guard(self.add_whatsapp)),
            web.post("/_sim/phone", self._guard(self.add_phone)),
            web.patch("/_sim/phone/{sid}", self._guard(self.update_phone)),
            web.post("/_sim/fault", self._guard(self.add_fault)),
            web.delete("/_sim/faults", self._guard(self.clear_faults)),
            web.get("/_sim/stats", self._guard(self.stats)),
            web.get("/_sim/sent", self._guard(self.sent)),
            web.post("/_sim/api_key", self._guard(self.rotate_api_key)),
            web.put("/_sim/webhook", self._guard(self.set_webhook)),
            web.post("/_sim/message_event", self._guard(self.add_message_event)),
            web.delete("/_sim/webhook", self._guard(self.clear_webhook)),
            web.patch("/_sim/variants", self._guard(self.set_variants)),
        ]

    def _guard(self, handler: ControlHandler) -> Callable[[web.Request], Awaitable[web.Response]]:
        """Check the control token, decode the JSON body and map errors to answers."""

        async def run(request: web.Request) -> web.Response:
            expected = self.state.control_token
            given = request.headers.get("X-Sim-Token", "")
            if expected is not None and not secrets.compare_digest(expected, given):
                return web.json_response({"error": "invalid control token"}, status=401)
            try:
                return await handler(request, await read_payload(request))
            except ControlError as err:
                return web.json_response({"error": str(err)}, status=err.status)

        return run

    def _account(self, payload: Payload) -> Account:
        api_key = payload.opt_text("api_key")
        account = (
            self.state.default_account() if api_key is None else self.state.accounts.get(api_key)
        )
        if account is None:
            raise ControlError("no such account", status=404)
        return account

    async def add_sms(self, _request: web.Request, payload: Payload) -> web.Response:
        """``POST /_sim/sms``: a phone receives an SMS (pushes the webhook)."""
        sms = self.state.add_received_sms(
            self._account(payload),
            payload.text("number"),
            payload.text("message"),
            received_at=payload.opt_datetime("received_at"),
            sid=payload.opt_text("sid"),
            alias=payload.opt_text("alias"),
            push=True,
        )
        return web.json_response({"guid": sms.guid, "id": sms.id}, status=201)

    async def add_bulk_sms(self, _request: web.Request, payload: Payload) -> web.Response:
        """``POST /_sim/bulk_sms``: seed many received SMS at once (no webhooks)."""
        count = payload.opt_int("count")
        if count is None or not 1 <= count <= MAX_BULK:
            raise ControlError(f"count must be an integer from 1 to {MAX_BULK}")
        batch = self.state.add_received_bulk(
            self._account(payload),
            count,
            number=payload.opt_text("number"),
            sid=payload.opt_text("sid"),
        )
        body = {"count": len(batch), "first_id": batch[0].id, "last_id": batch[-1].id}
        return web.json_response(body, status=201)

    async def add_call(self, _request: web.Request, payload: Payload) -> web.Response:
        """``POST /_sim/call``: a phone synchronises a call (pushes the V2 webhook)."""
        call_type = _CALL_TYPES.get(payload.text("call_type"))
        if call_type is None:
            raise ControlError(f"call_type must be one of {sorted(_CALL_TYPES)}")
        call = self.state.add_call(
            self._account(payload),
            call_type,
            payload.text("number"),
            name=payload.opt_text("name"),
            at=payload.opt_datetime("at"),
            duration=payload.opt_int("duration") or 0,
            sid=payload.opt_text("sid"),
            geo_location=payload.opt_text("geo_location"),
            push=True,
        )
        return web.json_response({"guid": call.guid}, status=201)

    async def add_whatsapp(self, _request: web.Request, payload: Payload) -> web.Response:
        """``POST /_sim/whatsapp``: a phone receives a WhatsApp message (pushes the V2 webhook)."""
        received = self.state.add_received_whatsapp(
            self._account(payload),
            payload.text("number"),
            payload.opt_text("message") or "",
            name=payload.opt_text("name"),
            voice=bool(payload.opt_bool("voice")),
            received_at=payload.opt_datetime("received_at"),
            sid=payload.opt_text("sid"),
            push=True,
        )
        return web.json_response({"guid": received.guid, "synced": received.synced}, status=201)

    async def add_phone(self, _request: web.Request, payload: Payload) -> web.Response:
        """``POST /_sim/phone``: connect a phone."""
        phone = self.state.add_phone(self._account(payload), payload.text("sid"))
        _apply_phone_changes(phone, payload)
        return web.json_response(_phone_json(phone), status=201)

    async def update_phone(self, request: web.Request, payload: Payload) -> web.Response:
        """``PATCH /_sim/phone/{sid}``: change battery, online state, last seen, label..."""
        phone = self._account(payload).phones.get(request.match_info["sid"])
        if phone is None:
            raise ControlError("no such phone", status=404)
        _apply_phone_changes(phone, payload)
        return web.json_response(_phone_json(phone))

    async def add_fault(self, _request: web.Request, payload: Payload) -> web.Response:
        """``POST /_sim/fault``: plan a fault (the members of :class:`Fault`)."""
        fault = fault_from_payload(payload)
        self.state.faults.add(fault)
        return web.json_response(
            {"kind": fault.kind, "path": fault.path, "times": fault.times}, status=201
        )

    async def clear_faults(self, _request: web.Request, _payload: Payload) -> web.Response:
        """``DELETE /_sim/faults``: drop every planned fault."""
        self.state.faults.clear()
        return web.Response(status=204)

    async def stats(self, _request: web.Request, _payload: Payload) -> web.Response:
        """``GET /_sim/stats``: request counts and body bytes sent per API path."""
        paths = {path: asdict(stats) for path, stats in sorted(self.state.stats.items())}
        return web.json_response(
            {
                "paths": paths,
                "total_requests": sum(stats.requests for stats in self.state.stats.values()),
                "total_bytes_sent": sum(stats.bytes_sent for stats in self.state.stats.values()),
            }
        )

    async def sent(self, request: web.Request, _payload: Payload) -> web.Response:
        """``GET /_sim/sent``: the messages submitted to ``/sendsms/``, oldest first.

        ``?api_key=`` limits the list to one account.
        """
        api_key = request.query.get("api_key")
        rows = [
            {
                "guid": sent.guid,
                "recipients": sent.recipients,
                "message": sent.message,
                "status": sent.status,
                "sid": sent.sid,
                "created_at": sent.created_at.astimezone(UTC).isoformat(),
            }
            for sent in self.state.sent
            if api_key is None or sent.api_key == api_key
        ]
        return web.json_response(rows)

    async def rotate_api_key(self, _request: web.Request, payload: Payload) -> web.Response:
        """``POST /_sim/api_key``: give an account a new key (``new_api_key``); the old one fails.

        As in the dashboard: the account keeps its phones and messages.
        """
        account = self._account(payload)
        try:
            self.state.rotate_api_key(account, payload.text("new_api_key"))
        except ValueError as err:
            raise ControlError(str(err), status=409) from err
        return web.json_response({"api_key": account.api_key})

    async def set_webhook(self, _request: web.Request, payload: Payload) -> web.Response:
        """``PUT /_sim/webhook``: push SMS and calls to a URL (``legacy`` or ``v2``)."""
        webhook_format = _WEBHOOK_FORMATS.get(payload.opt_text("format") or "legacy")
        if webhook_format is None:
            raise ControlError(f"format must be one of {sorted(_WEBHOOK_FORMATS)}")
        try:
            target = WebhookTarget(
                payload.text("url"),
                webhook_format,
                payload.opt_text("secret"),
                message_events=bool(payload.opt_bool("message_events")),
            )
        except ValueError as err:
            raise ControlError(str(err)) from err
        self.state.webhook = target
        return web.json_response(
            {"url": target.url, "format": target.format, "message_events": target.message_events}
        )

    async def add_message_event(self, _request: web.Request, payload: Payload) -> web.Response:
        """``POST /_sim/message_event``: push a step of a sent message (``guid``, ``type``)."""
        event_type = payload.text("type")
        if event_type not in MESSAGE_EVENT_TYPES:
            raise ControlError(f"type must be one of {sorted(MESSAGE_EVENT_TYPES)}")
        guid = payload.text("guid").lower()
        sent = next((sent for sent in self.state.sent if sent.guid == guid), None)
        if sent is None:
            raise ControlError("no such sent message", status=404)
        self.state.push_message_event(sent, event_type)
        return web.json_response({"type": event_type, "guid": sent.guid}, status=201)

    async def clear_webhook(self, _request: web.Request, _payload: Payload) -> web.Response:
        """``DELETE /_sim/webhook``: stop pushing."""
        self.state.webhook = None
        return web.Response(status=204)

    async def set_variants(self, _request: web.Request, payload: Payload) -> web.Response:
        """``PATCH /_sim/variants``: choose wire variants (the members of ``Variants``)."""
        variants = self.state.variants
        for name in payload.data:
            if name in _VARIANT_FLAGS:
                flag = payload.opt_bool(name)
                if flag is None:
                    raise ControlError(f"{name} must be a boolean")
                setattr(variants, name, flag)
            elif name in _VARIANT_CHOICES:
                value = payload.opt_text(name)
                if value not in _VARIANT_CHOICES[name]:
                    raise ControlError(f"{name} must be one of {sorted(_VARIANT_CHOICES[name])}")
                setattr(variants, name, value)
            else:
                raise ControlError(f"unknown variant {name}")
        return web.json_response(asdict(variants))


async def read_payload(request: web.Request) -> Payload:
    """Decode a control request's JSON object body (an absent body is an empty object)."""
    if not request.can_read_body:
        return Payload({})
    try:
        data = json.loads(await request.read())
    except ValueError as err:
        raise ControlError("the body must be JSON") from err
    if not isinstance(data, dict):
        raise ControlError("the body must be a JSON object")
    return Payload(data)


def _apply_phone_changes(phone: SimPhone, payload: Payload) -> None:
    for name in ("label", "version", "phone_number"):
        value = payload.opt_text(name)
        if value is not None:
            setattr(phone, name, value)
    battery = payload.opt_int("battery")
    if battery is not None:
        phone.battery = battery
    online = payload.opt_bool("online")
    if online is not None:
        phone.online = online
    last_seen = payload.opt_datetime("last_seen")
    if last_seen is not None:
        phone.last_seen = last_seen


def _phone_json(phone: SimPhone) -> dict[str, object]:
    return {
        "sid": phone.sid,
        "label": phone.label,
        "battery": phone.battery,
        "version": phone.version,
        "online": phone.online,
        "last_seen": phone.last_seen.astimezone(UTC).isoformat(),
        "phone_number": phone.phone_number,
    }


def fault_from_payload(payload: Payload) -> Fault:
    """Build a :class:`Fault` from a control payload (the members of ``Fault``)."""
    kind = FAULT_KINDS.get(payload.text("kind"))
    if kind is None:
        raise ControlError(f"kind must be one of {sorted(FAULT_KINDS)}")
    encoding_name = payload.opt_text("content_encoding")
    encoding = None if encoding_name is None else CONTENT_ENCODINGS.get(encoding_name)
    if encoding_name is not None and encoding is None:
        raise ControlError(f"content_encoding must be one of {sorted(CONTENT_ENCODINGS)}")
    defaults = Fault(kind)
    try:
        return Fault(
            kind=kind,
            path=payload.opt_text("path"),
            times=payload.opt_int("times") if payload.has("times") else defaults.times,
            probability=_or(payload.opt_float("probability"), defaults.probability),
            status=payload.opt_int("status"),
            body=payload.opt_text("body"),
            content_type=payload.opt_text("content_type") or defaults.content_type,
            retry_after=_or(payload.opt_int("retry_after"), defaults.retry_after),
            delay=_or(payload.opt_float("delay"), defaults.delay),
            chunk_size=_or(payload.opt_int("chunk_size"), defaults.chunk_size),
            chunk_delay=_or(payload.opt_float("chunk_delay"), defaults.chunk_delay),
            size=_or(payload.opt_int("size"), defaults.size),
            content_encoding=encoding,
        )
    except ValueError as err:
        raise ControlError(str(err)) from err


def _or[T](value: T | None, default: T) -> T:
    return default if value is None else value
