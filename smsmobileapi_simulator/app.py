"""The aiohttp application: API routes, fault injection, control routes and webhooks."""

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable

from aiohttp import web

from . import (
    api_calls,
    api_conversation,
    api_gateway,
    api_inbox,
    api_oauth,
    api_send,
    api_whatsapp,
)
from .control import ControlApi
from .endpoints import ApiRequest, AuthFailure, Endpoint
from .faults import encode, truncate
from .state import RecordedRequest, SimulatorState
from .transport import break_http, reset_connection, stream_slowly, to_response
from .webhooks import WebhookPusher

ENDPOINTS: tuple[Endpoint, ...] = (
    *api_send.ENDPOINTS,
    *api_inbox.ENDPOINTS,
    *api_conversation.ENDPOINTS,
    *api_gateway.ENDPOINTS,
    *api_calls.ENDPOINTS,
    *api_oauth.ENDPOINTS,
    *api_whatsapp.ENDPOINTS,
)
STATE_KEY = web.AppKey("state", SimulatorState)
WEBHOOKS_KEY = web.AppKey("webhooks", WebhookPusher)
_FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})
_FORCED_FAILURES: dict[str, AuthFailure] = {"expired": "expired", "invalid_key": "invalid"}

type RouteHandler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def create_app(state: SimulatorState) -> web.Application:
    """Build the simulator application around a state."""
    app = web.Application()
    app[STATE_KEY] = state
    for endpoint in ENDPOINTS:
        handler = _api_handler(state, endpoint)
        for path in (endpoint.path, endpoint.path.rstrip("/")):
            for method in endpoint.methods:
                app.router.add_route(method, path, handler)
    app.router.add_routes(ControlApi(state).routes())
    app.cleanup_ctx.append(_webhook_context)
    return app


async def _webhook_context(app: web.Application) -> AsyncIterator[None]:
    pusher = WebhookPusher(app[STATE_KEY])
    await pusher.start()
    app[WEBHOOKS_KEY] = pusher
    yield
    await pusher.close()


def _api_handler(state: SimulatorState, endpoint: Endpoint) -> RouteHandler:
    async def handle(request: web.Request) -> web.StreamResponse:
        state.begin(endpoint.path)
        try:
            return await _serve(state, endpoint, request)
        finally:
            state.end(endpoint.path)

    return handle


async def _serve(
    state: SimulatorState, endpoint: Endpoint, request: web.Request
) -> web.StreamResponse:
    """Record, delay, inject the planned fault and answer one API request."""
    query = dict(request.query.items())
    form = await _read_form(request)
    state.record(RecordedRequest(request.method, request.path, query, form, dict(request.headers)))
    if state.latency > 0:
        await asyncio.sleep(state.latency)
    fault = state.faults.take(endpoint.path)
    if fault is not None and fault.kind in {"reset", "bad_http"}:
        state.count(endpoint.path, 0)
        return reset_connection(request) if fault.kind == "reset" else break_http(request)
    if fault is not None and fault.kind == "timeout":
        await asyncio.sleep(fault.delay)
    reply = fault.canned_reply() if fault is not None else None
    if fault is not None and fault.kind == "redirect":
        reply = fault.redirect_reply(str(request.rel_url))
    if reply is None:
        forced = _FORCED_FAILURES.get(fault.kind) if fault is not None else None
        api_request = ApiRequest(state, query | form, request.headers, state.clock(), forced)
        reply = endpoint.handler(api_request)
    if fault is not None and fault.kind == "truncated":
        reply = truncate(reply)
    if fault is not None:
        reply = encode(reply, fault.content_encoding)
    state.count(endpoint.path, len(reply.body))
    if fault is not None and fault.kind == "slow_body":
        return await stream_slowly(request, reply, fault)
    return to_response(reply)


async def _read_form(request: web.Request) -> dict[str, str]:
    if request.method != "POST" or request.content_type not in _FORM_TYPES:
        return {}
    data = await request.post()
    return {key: value for key, value in data.items() if isinstance(value, str)}
