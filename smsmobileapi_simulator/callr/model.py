"""Records of the CALLR simulator: accounts, variants, webhooks and what was observed."""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Literal, get_args

from .sms import CallrSms, CustomerMode, SmsType

type WebhookType = Literal["sms.mo", "sms.mt.status_update"]
type AuthFailureStyle = Literal["json_401", "json_403", "html_proxy"]
type ErrorCodeStyle = Literal["http", "jsonrpc"]

WEBHOOK_TYPES: tuple[WebhookType, ...] = get_args(WebhookType.__value__)
AUTH_FAILURE_STYLES: tuple[AuthFailureStyle, ...] = get_args(AuthFailureStyle.__value__)
ERROR_CODE_STYLES: tuple[ErrorCodeStyle, ...] = get_args(ErrorCodeStyle.__value__)
HMAC_ALGOS = ("SHA256",)
DEFAULT_NUMBER = "+33755001122"
"""The account's own number (the fixtures' incoming SMS goes to it)."""


@dataclass(slots=True)
class CallrWebhook:
    """A webhook subscription (made with JSON-RPC ``webhooks.subscribe`` or the portal)."""

    hash: str
    type: WebhookType
    endpoint: str
    hmac_secret: str | None = None
    hmac_algo: str = "SHA256"


@dataclass(slots=True)
class CallrAccount:
    """A CALLR account: Basic credentials, its SMS (by hash) and webhook subscriptions.

    Attributes:
        login: the HTTP Basic user name.
        password: the HTTP Basic password (see :meth:`CallrState.rotate_password`).
        api_key: accepted as ``Authorization: Api-Key <key>`` with the ``accept_api_key``
            variant only (whether REST v1.1 takes API keys is uncertain).
        number: the account's number: ``to`` of incoming SMS, ``from`` of SMS sent without one.
        customer_mode: ``b_customer_mode``.
        blocked: every request is refused with 403 ``FORBIDDEN``.
        out_debit_per_part: ``b_customer_debit`` of an outgoing SMS, per part.
        in_debit: ``b_customer_debit`` of an incoming SMS, per part.
    """

    login: str
    password: str
    api_key: str | None = None
    number: str = DEFAULT_NUMBER
    customer_mode: CustomerMode = "PREPAID"
    blocked: bool = False
    out_debit_per_part: Decimal = Decimal("4.50")
    in_debit: Decimal = Decimal("1.00")
    sms: dict[str, CallrSms] = field(default_factory=dict)
    webhooks: dict[str, CallrWebhook] = field(default_factory=dict)

    def find(self, sms_hash: str) -> CallrSms | None:
        """Return the SMS with a hash (exact, case-sensitive), if the account has it."""
        return self.sms.get(sms_hash)

    def of_type(self, sms_type: SmsType) -> list[CallrSms]:
        """Return the account's incoming or outgoing SMS, in the order they were stored."""
        return [sms for sms in self.sms.values() if sms.sms_type == sms_type]

    @property
    def outgoing(self) -> list[CallrSms]:
        """The SMS the account sent, oldest first."""
        return self.of_type("OUT")

    @property
    def incoming(self) -> list[CallrSms]:
        """The SMS the account received, oldest first."""
        return self.of_type("IN")


@dataclass(slots=True)
class CallrVariants:
    """Selects the uncertain wire variants the CALLR simulator serves.

    Attributes:
        auth_failure: bad or missing credentials answer ``json_401`` (HTTP 401 and the error
            envelope, default), ``json_403`` (HTTP 403, message ``FORBIDDEN``) or
            ``html_proxy`` (HTTP 401 with an HTML page, as a proxy in front would).
        error_codes: the envelope's ``data.code`` is the HTTP status (``http``) or a
            JSON-RPC-like code (``jsonrpc``: 22 for authentication, see ``replies``).
        unknown_hash_status: HTTP status of ``GET /sms/<hash>`` for an unknown hash, 400
            (like the other ``PROPERTY_VALUE_ERROR``) or 404.
        list_row_cap: ``GET /sms`` serves at most this many rows (``None``: all).
        list_newest_first: ``GET /sms`` sorts newest first (default oldest first); with a
            cap, the newest rows are the ones kept.
        echo_options: the SMS object gives back the options sent (default ``null``).
        legacy_push_fields: the SMS object has the extra ``push_*`` members of older payloads.
        strict_options: a bad option value is refused (``PROPERTY_VALUE_ERROR [<name>]``)
            instead of ignored.
        accept_api_key: ``Authorization: Api-Key <key>`` is accepted besides HTTP Basic.
    """

    auth_failure: AuthFailureStyle = "json_401"
    error_codes: ErrorCodeStyle = "http"
    unknown_hash_status: int = 400
    list_row_cap: int | None = None
    list_newest_first: bool = False
    echo_options: bool = False
    legacy_push_fields: bool = False
    strict_options: bool = False
    accept_api_key: bool = False


@dataclass(slots=True)
class WebhookPolicy:
    """How deliveries are retried: ``max_tries`` attempts, waiting ``backoff * factor**n``.

    The real schedule is unknown (the notes: "exponential backoff"). An attempt succeeds on
    any 2xx answer; anything else, an error or ``timeout`` seconds without an answer, fails.
    """

    max_tries: int = 6
    backoff: float = 1.0
    factor: float = 2.0
    timeout: float = 10.0

    def delay(self, failed_try: int) -> float:
        """Seconds to wait after the failed attempt ``failed_try`` (0 for the first)."""
        return self.backoff * self.factor**failed_try


@dataclass(frozen=True, slots=True)
class WebhookEvent:
    """One event for one URL: a subscription's (``hook_hash``) or a per-SMS webhook's (``None``).

    ``data`` is the SMS object as it was when the event happened.
    """

    event_id: str
    event_type: WebhookType
    event_at: datetime
    hook_hash: str | None
    url: str
    hmac_secret: str | None
    data: dict[str, object]


@dataclass(frozen=True, slots=True)
class CallrDelivery:
    """The outcome of one webhook POST: the HTTP status, or the error text.

    ``duplicate``: a forced second copy of a delivered event. ``bad_signature``: signed with
    the wrong key on purpose.
    """

    event_id: str
    event_type: WebhookType
    url: str
    hook_hash: str | None
    try_number: int
    status: int | None
    error: str | None = None
    duplicate: bool = False
    bad_signature: bool = False

    @property
    def ok(self) -> bool:
        """Tell whether the receiver answered 2xx."""
        return self.status is not None and 200 <= self.status < 300


@dataclass(frozen=True, slots=True)
class CallrRequest:
    """One API request as the simulator received it.

    ``route`` is the endpoint, method and path relative to the base path (``GET /sms``,
    ``POST /sms``, ``GET /sms/send``, ``GET /sms/{hash}``); ``json`` the decoded body
    (``None`` when absent or not JSON); ``body`` the raw body.
    """

    method: str
    path: str
    route: str
    query: dict[str, str]
    json: object
    headers: dict[str, str]
    body: bytes
