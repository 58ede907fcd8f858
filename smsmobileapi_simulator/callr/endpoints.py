"""The four CALLR SMS REST v1.1 endpoints and the authentication in front of them."""

import base64
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
import re

from smsmobileapi_simulator.replies import Reply

from . import replies
from .model import CallrAccount
from .state import CallrState
from .validation import (
    check_body,
    check_recipient,
    check_sender,
    options_from_query,
    read_options,
    value_error,
)

_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}")
_API_KEY_SCHEME = "api-key"


@dataclass(frozen=True, slots=True)
class Call:
    """An authenticated API request as an endpoint sees it.

    ``body`` is the decoded JSON body (``None`` when absent); ``body_is_json`` tells whether
    the body parsed; ``sms_hash`` is the ``<hash>`` of ``GET /sms/<hash>``.
    """

    state: CallrState
    account: CallrAccount
    query: Mapping[str, str]
    body: object
    body_is_json: bool
    sms_hash: str
    now: datetime


type Handler = Callable[[Call], Reply]


@dataclass(frozen=True, slots=True)
class Route:
    """One endpoint: method, path relative to the base path, handler."""

    method: str
    path: str
    handler: Handler

    @property
    def name(self) -> str:
        """``<METHOD> <path>``: the key of recorded requests and statistics."""
        return f"{self.method} {self.path}"


def authenticate(state: CallrState, headers: Mapping[str, str]) -> CallrAccount | Reply:
    """Return the account of a request's ``Authorization``, or the failure answer.

    HTTP Basic ``login:password``; also ``Api-Key <key>`` with the ``accept_api_key``
    variant. A blocked account gets 403 ``FORBIDDEN``.
    """
    authorization = headers.get("Authorization", "")
    scheme, _, value = authorization.partition(" ")
    account: CallrAccount | None = None
    if scheme.lower() == "basic":
        credentials = basic_credentials(value)
        if credentials is not None:
            account = state.authenticate(*credentials)
    elif scheme.lower() == _API_KEY_SCHEME and state.variants.accept_api_key:
        account = state.account_for_api_key(value.strip())
    if account is None:
        return replies.auth_failure(state.variants)
    if account.blocked:
        return replies.forbidden(state.variants)
    return account


def basic_credentials(token: str) -> tuple[str, str] | None:
    """Decode the ``login:password`` of a Basic token (UTF-8, else Latin-1); ``None`` if bad."""
    try:
        decoded = base64.b64decode(token.strip(), validate=True)
    except ValueError:
        return None
    try:
        text = decoded.decode()
    except UnicodeDecodeError:
        text = decoded.decode("latin-1")
    login, colon, password = text.partition(":")
    return (login, password) if colon else None


def list_sms(call: Call) -> Reply:
    """``GET /sms?type=IN|OUT&from=&to=``: the SMS of a type in a UTC window (bounds included)."""
    variants = call.state.variants
    sms_type = call.query.get("type")
    if sms_type not in {"IN", "OUT"}:
        return replies.error(variants, 400, value_error("type"))
    start = _parse_datetime(call.query.get("from"))
    if start is None:
        return replies.error(variants, 400, "INVALID_PARAM_FORMAT [from]")
    end = _parse_datetime(call.query.get("to"))
    if end is None:
        return replies.error(variants, 400, "INVALID_PARAM_FORMAT [to]")
    if end < start:
        return replies.error(variants, 400, "TO_BEFORE_FROM")
    rows = call.state.list_sms(call.account, "IN" if sms_type == "IN" else "OUT", start, end)
    if variants.list_newest_first:
        rows.reverse()
    if variants.list_row_cap is not None:
        rows = rows[: variants.list_row_cap]
    return replies.success([call.state.sms_json(sms) for sms in rows])


def send_json(call: Call) -> Reply:
    """``POST /sms`` with ``{"to", "from", "body", "options"}``: the new SMS's hash."""
    if not call.body_is_json or not isinstance(call.body, dict):
        return replies.error(
            call.state.variants,
            400,
            replies.JSON_PARSE_ERROR,
            jsonrpc_code=replies.JSONRPC_PARSE_ERROR,
        )
    body: dict[str, object] = call.body
    return _send(call, body.get("to"), body.get("from"), body.get("body"), body.get("options"))


def send_query(call: Call) -> Reply:
    """``GET /sms/send?to=&from=&body=&options.key=value``: the same as ``POST /sms``."""
    query = call.query
    options = options_from_query(query)
    return _send(call, query.get("to"), query.get("from"), query.get("body"), options)


def get_sms(call: Call) -> Reply:
    """``GET /sms/<hash>``: one SMS object; an unknown hash is ``PROPERTY_VALUE_ERROR [id]``."""
    sms = call.account.find(call.sms_hash)
    if sms is None:
        variants = call.state.variants
        return replies.error(variants, variants.unknown_hash_status, value_error("id"))
    return replies.success(call.state.sms_json(sms))


def _send(call: Call, to: object, sender: object, body: object, raw_options: object) -> Reply:
    """Check the parameters (recipient, sender, body, then options) and store the SMS."""
    variants = call.state.variants
    problem = check_recipient(to) or check_sender(sender) or check_body(body)
    options, options_problem = read_options(raw_options)
    if problem is None and variants.strict_options:
        problem = options_problem
    if problem is not None:
        return replies.error(variants, 400, problem)
    sms = call.state.send_sms(
        call.account, str(to), str(body), sender=str(sender or ""), options=options, at=call.now
    )
    return replies.success(sms.hash)


def _parse_datetime(value: str | None) -> datetime | None:
    """Parse a strict UTC ``YYYY-MM-DD HH:MM:SS``; ``None`` when absent or not one."""
    if value is None or not _DATETIME.fullmatch(value):
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
    except ValueError:
        return None


ROUTES: tuple[Route, ...] = (
    Route("GET", "/sms", list_sms),
    Route("POST", "/sms", send_json),
    Route("GET", "/sms/send", send_query),  # before /sms/{hash}, which would match "send"
    Route("GET", "/sms/{hash}", get_sms),
)
