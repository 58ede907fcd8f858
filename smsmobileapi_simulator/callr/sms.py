"""The CALLR SMS object: statuses, encoding and parts, and its JSON form."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
import math
from typing import Literal, get_args

from smsmobileapi_simulator import timefmt

type SmsType = Literal["IN", "OUT"]
type SmsStatus = Literal[
    "CREATED", "PENDING", "SENT", "REMOTE_QUEUED", "RECEIVED", "ERROR", "FAILED", "EXPIRED"
]
type Encoding = Literal["GSM", "UNICODE"]
type Nature = Literal["ALERTING", "MARKETING"]
type CustomerMode = Literal["PREPAID", "POSTPAID"]

STATUSES: tuple[SmsStatus, ...] = get_args(SmsStatus.__value__)
ENCODINGS: tuple[Encoding, ...] = get_args(Encoding.__value__)
NATURES: tuple[Nature, ...] = get_args(Nature.__value__)
OUT_LIFECYCLE: tuple[SmsStatus, ...] = ("CREATED", "PENDING", "SENT", "REMOTE_QUEUED", "RECEIVED")
"""The normal path of an outgoing SMS; ``ERROR``, ``FAILED`` and ``EXPIRED`` end it early."""
FINAL_STATUSES: frozenset[SmsStatus] = frozenset({"RECEIVED", "ERROR", "FAILED", "EXPIRED"})
DEFAULT_STATUS_ERRORS: Mapping[SmsStatus, str] = {
    # Invented texts: the notes only say ``status_error`` is "" unless in error.
    "ERROR": "REJECTED",
    "FAILED": "DELIVERY_FAILED",
    "EXPIRED": "VALIDITY_EXPIRED",
}
NO_DATE = "0000-00-00 00:00:00"
"""How CALLR writes "no date" (``date_sent`` of an incoming SMS, for example)."""

LEGACY_PUSH_FIELDS: Mapping[str, object] = {
    # Invented names and values: older payloads carried ``push_*`` fields the notes do not list.
    "push_url": "",
    "push_status": "NONE",
    "push_date": NO_DATE,
}

GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
"""The GSM 03.38 basic character set (one septet each)."""
GSM_EXTENSION = frozenset("\f^{}\\[~]|€")
"""The GSM 03.38 extension table (an escape plus one septet: two each)."""
_SINGLE_PART = {"GSM": 160, "UNICODE": 70}
_PER_PART = {"GSM": 153, "UNICODE": 67}


def detect_encoding(text: str) -> Encoding:
    """Return ``GSM`` when every character is in GSM 03.38 (basic or extension) else ``UNICODE``."""
    alphabet = GSM_BASIC | GSM_EXTENSION
    return "GSM" if all(char in alphabet for char in text) else "UNICODE"


def message_length(text: str, encoding: Encoding) -> int:
    """Return the length that counts for splitting: septets (GSM) or UTF-16 code units."""
    if encoding == "GSM":
        # A character outside GSM 03.38 sent with force_encoding=GSM is replaced: one septet.
        return sum(2 if char in GSM_EXTENSION else 1 for char in text)
    return len(text.encode("utf-16-le")) // 2


def count_parts(text: str, encoding: Encoding) -> int:
    """Return the SMS parts: 1 up to 160 GSM / 70 UCS-2, else 153 / 67 a part."""
    length = message_length(text, encoding)
    if length <= _SINGLE_PART[encoding]:
        return 1
    return math.ceil(length / _PER_PART[encoding])


def sql_ms(moment: datetime) -> str:
    """Format as ``YYYY-MM-DD HH:MM:SS.mmm`` in UTC (``status_history[].updated_at``)."""
    return f"{timefmt.sql(moment)}.{moment.astimezone(UTC).microsecond // 1000:03d}"


def iso_ms(moment: datetime) -> str:
    """Format as ISO 8601 with milliseconds and ``Z`` (a webhook's ``event_at``)."""
    utc = moment.astimezone(UTC)
    return f"{utc:%Y-%m-%dT%H:%M:%S}.{utc.microsecond // 1000:03d}Z"


def _date(moment: datetime | None) -> str:
    return NO_DATE if moment is None else timefmt.sql(moment)


@dataclass(frozen=True, slots=True)
class StatusChange:
    """One entry of ``status_history``."""

    old_status: SmsStatus
    new_status: SmsStatus
    at: datetime


@dataclass(frozen=True, slots=True)
class DynamicWebhook:
    """A per-SMS webhook (``options.webhook`` on send): its deliveries carry ``hook_hash: null``.

    ``hmac_secret`` comes from ``options.webhook.hmac_secret`` when given (an assumption: the
    notes only show that such deliveries are signed like the others).
    """

    endpoint: str
    hmac_secret: str | None = None


@dataclass(slots=True)
class CallrSms:
    """An incoming (``IN``) or outgoing (``OUT``) SMS of an account.

    ``sender`` is the wire's ``from``. ``updated_at`` is ``date_update``, ``sent_at``
    ``date_sent`` and ``received_at`` ``date_received`` (``None``: ``0000-00-00 00:00:00``).
    """

    sms_type: SmsType
    hash: str
    sender: str
    to: str
    text: str
    encoding: Encoding
    parts: int
    nature: Nature
    customer_mode: CustomerMode
    customer_debit: Decimal
    status: SmsStatus
    created_at: datetime
    updated_at: datetime
    options: dict[str, object] | None = None
    user_data: str = ""
    network: str = ""
    status_error: str = ""
    sent_at: datetime | None = None
    received_at: datetime | None = None
    history: list[StatusChange] = field(default_factory=list)
    webhook: DynamicWebhook | None = None
    in_reply_to: str | None = None

    @property
    def is_final(self) -> bool:
        """Tell whether the status can no longer change."""
        return self.status in FINAL_STATUSES

    @property
    def listed_at(self) -> datetime:
        """The date ``GET /sms`` filters on, to the second.

        Incoming SMS: ``date_received`` (the same as ``date_creation`` for them). Outgoing SMS:
        ``date_creation``, the only date every outgoing SMS has (``date_sent`` and
        ``date_received`` stay empty until the carrier answers). The vendor document does not
        say which date the window applies to: this is the simulator's choice.
        """
        moment = self.received_at if self.sms_type == "IN" and self.received_at else self.created_at
        return moment.astimezone(UTC).replace(microsecond=0)


def sms_json(
    sms: CallrSms, *, echo_options: bool = False, legacy_push_fields: bool = False
) -> dict[str, object]:
    """Return the SMS object as CALLR serialises it, members in the fixtures' order.

    Args:
        sms: the SMS.
        echo_options: give back the options sent (the fixtures show ``null`` even for an SMS
            sent with ``user_data``, so ``null`` is the default).
        legacy_push_fields: add the ``push_*`` members of older payloads.
    """
    payload: dict[str, object] = {
        "type": sms.sms_type,
        "hash": sms.hash,
        "from": sms.sender,
        "to": sms.to,
        "text": sms.text,
        "options": sms.options if echo_options else None,
        "encoding": sms.encoding,
        "user_data": sms.user_data,
        "b_customer_mode": sms.customer_mode,
        "b_customer_debit": f"{sms.customer_debit:.2f}",
        "network": sms.network,
        "status": sms.status,
        "status_error": sms.status_error,
        "parts": sms.parts,
        "nature": sms.nature,
        "date_creation": timefmt.sql(sms.created_at),
        "date_update": timefmt.sql(sms.updated_at),
        "date_sent": _date(sms.sent_at),
        "date_received": _date(sms.received_at),
        "status_history": [
            {
                "old_status": change.old_status,
                "new_status": change.new_status,
                "updated_at": sql_ms(change.at),
            }
            for change in sms.history
        ],
    }
    if legacy_push_fields:
        payload.update(LEGACY_PUSH_FIELDS)
    return payload
