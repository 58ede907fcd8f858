"""In-memory state of the simulator: accounts, phones, messages, calls and settings."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone, tzinfo
import random
import secrets
from typing import Literal
import uuid

from .faults import FaultPlan
from .timefmt import utc_now

type CallType = Literal["missed", "incoming", "outgoing"]
type SentStatus = Literal["queued", "error"]
type ErrorSource = Literal["api", "mobile"]
type SmsTimeFormat = Literal[
    "unix", "unix_ms", "date_hour", "time_received_ms", "time_received_compact"
]
type PhonesShape = Literal["items", "result_mobiles", "result_mobile"]
type BatteryFormat = Literal["int", "str", "percent"]
type SentLogLayout = Literal["result_sms", "result_data", "data"]
type WebhookFormat = Literal["legacy", "v2"]
type StateEvent = SimReceivedSms | SimCall | SimMessageEvent | SimReceivedWhatsApp
type Listener = Callable[[StateEvent], None]

_BULK_NUMBERS = 50
MESSAGE_EVENT_TYPES = (
    "sms.api.submitted",
    "whatsapp.submitted",
    "sms.sent",
    "sms.failed",
    "sms.mobile.sent",
    "whatsapp.sent",
    "whatsapp.failed",
)
"""Webhook V2 events about a message sent through ``/sendsms/``."""


@dataclass(slots=True)
class SimPhone:
    """A mobile phone connected to the gateway."""

    sid: str
    label: str
    battery: int
    version: str
    online: bool
    last_seen: datetime
    phone_number: str | None


@dataclass(slots=True)
class SimReceivedSms:
    """An SMS received by a phone and synchronised to the server.

    ``received_at`` is when the phone received it; ``added_at`` when the server stored it.
    """

    id: int
    guid: str
    number: str
    message: str
    received_at: datetime
    added_at: datetime
    sid: str
    alias: str | None
    read: bool

    @property
    def timestamp(self) -> int:
        """UNIX seconds of reception."""
        return int(self.received_at.timestamp())


@dataclass(slots=True)
class SimSentSms:
    """A message submitted through ``/sendsms/`` (or seeded by a test)."""

    guid: str
    api_key: str
    recipients: str
    message: str
    fields: dict[str, str]
    status: SentStatus
    created_at: datetime
    sid: str | None = None
    error_source: ErrorSource | None = None
    timearea: str | None = None


@dataclass(slots=True)
class SimReceivedWhatsApp:
    """A WhatsApp message received by a phone.

    ``/getwa/`` lists it only once ``synced``: it arrived while a synchronisation window was
    open, or a synchronisation was requested after it arrived. ``message`` is the text, or the
    transcript of a voice message (empty until transcribed).
    """

    guid: str
    data_id: str
    number: str
    name: str | None
    message: str
    voice: bool
    received_at: datetime
    sid: str
    synced: bool = False


@dataclass(frozen=True, slots=True)
class SimMessageEvent:
    """A step of a sent message, pushed as a Webhook V2 event (one of ``MESSAGE_EVENT_TYPES``)."""

    event_type: str
    sent: SimSentSms
    at: datetime


@dataclass(slots=True)
class SimMobileSentSms:
    """An SMS sent from the phone itself and synchronised (``/log/sent/frommobile/``)."""

    sid: str
    number: str
    message: str
    sent_at: datetime
    synchro_time: datetime


@dataclass(slots=True)
class SimCall:
    """A missed, incoming or outgoing call synchronised from a phone."""

    guid: str
    call_type: CallType
    number: str
    name: str | None
    at: datetime
    duration: int
    sid: str
    geo_location: str | None
    created_at: datetime


@dataclass(slots=True)
class Account:
    """A customer account: API key, OAuth2 client and everything its phones synchronised."""

    api_key: str
    client_id: str | None = None
    client_secret: str | None = None
    expired: bool = False
    connected_limit: int = 3
    phones: dict[str, SimPhone] = field(default_factory=dict)
    received: list[SimReceivedSms] = field(default_factory=list)
    calls: list[SimCall] = field(default_factory=list)
    sent_from_mobile: list[SimMobileSentSms] = field(default_factory=list)
    # Numbers (country code and number, no "+") that have no WhatsApp; all others have it.
    without_whatsapp: set[str] = field(default_factory=set)
    # WhatsApp retrieval: off until activated (the vendor's privacy default), then read only
    # inside synchronisation windows.
    whatsapp_retrieval: bool = False
    whatsapp_sync_until: datetime | None = None
    whatsapp_received: list[SimReceivedWhatsApp] = field(default_factory=list)

    def default_sid(self) -> str:
        """Return the SID of the first phone, or ``""`` when there is none."""
        return next(iter(self.phones), "")

    def find_received(self, guid: str) -> SimReceivedSms | None:
        """Return the received SMS with a GUID (case-insensitive), if any."""
        wanted = guid.upper()
        return next((sms for sms in self.received if sms.guid == wanted), None)


@dataclass(slots=True)
class Variants:
    """Selects the uncertain wire variants the simulator serves.

    Attributes:
        getsms_auth_error_http200: ``/getsms/`` answers auth errors with HTTP 200 and an
            error inside ``result`` (else 403 with the OpenAPI error model).
        sms_time_format: how ``/getsms/`` reports the reception time.
        phones_shape: envelope of ``/gateway/mobile/list/``.
        battery_format: battery as a number, a numeric string or a percentage string.
        missed_calls_text_errors: ``/call/missed/list/`` answers a missing key with the
            free text ``Missing apikey`` instead of the JSON error.
        call_endpoints_apikey_only: the call lists authenticate with the ``apikey`` parameter
            only, as the call-management doc says (the OpenAPI file declares no bearer scheme
            either): a bearer token is ignored there, so a request with a token and no key is
            answered ``missing_apikey``. Off, they take a token like every other endpoint.
        invented_param_errors: refuse parameters the way no vendor source shows (HTTP 200 with
            ``missing_<name>``/``invalid_<name>`` inside ``result``, ``nothing_to_send``, the
            call lists' ``invalid_<name>``). Off, the documented answers apply: a missing
            required parameter (and an undeclared ``/sendsms/`` value) is the OpenAPI's HTTP
            400, and any other odd value is ignored. See ``endpoints.Checks``.
        invented_sent_log_layout: where ``/log/sent/sms/`` and ``/log/sent/frommobile/`` put
            their rows. **Invented**: no vendor source shows these answers (the OpenAPI file
            types ``/log/sent/sms/`` as any object; the SMS doc lists the fields of a
            sent-from-mobile row, not its envelope). ``result_sms`` is ``{"result": {"error":
            0, "sms": [...]}}``, ``result_data`` the same with ``data``, ``data`` is
            ``{"success": true, "data": [...]}``; the client reads all three.
    """

    getsms_auth_error_http200: bool = True
    sms_time_format: SmsTimeFormat = "unix"
    phones_shape: PhonesShape = "items"
    battery_format: BatteryFormat = "int"
    missed_calls_text_errors: bool = False
    call_endpoints_apikey_only: bool = False
    invented_param_errors: bool = False
    invented_sent_log_layout: SentLogLayout = "result_sms"


@dataclass(frozen=True, slots=True)
class RecordedRequest:
    """One API request as the simulator received it."""

    method: str
    path: str
    query: dict[str, str]
    form: dict[str, str]
    headers: dict[str, str]


@dataclass(slots=True)
class PathStats:
    """Request count, body bytes sent and concurrency of one API path."""

    requests: int = 0
    bytes_sent: int = 0
    in_flight: int = 0
    max_in_flight: int = 0


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """An OAuth2 access token and the account it stands for."""

    api_key: str
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class WebhookTarget:
    """Where and how received SMS and calls are pushed.

    ``message_events`` (Webhook V2 only) also pushes ``sms.api.submitted`` /
    ``whatsapp.submitted`` when ``/sendsms/`` accepts a message; other steps of a sent
    message are pushed with ``SimulatorState.push_message_event``.
    """

    url: str
    format: WebhookFormat = "legacy"
    secret: str | None = None
    message_events: bool = False

    def __post_init__(self) -> None:
        """Check the format and that Webhook V2 has a signing secret."""
        if self.format not in {"legacy", "v2"}:
            raise ValueError(f"unknown webhook format {self.format!r}")
        if self.format == "v2" and not self.secret:
            raise ValueError("Webhook V2 needs a secret")


@dataclass(frozen=True, slots=True)
class WebhookDelivery:
    """The outcome of one webhook POST: the HTTP status, or the error text."""

    event_type: str
    url: str
    status: int | None
    error: str | None = None


class SimulatorState:
    """Everything the simulated service knows, shared by the API and control routes."""

    def __init__(self, rng: random.Random | None = None) -> None:
        """Start empty; ``rng`` makes generated identifiers and demo data reproducible."""
        # Simulated data, not secrets: a seedable generator is the point.
        self.rng = rng if rng is not None else random.Random()  # noqa: S311
        self.accounts: dict[str, Account] = {}
        self.sent: list[SimSentSms] = []
        self.requests: list[RecordedRequest] = []
        self.record_requests = True
        self.stats: dict[str, PathStats] = {}
        self.faults = FaultPlan(random.Random(self.rng.getrandbits(64)))  # noqa: S311
        self.variants = Variants()
        self.latency = 0.0
        self.clock: Callable[[], datetime] = utc_now
        self.local_timezone: tzinfo = timezone(timedelta(hours=1))
        self.token_lifetime = 3600
        # How long a WhatsApp synchronisation window stays open (invented: not documented).
        self.whatsapp_sync_window = timedelta(minutes=10)
        self.tokens: dict[str, IssuedToken] = {}
        self.control_token: str | None = None
        self.webhook: WebhookTarget | None = None
        self.webhook_deliveries: list[WebhookDelivery] = []
        self._listeners: list[Listener] = []
        self._next_sms_id = 1

    # Identifiers

    def new_guid(self) -> str:
        """Return an uppercase uuid4 string."""
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4)).upper()

    def new_message_id(self) -> str:
        """Return a 40-hex-digit message id, like the ids ``/sendsms/`` answers."""
        return f"{self.rng.getrandbits(160):040x}"

    # Accounts and authentication

    def add_account(
        self,
        api_key: str,
        client_id: str | None = None,
        client_secret: str | None = None,
        *,
        expired: bool = False,
    ) -> Account:
        """Create an account; its API key must be new."""
        if api_key in self.accounts:
            raise ValueError(f"account {api_key!r} exists")
        account = Account(api_key, client_id, client_secret, expired=expired)
        self.accounts[api_key] = account
        return account

    def rotate_api_key(self, account: Account, new_key: str) -> None:
        """Give an account a new API key (as the dashboard does); the old one stops working."""
        if new_key in self.accounts:
            raise ValueError(f"account {new_key!r} exists")
        del self.accounts[account.api_key]
        account.api_key = new_key
        self.accounts[new_key] = account

    def default_account(self) -> Account | None:
        """Return the first account created, if any."""
        return next(iter(self.accounts.values()), None)

    def account_for_client(self, client_id: str, client_secret: str) -> Account | None:
        """Return the account whose OAuth2 client credentials match."""
        for account in self.accounts.values():
            if account.client_id is None or account.client_secret is None:
                continue
            if secrets.compare_digest(account.client_id, client_id) and secrets.compare_digest(
                account.client_secret, client_secret
            ):
                return account
        return None

    def issue_token(self, account: Account) -> str:
        """Issue an access token for an account, valid ``token_lifetime`` seconds."""
        token = secrets.token_urlsafe(32)
        expires_at = self.clock() + timedelta(seconds=self.token_lifetime)
        self.tokens[token] = IssuedToken(account.api_key, expires_at)
        return token

    def account_for_token(self, token: str) -> Account | None:
        """Return the account of a token that exists and has not expired."""
        issued = self.tokens.get(token)
        if issued is None or issued.expires_at <= self.clock():
            return None
        return self.accounts.get(issued.api_key)

    # Phones

    def add_phone(
        self,
        account: Account,
        sid: str,
        *,
        label: str = "",
        battery: int = 100,
        version: str = "4.1.20.0",
        online: bool = True,
        last_seen: datetime | None = None,
        phone_number: str | None = None,
    ) -> SimPhone:
        """Connect a phone to an account."""
        phone = SimPhone(
            sid, label, battery, version, online, last_seen or self.clock(), phone_number
        )
        account.phones[sid] = phone
        return phone

    def delete_phone(self, account: Account, sid: str) -> bool:
        """Remove a phone and its history rows (received and sent-from-mobile SMS)."""
        if account.phones.pop(sid, None) is None:
            return False
        account.received = [sms for sms in account.received if sms.sid != sid]
        account.sent_from_mobile = [row for row in account.sent_from_mobile if row.sid != sid]
        return True

    # Received SMS

    def add_received_sms(
        self,
        account: Account,
        number: str,
        message: str,
        *,
        received_at: datetime | None = None,
        sid: str | None = None,
        alias: str | None = None,
        read: bool = False,
        push: bool = False,
    ) -> SimReceivedSms:
        """Store a received SMS (``sid`` defaults to the first phone's).

        Args:
            account: the receiving account.
            number: the sender.
            message: the text.
            received_at: when the phone received it (default now).
            sid: the receiving phone.
            alias: contact alias.
            read: the API-side read flag.
            push: send the configured webhook for it.
        """
        now = self.clock()
        sms = SimReceivedSms(
            id=self._take_sms_id(),
            guid=self.new_guid(),
            number=number,
            message=message,
            received_at=received_at or now,
            added_at=now,
            sid=sid if sid is not None else account.default_sid(),
            alias=alias,
            read=read,
        )
        account.received.append(sms)
        if push:
            self._emit(sms)
        return sms

    def add_received_bulk(
        self, account: Account, count: int, *, number: str | None = None, sid: str | None = None
    ) -> list[SimReceivedSms]:
        """Store many received SMS quickly, one second apart and ending now."""
        now = self.clock()
        phone_sid = sid if sid is not None else account.default_sid()
        batch = [
            SimReceivedSms(
                id=self._take_sms_id(),
                guid=self.new_guid(),
                number=number or f"+3247{index % _BULK_NUMBERS:07d}",
                message=f"Bulk message {index + 1}",
                received_at=now - timedelta(seconds=count - 1 - index),
                added_at=now,
                sid=phone_sid,
                alias=None,
                read=False,
            )
            for index in range(count)
        ]
        account.received.extend(batch)
        return batch

    def _take_sms_id(self) -> int:
        sms_id = self._next_sms_id
        self._next_sms_id += 1
        return sms_id

    # Received WhatsApp messages

    def add_received_whatsapp(
        self,
        account: Account,
        number: str,
        message: str,
        *,
        name: str | None = None,
        voice: bool = False,
        received_at: datetime | None = None,
        sid: str | None = None,
        push: bool = False,
    ) -> SimReceivedWhatsApp:
        """Store a WhatsApp message a phone received; ``push`` sends the V2 webhook.

        It is synchronised at once when a window is open, else at the next request for one.
        """
        now = self.clock()
        window = account.whatsapp_sync_until
        received = SimReceivedWhatsApp(
            guid=self.new_guid(),
            data_id=self.new_guid(),
            number=number,
            name=name,
            message=message,
            voice=voice,
            received_at=received_at or now,
            sid=sid if sid is not None else account.default_sid(),
            synced=window is not None and now < window,
        )
        account.whatsapp_received.append(received)
        if push:
            self._emit(received)
        return received

    def open_whatsapp_sync(self, account: Account) -> datetime:
        """Open a synchronisation window: what arrived so far is synchronised; its end."""
        for received in account.whatsapp_received:
            received.synced = True
        account.whatsapp_sync_until = self.clock() + self.whatsapp_sync_window
        return account.whatsapp_sync_until

    # Sent SMS

    def add_sent_sms(
        self,
        account: Account,
        *,
        recipients: str,
        message: str,
        status: SentStatus = "queued",
        created_at: datetime | None = None,
        sid: str | None = None,
        error_source: ErrorSource | None = None,
        timearea: str | None = None,
        fields: dict[str, str] | None = None,
    ) -> SimSentSms:
        """Record a message sent through the API (what ``/sendsms/`` does)."""
        if status == "error" and error_source is None:
            error_source = "mobile"
        sent = SimSentSms(
            guid=self.new_message_id(),
            api_key=account.api_key,
            recipients=recipients,
            message=message,
            fields=fields if fields is not None else {},
            status=status,
            created_at=created_at or self.clock(),
            sid=sid,
            error_source=error_source,
            timearea=timearea,
        )
        self.sent.append(sent)
        return sent

    def sent_for(self, account: Account) -> list[SimSentSms]:
        """Return an account's sent messages, oldest first."""
        return [sent for sent in self.sent if sent.api_key == account.api_key]

    def add_sent_from_mobile(
        self,
        account: Account,
        number: str,
        message: str,
        *,
        sent_at: datetime | None = None,
        sid: str | None = None,
        synchro_time: datetime | None = None,
    ) -> SimMobileSentSms:
        """Record an SMS sent from the phone itself and synchronised to the server."""
        moment = sent_at or self.clock()
        row = SimMobileSentSms(
            sid=sid if sid is not None else account.default_sid(),
            number=number,
            message=message,
            sent_at=moment,
            synchro_time=synchro_time or moment + timedelta(seconds=5),
        )
        account.sent_from_mobile.append(row)
        return row

    def push_message_event(self, sent: SimSentSms, event_type: str) -> SimMessageEvent:
        """Push a step of a sent message (a ``*.failed`` one puts it in mobile error)."""
        if event_type not in MESSAGE_EVENT_TYPES:
            raise ValueError(f"unknown message event {event_type!r}")
        if event_type.endswith(".failed"):
            sent.status, sent.error_source = "error", "mobile"
        event = SimMessageEvent(event_type, sent, self.clock())
        self._emit(event)
        return event

    # Calls

    def add_call(
        self,
        account: Account,
        call_type: CallType,
        number: str,
        *,
        name: str | None = None,
        at: datetime | None = None,
        duration: int = 0,
        sid: str | None = None,
        geo_location: str | None = None,
        push: bool = False,
    ) -> SimCall:
        """Store a call synchronised from a phone; ``push`` sends the V2 webhook."""
        if call_type not in {"missed", "incoming", "outgoing"}:
            raise ValueError(f"unknown call type {call_type!r}")
        call = SimCall(
            guid=self.new_guid(),
            call_type=call_type,
            number=number,
            name=name,
            at=at or self.clock(),
            duration=duration,
            sid=sid if sid is not None else account.default_sid(),
            geo_location=geo_location,
            created_at=self.clock(),
        )
        account.calls.append(call)
        if push:
            self._emit(call)
        return call

    # Observation

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener`` for every pushed SMS or call; returns the unsubscribe function."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def _emit(self, event: StateEvent) -> None:
        for listener in list(self._listeners):
            listener(event)

    def record(self, request: RecordedRequest) -> None:
        """Keep an API request for tests (unless ``record_requests`` is off)."""
        if self.record_requests:
            self.requests.append(request)

    def begin(self, path: str) -> None:
        """A request of a path starts being served."""
        stats = self.stats.setdefault(path, PathStats())
        stats.in_flight += 1
        stats.max_in_flight = max(stats.max_in_flight, stats.in_flight)

    def end(self, path: str) -> None:
        """A request of a path has been served (or dropped)."""
        self.stats[path].in_flight -= 1

    def count(self, path: str, bytes_sent: int) -> None:
        """Add one answered request to the statistics of a path."""
        stats = self.stats.setdefault(path, PathStats())
        stats.requests += 1
        stats.bytes_sent += bytes_sent
