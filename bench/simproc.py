"""A simulator in its own process, for the figures whose answers are large.

``python -m bench.simproc --provider smsmobileapi|callr`` serves the simulator on 127.0.0.1 (a free
port) and prints its base URL on the first line. Besides the simulator's own control routes
(``/_sim/...``) it takes the bench's:

* ``POST /_bench/seed`` ``{"count": N, "spacing": seconds, "calls": n}``: N received SMS, one
  ``spacing`` apart, the newest now (and ``n`` calls, SMSMobileAPI only);
* ``POST /_bench/sms`` ``{"count": n, "number": ..., "message": ...}``: n SMS received now (the
  number and text get the SMS's index when n > 1), never pushed; the answer lists, for each,
  its ``guid`` and what a push of it carries (SMSMobileAPI: ``v2`` the data of a Webhook V2
  ``sms.received`` event and ``legacy`` the legacy body; CALLR: ``sms``, the SMS object);
* ``GET /_bench/stats``: ``{path: [requests, body bytes]}`` of the API answers so far.

Why a process: the simulator's own work for a list of 100 000 SMS (building and encoding 18 MiB
of JSON, about 0.4 s) would otherwise run in Home Assistant's event loop and count as its stall.
The real service is on another machine.
"""

from __future__ import annotations

import argparse
import asyncio
from datetime import timedelta
import random
import sys
from typing import Any

from aiohttp import web

from smsmobileapi_simulator import SimulatorServer, SimulatorState, build_legacy_body
from smsmobileapi_simulator.callr import CallrServer, CallrState
from smsmobileapi_simulator.state import CallType
from smsmobileapi_simulator.webhooks import sms_event_data

API_KEY = "bench-api-key-0123456789abcdef"
CALLR_LOGIN = "bench-callr"
CALLR_PASSWORD = "bench-callr-password"  # noqa: S105 - the simulator's, not a secret
PHONE_SID = "bench-phone"
CALL_KINDS: tuple[CallType, ...] = ("missed", "incoming", "outgoing")


def _numbered(body: dict[str, Any]) -> list[tuple[str, str]]:
    """The (number, message) of each SMS a ``/_bench/sms`` request asks for."""
    count = int(body.get("count", 1))
    number, message = str(body["number"]), str(body["message"])
    if count == 1:
        return [(number, message)]
    return [(f"{number[:-4]}{index % 9973:04d}", f"{message} {index}") for index in range(count)]


def _smsmobileapi(seed: int) -> tuple[SimulatorServer, list[web.RouteDef]]:
    state = SimulatorState(rng=random.Random(seed))  # noqa: S311 - simulated data
    state.record_requests = False
    account = state.add_account(API_KEY)
    state.add_phone(account, PHONE_SID, label="Bench phone")

    async def seed_route(request: web.Request) -> web.Response:
        body = await request.json()
        count, spacing = int(body["count"]), float(body.get("spacing", 1.0))
        batch = state.add_received_bulk(account, count)
        now = state.clock()
        for index, sms in enumerate(batch):
            sms.received_at = now - timedelta(seconds=spacing * (count - 1 - index))
        for index in range(int(body.get("calls", 0))):
            state.add_call(account, CALL_KINDS[index % 3], f"+32470000{index:03d}")
        return web.json_response({"count": count})

    async def sms_route(request: web.Request) -> web.Response:
        body = await request.json()
        rows = []
        for number, message in _numbered(body):
            sms = state.add_received_sms(account, number, message)
            rows.append(
                {
                    "guid": sms.guid,
                    "v2": sms_event_data(sms),
                    "legacy": build_legacy_body(sms).decode(),
                }
            )
        return web.json_response(rows)

    async def stats_route(_request: web.Request) -> web.Response:
        return web.json_response(
            {path: [s.requests, s.bytes_sent] for path, s in state.stats.items()}
        )

    routes = [
        web.post("/_bench/seed", seed_route),
        web.post("/_bench/sms", sms_route),
        web.get("/_bench/stats", stats_route),
    ]
    return SimulatorServer(state, host="127.0.0.1", port=0), routes


def _callr(seed: int) -> tuple[CallrServer, list[web.RouteDef]]:
    state = CallrState(random.Random(seed))  # noqa: S311 - simulated data
    state.record_requests = False
    account = state.add_account(CALLR_LOGIN, CALLR_PASSWORD)

    async def seed_route(request: web.Request) -> web.Response:
        body = await request.json()
        count, spacing = int(body["count"]), float(body.get("spacing", 1.0))
        now = state.now()
        for index in range(count):
            state.add_incoming(
                account,
                f"+3361{index % 97:07d}",
                f"Bulk message {index + 1}",
                received_at=now - timedelta(seconds=spacing * (count - 1 - index)),
                push=False,
            )
        return web.json_response({"count": count})

    async def sms_route(request: web.Request) -> web.Response:
        body = await request.json()
        rows = []
        for number, message in _numbered(body):
            sms = state.add_incoming(account, number, message, push=False)
            rows.append({"guid": sms.hash, "sms": state.sms_json(sms)})
        return web.json_response(rows)

    async def stats_route(_request: web.Request) -> web.Response:
        return web.json_response(
            {route: [s.requests, s.bytes_sent] for route, s in state.stats.items()}
        )

    routes = [
        web.post("/_bench/seed", seed_route),
        web.post("/_bench/sms", sms_route),
        web.get("/_bench/stats", stats_route),
    ]
    return CallrServer(state, host="127.0.0.1", port=0), routes


async def serve(provider: str, seed: int) -> None:
    """Serve until stdin closes (the parent ended) or the process is told to stop."""
    server: SimulatorServer | CallrServer
    server, routes = _callr(seed) if provider == "callr" else _smsmobileapi(seed)
    server.app.router.add_routes(routes)
    await server.start()
    url = server.base_url if isinstance(server, CallrServer) else server.url
    sys.stdout.write(url + "\n")
    sys.stdout.flush()
    loop = asyncio.get_running_loop()
    try:
        # The parent holds our stdin: when it goes, so do we.
        await loop.run_in_executor(None, sys.stdin.read)
    finally:
        await server.stop()


def main() -> None:
    """Parse the command line and serve."""
    parser = argparse.ArgumentParser(prog="python -m bench.simproc")
    parser.add_argument("--provider", choices=("smsmobileapi", "callr"), default="smsmobileapi")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    asyncio.run(serve(args.provider, args.seed))


if __name__ == "__main__":
    main()
