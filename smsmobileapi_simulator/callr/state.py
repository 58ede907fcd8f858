"""In-memory state of the CALLR simulator: accounts, SMS, lifecycle, webhooks, observations."""

from collections.abc import Callable
from datetime import datetime
import random
import secrets
import string

from smsmobileapi_simulator.timefmt import utc_now

from .hooks import WebhookHub
from .model import DEFAULT_NUMBER, CallrAccount, CallrVariants
from .observe import RequestLog
from .sms import (
    DEFAULT_STATUS_ERRORS,
    OUT_LIFECYCLE,
    STATUSES,
    CallrSms,
    CustomerMode,
    SmsStatus,
    SmsType,
    StatusChange,
    count_parts,
    detect_encoding,
    sms_json,
)
from .validation import SendOptions, is_custom_sender, read_options

HASH_ALPHABET = string.ascii_uppercase + string.digits
EVENT_ID_ALPHABET = string.digits + string.ascii_letters
NETWORKS = {"+33": "20801", "+32": "20601", "+44": "23410", "+49": "26201", "+1": "310260"}
"""MCC+MNC given to an outgoing SMS by the recipient's country code (else ``""``)."""


def _same(expected: str, given: str) -> bool:
    """Compare secrets in constant time (as UTF-8: ``compare_digest`` refuses non-ASCII str)."""
    return secrets.compare_digest(expected.encode(), given.encode())


def network_for(number: str) -> str:
    """Return the simulated carrier (MCC+MNC) of a number, ``""`` when unknown."""
    return next((code for prefix, code in NETWORKS.items() if number.startswith(prefix)), "")


