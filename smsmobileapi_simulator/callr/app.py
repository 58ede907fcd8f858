"""The CALLR aiohttp application: API routes under a base path, faults, control routes, webhooks."""

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
import json

from aiohttp import web

from smsmobileapi_simulator.faults import truncate
from smsmobileapi_simulator.replies import Reply
from smsmobileapi_simulator.transport import reset_connection, stream_slowly, to_response

from .control import CallrControlApi
from .endpoints import ROUTES, Call, Route, authenticate
from .model import CallrRequest
from .replies import fault_reply
from .state import CallrState
from .webhooks import CallrWebhookPusher

DEFAULT_BASE_PATH = "/rest/v1.1"
"""Where CALLR serves SMS REST v1.1: a client's base URL is ``http://host:port/rest/v1.1``."""
CALLR_STATE_KEY = web.AppKey("callr_state", CallrState)
CALLR_WEBHOOKS_KEY = web.AppKey("callr_webhooks", CallrWebhookPusher)

type RouteHandler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def normalize_base_path(base_path: str) -> str:
    """Return ``/segment/...`` without a trailing slash; ``""`` for the root."""
    stripped = base_path.strip("/")
    return f"/{stripped}" if stripped else ""


def create_callr_app(
    state: CallrState, base_path: str = DEFAULT_BASE_PATH, *, unprefixed: bool = True
) -> web.Application:
    """Build the CALLR simulator application around a state.

    Args:
        state: what the service knows.
        base_path: where the four endpoints live (``/rest/v1.1/sms`` and so on).
        unprefixed: also serve them at the root (``/sms``), for clients configured without
            the prefix. Statistics and faults do not tell the two apart.
    """
    app = web.Application()
    app[CALLR_STATE_KEY] = state
    prefix = normalize_base_path(base_path)
    prefixes = dict.fromkeys((prefix, "") if unprefixed else (prefix,))
    for current in prefixes:
        for route in ROUTES:
            app.router.add_route(route.method, current + route.path, _api_handler(state, route))
    app.router.add_routes(CallrControlApi(state).routes())
    app.cleanup_ctx.append(_webhook_context)
    return app


async def _webhook_context(app: web.Application) -> AsyncIterator[None]:
    pusher = CallrWebhookPusher(app[CALLR_STATE_KEY])
    await pusher.start()
    app[CALLR_WEBHOOKS_KEY] = pusher
    yield
    await pusher.close()


def _api_handler(state: CallrState, route: Route) -> RouteHandler:
    async def handle(request: web.Request) -> web.StreamResponse:
        return await _serve(state, route, request)

    return handle


async def _serve(state: CallrState, route: Route, request: web.Request) -> web.StreamResponse:
    """Record, delay, inject the planned fault and answer one API request."""
    raw = await request.read()
    body, body_is_json = _decode_json(raw)
    query = dict(request.query.items())
    headers = dict(request.headers)
    state.record(CallrRequest(request.method, request.path, route.name, query, body, headers, raw))
    if state.latency > 0:
        await asyncio.sleep(state.latency)
    fault = state.take_fault(route.method, route.path)
    if fault is not None and fault.kind == "reset":
        state.count(route.name, 0)
        return reset_connection(request)
    if fault is not None and fault.kind == "timeout":
        await asyncio.sleep(fault.delay)
    reply = fault_reply(fault, state.variants) if fault is not None else None
    if reply is None:
        reply = _answer(state, route, request, query, (body, body_is_json))
    if fault is not None and fault.kind == "truncated":
        reply = truncate(reply)
    state.count(route.name, len(reply.body))
    if fault is not None and fault.kind == "slow_body":
        return await stream_slowly(request, reply, fault)
    return to_response(reply)


def _answer(
    state: CallrState,
    route: Route,
    request: web.Request,
    query: dict[str, str],
    json_body: tuple[object, bool],
) -> Reply:
    """Authenticate, then run the endpoint."""
    outcome = authenticate(state, request.headers)
    if isinstance(outcome, Reply):
        return outcome
    sms_hash = request.match_info.get("hash", "")
    call = Call(state, outcome, query, *json_body, sms_hash, state.now())
    return route.handler(call)


def _decode_json(raw: bytes) -> tuple[object, bool]:
    """Return the decoded body and whether it was JSON (an empty body is not)."""
    if not raw:
        return None, False
    try:
        return json.loads(raw), True
    except ValueError:
        return None, False
