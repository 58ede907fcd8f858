"""Control routes of the CALLR simulator under ``/_sim/``: drive it from other processes.

They are not part of the simulated API: never recorded, never faulted. When
``state.control_token`` is set, each call needs the header ``X-Sim-Token``. The account is
the ``login`` member (or query parameter), else the first account.
"""

from collections.abc import Awaitable, Callable
import secrets

from aiohttp import web

from smsmobileapi_simulator.control import ControlError, Payload, fault_from_payload, read_payload

from .control_settings import policy_json, set_policy, set_variants, variants_json
from .model import DEFAULT_NUMBER, WEBHOOK_TYPES, CallrAccount, CallrRequest, WebhookType
from .sms import STATUSES, CallrSms, SmsStatus
from .state import CallrState

type ControlHandler = Callable[[web.Request, Payload], Awaitable[web.Response]]
_STATUSES: dict[str, SmsStatus] = {name: name for name in STATUSES}
_WEBHOOK_TYPES: dict[str, WebhookType] = {name: name for name in WEBHOOK_TYPES}
_SMS_TYPES = frozenset({"IN", "OUT"})


class CallrControlApi:
    """Handlers of the CALLR control routes for one state."""

    def __init__(self, state: CallrState) -> None:
        """Bind to a state."""
        self.state = state

    def routes(self) -> list[web.RouteDef]:
        """Return the route definitions to add to the application."""
        guard = self._guard
        return [
            web.post("/_sim/account", guard(self.add_account)),
            web.patch("/_sim/account", guard(self.update_account)),
            web.post("/_sim/rotate_password", guard(self.rotate_password)),
            web.post("/_sim/incoming", guard(self.add_incoming)),
            web.get("/_sim/sms", guard(self.list_sms)),
            web.post("/_sim/sms/{hash}/status", guard(self.set_status)),
            web.post("/_sim/sms/{hash}/advance", guard(self.advance)),
            web.post("/_sim/webhooks", guard(self.subscribe)),
            web.get("/_sim/webhooks", guard(self.list_webhooks)),
            web.delete("/_sim/webhooks/{hook_hash}", guard(self.unsubscribe)),
            web.get("/_sim/deliveries", guard(self.deliveries)),
            web.patch("/_sim/webhook_policy", guard(self.webhook_policy)),
            web.patch("/_sim/variants", guard(self.variants)),
            web.post("/_sim/fault", guard(self.add_fault)),
            web.delete("/_sim/faults", guard(self.clear_faults)),
            web.get("/_sim/requests", guard(self.requests)),
            web.delete("/_sim/requests", guard(self.clear_requests)),
            web.get("/_sim/stats", guard(self.stats)),
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
            except ValueError as err:
                return web.json_response({"error": str(err)}, status=400)

        return run

    def _account(self, request: web.Request, payload: Payload) -> CallrAccount:
        login = payload.opt_text("login") or request.query.get("login")
        state = self.state
        account = state.default_account() if login is None else state.accounts.get(login)
        if account is None:
            raise ControlError("no such account", status=404)
        return account

    def _sms(self, request: web.Request, payload: Payload) -> CallrSms:
        sms = self._account(request, payload).find(request.match_info["hash"])
        if sms is None:
            raise ControlError("no such SMS", status=404)
        return sms

    # Accounts

    async def add_account(self, _request: web.Request, payload: Payload) -> web.Response:
        """``POST /_sim/account``: ``login``, ``password``, optional ``api_key`` and ``number``."""
        account = self.state.add_account(
            payload.text("login"),
            payload.text("password"),
            api_key=payload.opt_text("api_key"),
            number=payload.opt_text("number") or DEFAULT_NUMBER,
        )
        return web.json_response({"login": account.login, "number": account.number}, status=201)

    async def update_account(self, request: web.Request, payload: Payload) -> web.Response:
        """``PATCH /_sim/account``: ``blocked`` (403 ``FORBIDDEN`` on every request)."""
        account = self._account(request, payload)
        blocked = payload.opt_bool("blocked")
        if blocked is not None:
            account.blocked = blocked
        return web.json_response({"login": account.login, "blocked": account.blocked})

    async def rotate_password(self, request: web.Request, payload: Payload) -> web.Response:
        """``POST /_sim/rotate_password``: a new password (``password``, or a random one)."""
        account = self._account(request, payload)
        password = self.state.rotate_password(account, payload.opt_text("password"))
        return web.json_response({"login": account.login, "password": password})

    # SMS

    async def add_incoming(self, request: web.Request, payload: Payload) -> web.Response:
        """``POST /_sim/incoming``: ``from``, ``text``; ``to``, ``received_at``, ``in_reply_to``.

        Pushes ``sms.mo`` unless ``push`` is false.
        """
        push = payload.opt_bool("push")
        sms = self.state.add_incoming(
            self._account(request, payload),
            payload.text("from"),
            payload.text("text"),
            to=payload.opt_text("to"),
            received_at=payload.opt_datetime("received_at"),
            in_reply_to=payload.opt_text("in_reply_to"),
            push=push is not False,
        )
        return web.json_response(self.state.sms_json(sms), status=201)

    async def list_sms(self, request: web.Request, payload: Payload) -> web.Response:
        """``GET /_sim/sms?type=OUT``: the account's SMS objects (both types without ``type``)."""
        account = self._account(request, payload)
        sms_type = request.query.get("type")
        if sms_type is not None and sms_type not in _SMS_TYPES:
            raise ControlError("type must be IN or OUT")
        rows = [sms for sms in account.sms.values() if sms_type in {None, sms.sms_type}]
        return web.json_response([self.state.sms_json(sms) for sms in rows])

    async def set_status(self, request: web.Request, payload: Payload) -> web.Response:
        """``POST /_sim/sms/{hash}/status``: ``status``; ``status_error``, ``at``, ``push``.

        Pushes ``sms.mt.status_update`` unless ``push`` is false.
        """
        status = _STATUSES.get(payload.text("status"))
        if status is None:
            raise ControlError(f"status must be one of {list(STATUSES)}")
        push = payload.opt_bool("push")
        sms = self.state.set_status(
            self._sms(request, payload),
            status,
            status_error=payload.opt_text("status_error"),
            at=payload.opt_datetime("at"),
            push=push is not False,
        )
        return web.json_response(self.state.sms_json(sms))

    async def advance(self, request: web.Request, payload: Payload) -> web.Response:
        """``POST /_sim/sms/{hash}/advance``: one step along the normal lifecycle."""
        sms = self._sms(request, payload)
        self.state.advance(sms)
        return web.json_response(self.state.sms_json(sms))

    # Webhooks

    async def subscribe(self, request: web.Request, payload: Payload) -> web.Response:
        """``POST /_sim/webhooks``: ``type``, ``endpoint``, ``options.hmac_secret``/``hmac_algo``.

        The arguments of JSON-RPC ``webhooks.subscribe``.
        """
        event_type = _WEBHOOK_TYPES.get(payload.text("type"))
        if event_type is None:
            raise ControlError(f"type must be one of {list(WEBHOOK_TYPES)}")
        options = payload.data.get("options") or {}
        if not isinstance(options, dict):
            raise ControlError("options must be an object")
        hook_options = Payload(options)
        hook = self.state.webhooks.subscribe(
            self._account(request, payload),
            event_type,
            payload.text("endpoint"),
            hmac_secret=hook_options.opt_text("hmac_secret"),
            hmac_algo=hook_options.opt_text("hmac_algo") or "SHA256",
        )
        return web.json_response(_hook_json(hook.hash, hook.type, hook.endpoint), status=201)

    async def list_webhooks(self, request: web.Request, payload: Payload) -> web.Response:
        """``GET /_sim/webhooks``: the account's subscriptions (secrets left out)."""
        hooks = self._account(request, payload).webhooks.values()
        return web.json_response(
            [_hook_json(hook.hash, hook.type, hook.endpoint) for hook in hooks]
        )

    async def unsubscribe(self, request: web.Request, payload: Payload) -> web.Response:
        """``DELETE /_sim/webhooks/{hook_hash}``."""
        account = self._account(request, payload)
        if not self.state.webhooks.unsubscribe(account, request.match_info["hook_hash"]):
            raise ControlError("no such webhook", status=404)
        return web.Response(status=204)

    async def deliveries(self, _request: web.Request, _payload: Payload) -> web.Response:
        """``GET /_sim/deliveries``: the outcome of every webhook POST, in order."""
        return web.json_response(
            [
                {
                    "event_id": item.event_id,
                    "type": item.event_type,
                    "url": item.url,
                    "hook_hash": item.hook_hash,
                    "try": item.try_number,
                    "status": item.status,
                    "error": item.error,
                    "duplicate": item.duplicate,
                    "bad_signature": item.bad_signature,
                }
                for item in self.state.webhooks.deliveries
            ]
        )

    async def webhook_policy(self, _request: web.Request, payload: Payload) -> web.Response:
        """``PATCH /_sim/webhook_policy``: retries, backoff, timeout, forced faults."""
        set_policy(self.state.webhooks, payload)
        return web.json_response(policy_json(self.state.webhooks.policy))

    # Variants, faults, observation

    async def variants(self, _request: web.Request, payload: Payload) -> web.Response:
        """``PATCH /_sim/variants``: choose wire variants (the members of ``CallrVariants``)."""
        set_variants(self.state.variants, payload)
        return web.json_response(variants_json(self.state.variants))

    async def add_fault(self, _request: web.Request, payload: Payload) -> web.Response:
        """``POST /_sim/fault``: plan a fault; ``path`` like ``/sms/{hash}`` or ``GET /sms``."""
        fault = self.state.faults.add(fault_from_payload(payload))
        body = {"kind": fault.kind, "path": fault.path, "times": fault.times}
        return web.json_response(body, status=201)

    async def clear_faults(self, _request: web.Request, _payload: Payload) -> web.Response:
        """``DELETE /_sim/faults``: drop every planned fault."""
        self.state.faults.clear()
        return web.Response(status=204)

    async def requests(self, _request: web.Request, _payload: Payload) -> web.Response:
        """``GET /_sim/requests``: every recorded API request, in order."""
        return web.json_response([_request_json(item) for item in self.state.requests])

    async def clear_requests(self, _request: web.Request, _payload: Payload) -> web.Response:
        """``DELETE /_sim/requests``: forget the recorded requests."""
        self.state.requests.clear()
        return web.Response(status=204)

    async def stats(self, _request: web.Request, _payload: Payload) -> web.Response:
        """``GET /_sim/stats``: request counts and body bytes sent per route."""
        routes = {
            route: {"requests": stats.requests, "bytes_sent": stats.bytes_sent}
            for route, stats in sorted(self.state.stats.items())
        }
        return web.json_response(
            {
                "routes": routes,
                "total_requests": self.state.total_requests,
                "total_bytes_sent": self.state.total_bytes_sent,
            }
        )


def _hook_json(hook_hash: str, event_type: str, endpoint: str) -> dict[str, object]:
    return {"hash": hook_hash, "type": event_type, "endpoint": endpoint}


def _request_json(request: CallrRequest) -> dict[str, object]:
    return {
        "method": request.method,
        "path": request.path,
        "route": request.route,
        "query": request.query,
        "json": request.json,
        "headers": request.headers,
    }