class CallrState(RequestLog):
    """Everything the simulated CALLR service knows, shared by the API and control routes.

    Requests, statistics and faults come from :class:`RequestLog`; webhooks live in
    :attr:`webhooks`.
    """

    def __init__(self, rng: random.Random | None = None) -> None:
        """Start empty; ``rng`` makes hashes, event ids and demo data reproducible."""
        # Simulated data, not secrets: a seedable generator is the point.
        self.rng = rng if rng is not None else random.Random()  # noqa: S311
        super().__init__(self.rng)
        self.accounts: dict[str, CallrAccount] = {}
        self.variants = CallrVariants()
        self.latency = 0.0
        self.clock: Callable[[], datetime] = utc_now
        self.control_token: str | None = None
        self.stop_number = "36180"
        """Replaces ``%STOPNUM%`` in SMS sent with a custom sender (invented number)."""
        self._hashes: set[str] = set()
        self.webhooks = WebhookHub(self.new_hash, self.new_event_id, self.now)
        """Subscriptions, webhook events, delivery settings and outcomes."""

    def now(self) -> datetime:
        """Return the simulator's current time (``clock`` may be replaced by tests)."""
        return self.clock()

    # Identifiers

    def new_hash(self) -> str:
        """Return a new 8-character upper-case hash (SMS and webhook ids)."""
        while True:
            value = "".join(self.rng.choice(HASH_ALPHABET) for _ in range(8))
            if value not in self._hashes:
                self._hashes.add(value)
                return value

    def new_event_id(self) -> str:
        """Return a 32-character webhook event id."""
        return "".join(self.rng.choice(EVENT_ID_ALPHABET) for _ in range(32))

    # Accounts and authentication

    def add_account(
        self,
        login: str,
        password: str,
        *,
        api_key: str | None = None,
        number: str = DEFAULT_NUMBER,
        customer_mode: CustomerMode = "PREPAID",
    ) -> CallrAccount:
        """Create an account; its login must be new."""
        if login in self.accounts:
            raise ValueError(f"account {login!r} exists")
        account = CallrAccount(login, password, api_key, number, customer_mode)
        self.accounts[login] = account
        return account

    def default_account(self) -> CallrAccount | None:
        """Return the first account created, if any."""
        return next(iter(self.accounts.values()), None)

    def rotate_password(self, account: CallrAccount, new_password: str | None = None) -> str:
        """Change an account's password (a new random one by default) and return it.

        Clients holding the old password fail authentication from now on.
        """
        account.password = new_password or secrets.token_urlsafe(12)
        return account.password

    def authenticate(self, login: str, password: str) -> CallrAccount | None:
        """Return the account whose Basic credentials match."""
        account = self.accounts.get(login)
        if account is None or not _same(account.password, password):
            return None
        return account

    def account_for_api_key(self, api_key: str) -> CallrAccount | None:
        """Return the account with an API key."""
        for account in self.accounts.values():
            if account.api_key is not None and _same(account.api_key, api_key):
                return account
        return None

    # SMS

    def send_sms(
        self,
        account: CallrAccount,
        to: str,
        body: str,
        *,
        sender: str = "",
        options: SendOptions | dict[str, object] | None = None,
        at: datetime | None = None,
    ) -> CallrSms:
        """Store an outgoing SMS in status ``CREATED`` (what ``POST /sms`` does, unchecked).

        ``options`` is the options object as the API takes it (read leniently, like the API
        does by default) or already read. An empty sender becomes the account's number;
        ``%STOPNUM%`` is replaced when the sender is alphanumeric.
        """
        if isinstance(options, dict):
            options = read_options(options)[0]
        options = options or SendOptions()
        now = at or self.clock()
        text = body
        if sender and is_custom_sender(sender):
            text = text.replace("%STOPNUM%", self.stop_number)
        encoding = options.force_encoding or detect_encoding(text)
        parts = count_parts(text, encoding)
        sms = CallrSms(
            sms_type="OUT",
            hash=self.new_hash(),
            sender=sender or account.number,
            to=to,
            text=text,
            encoding=encoding,
            parts=parts,
            nature=options.nature or "ALERTING",
            customer_mode=account.customer_mode,
            customer_debit=account.out_debit_per_part * parts,
            status="CREATED",
            created_at=now,
            updated_at=now,
            options=options.raw,
            user_data=options.user_data,
            network=network_for(to),
            webhook=options.webhook,
        )
        account.sms[sms.hash] = sms
        return sms

    def add_incoming(
        self,
        account: CallrAccount,
        sender: str,
        text: str,
        *,
        to: str | None = None,
        received_at: datetime | None = None,
        in_reply_to: str | None = None,
        push: bool = True,
    ) -> CallrSms:
        """Store an SMS the account received and push ``sms.mo`` (unless ``push`` is off).

        Args:
            account: the receiving account.
            sender: the sender's number.
            text: the message.
            to: the receiving number (default the account's number).
            received_at: when it arrived (default now).
            in_reply_to: hash of the outgoing SMS it answers: that SMS's per-SMS webhook
                gets the event too (``hook_hash: null``).
            push: fire the ``sms.mo`` event.
        """
        original = account.find(in_reply_to) if in_reply_to is not None else None
        if in_reply_to is not None and (original is None or original.sms_type != "OUT"):
            raise ValueError(f"no outgoing SMS {in_reply_to!r}")
        moment = received_at or self.clock()
        encoding = detect_encoding(text)
        parts = count_parts(text, encoding)
        sms = CallrSms(
            sms_type="IN",
            hash=self.new_hash(),
            sender=sender,
            to=to or account.number,
            text=text,
            encoding=encoding,
            parts=parts,
            nature="MARKETING",
            customer_mode=account.customer_mode,
            customer_debit=account.in_debit * parts,
            status="RECEIVED",
            created_at=moment,
            updated_at=moment,
            received_at=moment,
            history=[StatusChange("CREATED", "RECEIVED", moment)],
            in_reply_to=in_reply_to,
        )
        account.sms[sms.hash] = sms
        if push:
            self.webhooks.emit(
                account, "sms.mo", self.sms_json(sms), original.webhook if original else None
            )
        return sms

    def set_status(
        self,
        sms: CallrSms,
        status: SmsStatus,
        *,
        status_error: str | None = None,
        at: datetime | None = None,
        push: bool = True,
    ) -> CallrSms:
        """Move an outgoing SMS to a status and push ``sms.mt.status_update``.

        Any status but the current one is allowed, once: a final status (``RECEIVED``,
        ``ERROR``, ``FAILED``, ``EXPIRED``) ends the lifecycle. Reaching ``SENT`` or later sets
        ``date_sent``; ``RECEIVED`` sets ``date_received``. ``status_error`` defaults to a
        text for the error statuses and ``""`` otherwise.
        """
        account = self._owner(sms)
        if sms.sms_type != "OUT":
            raise ValueError("only outgoing SMS change status")
        if status not in STATUSES:
            raise ValueError(f"unknown status {status!r}")
        if sms.is_final or status == sms.status:
            raise ValueError(f"{sms.hash} cannot go from {sms.status} to {status}")
        moment = at or self.clock()
        sms.history.append(StatusChange(sms.status, status, moment))
        sms.status = status
        sms.updated_at = moment
        if status in {"SENT", "REMOTE_QUEUED", "RECEIVED"} and sms.sent_at is None:
            sms.sent_at = moment
        if status == "RECEIVED":
            sms.received_at = moment
        sms.status_error = (
            status_error if status_error is not None else DEFAULT_STATUS_ERRORS.get(status, "")
        )
        if push:
            self.webhooks.emit(account, "sms.mt.status_update", self.sms_json(sms), sms.webhook)
        return sms

    def advance(self, sms: CallrSms, *, at: datetime | None = None, push: bool = True) -> SmsStatus:
        """Move an outgoing SMS one step along CREATED→PENDING→SENT→REMOTE_QUEUED→RECEIVED."""
        if sms.status not in OUT_LIFECYCLE or sms.is_final:
            raise ValueError(f"{sms.hash} is {sms.status}: nothing follows")
        status = OUT_LIFECYCLE[OUT_LIFECYCLE.index(sms.status) + 1]
        self.set_status(sms, status, at=at, push=push)
        return status

    def deliver(self, sms: CallrSms, *, push: bool = True) -> None:
        """Advance an outgoing SMS step by step up to ``RECEIVED`` (one event per step)."""
        while sms.status != "RECEIVED":
            self.advance(sms, push=push)

    def find_sms(self, sms_hash: str) -> CallrSms | None:
        """Return the SMS with a hash, whichever account has it."""
        for account in self.accounts.values():
            sms = account.find(sms_hash)
            if sms is not None:
                return sms
        return None

    def list_sms(
        self, account: CallrAccount, sms_type: SmsType, start: datetime, end: datetime
    ) -> list[CallrSms]:
        """Return an account's SMS of a type whose listed date is in [start, end], oldest first.

        See :attr:`CallrSms.listed_at` for the date used; ties keep the storage order.
        """
        rows = [sms for sms in account.of_type(sms_type) if start <= sms.listed_at <= end]
        return sorted(rows, key=lambda sms: sms.listed_at)

    def sms_json(self, sms: CallrSms) -> dict[str, object]:
        """Return the SMS object as the API serves it under the current variants."""
        return sms_json(
            sms,
            echo_options=self.variants.echo_options,
            legacy_push_fields=self.variants.legacy_push_fields,
        )

    def _owner(self, sms: CallrSms) -> CallrAccount:
        for account in self.accounts.values():
            if account.sms.get(sms.hash) is sms:
                return account
        raise ValueError(f"{sms.hash} belongs to no account of this state")
