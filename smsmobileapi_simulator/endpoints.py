"""Endpoint descriptions and the authentication step shared by all API endpoints."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from .replies import (
    Reply,
    bad_request,
    invalid_sms_param,
    json_reply,
    missing_sms_param,
    success_error,
    text_reply,
)
from .state import Account, SimulatorState

type Family = Literal["sms", "getsms", "success", "call", "missed_call"]
"""How an endpoint family reports authentication errors.

``sms``: SMS endpoints; ``getsms``: ``/getsms/`` (may answer HTTP 200); ``success``:
gateway and conversation endpoints (``{"success": false, ...}``); ``call``: incoming and
outgoing call lists; ``missed_call``: the missed-call list (may answer free text).
"""
type AuthFailure = Literal["missing", "invalid", "expired"]
type Params = Mapping[str, str]


@dataclass(frozen=True, slots=True)
class ApiRequest:
    """What an endpoint sees of a request: merged query and form parameters and headers."""

    state: SimulatorState
    params: Params
    headers: Mapping[str, str]
    now: datetime
    forced_failure: AuthFailure | None = None


@dataclass(frozen=True, slots=True)
class Ctx:
    """An authenticated request: the state, the account, the parameters and the time."""

    state: SimulatorState
    account: Account
    params: Params
    now: datetime


type Handler = Callable[[ApiRequest], Reply]
type AccountHandler = Callable[[Ctx], Reply]


@dataclass(frozen=True, slots=True)
class Endpoint:
    """One API route: canonical path (trailing slash), allowed methods and handler."""

    path: str
    methods: tuple[str, ...]
    handler: Handler


class Checks:
    """The parameter problems of one request, and the answer they get.

    The docs and the vendor's code show few refusals: a missing required parameter
    (``missing_param``, answered at once), and on ``/sendsms/`` a value outside what the
    OpenAPI file declares, both answered HTTP 400 with the OpenAPI error model
    (``bad_request``). Everything else the simulator used to refuse
    (``missing_<name>``/``invalid_<name>`` codes inside ``result`` with HTTP 200,
    ``nothing_to_send``, ``invalid_sort_by``...) is invented: by default such a value is
    ignored (the filter dropped, the default used), and only ``Variants.invented_param_errors``
    answers it, with the first problem of the request, as before.
    """

    def __init__(self, state: SimulatorState) -> None:
        """Collect the problems of a request to ``state``'s simulated service."""
        self._invented = state.variants.invented_param_errors
        self._problems: list[tuple[Reply, Reply | None]] = []

    def invalid(self, name: str, detail: str, *, documented: bool = False) -> None:
        """A value the docs restrict (``documented``) or that only the invention refuses."""
        self._problems.append(
            (invalid_sms_param(name, detail), bad_request(name) if documented else None)
        )

    def invented(self, reply: Reply) -> None:
        """A refusal no vendor source shows."""
        self._problems.append((reply, None))

    def answer(self) -> Reply | None:
        """The refusal to answer, or ``None`` when the request goes on."""
        if self._invented:
            return self._problems[0][0] if self._problems else None
        return next((reply for _, reply in self._problems if reply is not None), None)


def missing_param(state: SimulatorState, name: str) -> Reply:
    """Answer a parameter the docs mark required, absent or empty (see ``Checks``)."""
    if state.variants.invented_param_errors:
        return missing_sms_param(name)
    return bad_request(name)


def opt(params: Params, name: str) -> str | None:
    """Return a parameter's stripped value, or ``None`` when absent or empty."""
    value = params.get(name, "").strip()
    return value or None


def authenticated(family: Family) -> Callable[[AccountHandler], Handler]:
    """Wrap a handler so it runs only for a valid, unexpired account.

    The account comes from ``Authorization: Bearer <token>`` when present, else from the
    ``apikey`` parameter; failures answer in the family's documented error shape.
    """

    def decorate(handler: AccountHandler) -> Handler:
        def run(request: ApiRequest) -> Reply:
            apikey_only = family in {"call", "missed_call"} and (
                request.state.variants.call_endpoints_apikey_only
            )
            outcome = _authenticate(request, bearer=not apikey_only)
            if isinstance(outcome, Reply):
                return outcome
            if isinstance(outcome, Account):
                return handler(Ctx(request.state, outcome, request.params, request.now))
            return auth_error(family, outcome, request.state)

        return run

    return decorate


def _authenticate(request: ApiRequest, *, bearer: bool) -> Account | AuthFailure | Reply:
    """The account of a request: its bearer token (unless ``bearer`` is off), else its key."""
    state = request.state
    authorization = request.headers.get("Authorization", "")
    scheme, _, token = authorization.partition(" ")
    if bearer and scheme.lower() == "bearer":
        account = state.account_for_token(token.strip())
        if account is None:
            return json_reply(
                {"error": "invalid_token", "message": "The access token is invalid or expired."},
                status=401,
            )
    else:
        api_key = opt(request.params, "apikey")
        if api_key is None:
            return "missing"
        account = state.accounts.get(api_key)
    if request.forced_failure is not None:
        return request.forced_failure
    if account is None:
        return "invalid"
    if account.expired:
        return "expired"
    return account


def auth_error(family: Family, failure: AuthFailure, state: SimulatorState) -> Reply:
    """Answer an authentication failure in the shape of an endpoint family."""
    match family:
        case "missed_call" if failure == "missing" and state.variants.missed_calls_text_errors:
            return text_reply("Missing apikey")
        case "call" | "missed_call":
            return _call_auth_error(failure)
        case "success":
            return _success_auth_error(failure)
        case "getsms" if state.variants.getsms_auth_error_http200:
            return _sms_auth_error(failure, http200=True)
        case _:
            return _sms_auth_error(failure, http200=False)


def _call_auth_error(failure: AuthFailure) -> Reply:
    if failure == "missing":
        return success_error("missing_apikey", status=400)
    if failure == "invalid":
        return success_error("invalid_apikey", status=403)
    return success_error("api_expired", status=403)


def _success_auth_error(failure: AuthFailure) -> Reply:
    if failure == "missing":
        return success_error("Missing required parameter: apikey", status=400)
    if failure == "invalid":
        return success_error("Invalid apikey", status=403)
    return success_error("Subscription expired", status=403)


def _sms_auth_error(failure: AuthFailure, *, http200: bool) -> Reply:
    """SMS family: ``http200`` is the reported ``/getsms/`` behaviour, else the OpenAPI model."""
    if failure == "expired":
        payload = {"result": {"error": "subscription_expire", "message": "Subscription expired"}}
        return json_reply(payload, status=200 if http200 else 403)
    if http200:
        return json_reply({"result": {"error": 1, "message": "unauthorized"}})
    if failure == "missing":
        return json_reply(
            {"error": "missing_apikey", "message": "Missing required parameter: apikey"},
            status=400,
        )
    return json_reply({"error": 1, "message": "Unauthorized"}, status=403)
