"""Constants, an HTTP helper and a webhook receiver for the CALLR simulator's tests."""

import asyncio
import base64
from collections.abc import Mapping, Sequence
import json
from pathlib import Path
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from smsmobileapi_simulator.callr.app import CALLR_WEBHOOKS_KEY
from tests.simulator.helpers import Answer

LOGIN = "callr-login"
PASSWORD = "callr-password"  # a test credential
BASE = "/rest/v1.1"
FIXTURES = Path(__file__).parents[2] / "fixtures" / "callr"
FIXTURE_SECRET = "callr-fixture-secret"  # the fixtures' HMAC secret
WIDE_WINDOW = {"from": "2000-01-01 00:00:00", "to": "2099-12-31 23:59:59"}


def fixture(name: str) -> Any:  # noqa: ANN401  # tests index freely into decoded JSON
    """Load a shipped CALLR fixture."""
    return json.loads((FIXTURES / name).read_text())


def basic(login: str = LOGIN, password: str = PASSWORD) -> dict[str, str]:
    """The ``Authorization`` header of Basic credentials."""
    token = base64.b64encode(f"{login}:{password}".encode()).decode("ascii")
    return {"Authorization": f"Basic {token}"}


class CallrApi:
    """Calls the simulated CALLR API under ``/rest/v1.1`` with the test account's credentials."""

    def __init__(self, client: TestClient[web.Request, web.Application]) -> None:
        """Wrap an aiohttp test client."""
        self.client = client

    async def get(
        self,
        path: str,
        query: Mapping[str, str] | None = None,
        *,
        headers: dict[str, str] | None = None,
        **params: str,
    ) -> Answer:
        """GET ``/rest/v1.1<path>`` with ``query`` and ``params``; ``headers`` replace the auth."""
        merged = {**(query or {}), **params}
        return await self.request("GET", BASE + path, query=merged, headers=headers)

    async def list(
        self,
        sms_type: str = "IN",
        window: Mapping[str, str] = WIDE_WINDOW,
        *,
        headers: dict[str, str] | None = None,
    ) -> Answer:
        """``GET /sms`` of a type in a window (default: all time)."""
        return await self.get("/sms", {"type": sms_type, **window}, headers=headers)

    async def post(self, path: str, body: object, headers: dict[str, str] | None = None) -> Answer:
        """POST a JSON body to ``/rest/v1.1<path>``."""
        return await self.request("POST", BASE + path, json_body=body, headers=headers)

    async def request(
        self,
        method: str,
        path: str,
        *,
        query: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
        json_body: object = None,
        data: bytes | None = None,
    ) -> Answer:
        """Send any request (Basic credentials unless ``headers`` are given) and read it all."""
        async with self.client.request(
            method,
            path,
            params=query,
            headers=basic() if headers is None else headers,
            json=json_body,
            data=data,
        ) as response:
            return Answer(response.status, response.headers, await response.text())

    async def control(self, method: str, path: str, body: object = None) -> Answer:
        """Call a ``/_sim/`` control route with a JSON body."""
        return await self.request(method, path, json_body=body, headers={})

    async def drain(self) -> None:
        """Wait for the webhook deliveries started so far, retries included."""
        await self.client.app[CALLR_WEBHOOKS_KEY].drain()

    async def send(self, to: str = "+33612345678", body: str = "Hello", **extra: object) -> str:
        """Send an SMS with ``POST /sms`` and return its hash."""
        answer = await self.post("/sms", {"to": to, "from": "SMS", "body": body, **extra})
        assert answer.status == 200, answer.text
        sms_hash: str = answer.json["data"]
        return sms_hash


class Receiver:
    """A loopback webhook receiver answering scripted statuses (then 200) and keeping each POST."""

    def __init__(self, statuses: Sequence[int] = (), delays: Sequence[float] = ()) -> None:
        """Answer ``statuses`` in turn, then 200, after ``delays`` seconds in turn, then none."""
        self.statuses = list(statuses)
        self.delays = list(delays)
        self.received: asyncio.Queue[tuple[dict[str, str], bytes]] = asyncio.Queue()
        self.server = TestServer(self._app(), host="127.0.0.1")

    def _app(self) -> web.Application:
        async def hook(request: web.Request) -> web.Response:
            await self.received.put((dict(request.headers), await request.read()))
            if self.delays:
                await asyncio.sleep(self.delays.pop(0))
            return web.Response(status=self.statuses.pop(0) if self.statuses else 200)

        app = web.Application()
        app.router.add_post("/hook", hook)
        return app

    @property
    def url(self) -> str:
        """The hook URL."""
        return str(self.server.make_url("/hook"))

    async def next(self) -> tuple[dict[str, str], bytes]:
        """Wait for the next delivery."""
        return await asyncio.wait_for(self.received.get(), timeout=5)

    async def next_json(self) -> tuple[dict[str, str], bytes, Any]:
        """Wait for the next delivery and decode its body."""
        headers, body = await self.next()
        return headers, body, json.loads(body)
