"""Constants and a small HTTP helper for the simulator's tests."""

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
import json
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestClient
from multidict import CIMultiDictProxy

API_KEY = "sim-test-key"
CLIENT_ID = "sim-client"
CLIENT_SECRET = "sim-secret"  # a test credential
NOW = datetime(2026, 9, 23, 12, 0, 0, tzinfo=UTC)


class Clock:
    """A settable clock for ``SimulatorState.clock``."""

    def __init__(self, now: datetime) -> None:
        """Start at ``now``."""
        self.now = now

    def __call__(self) -> datetime:
        """Return the current fake time."""
        return self.now

    def advance(self, **delta: float) -> None:
        """Move forward, for example ``advance(seconds=10)``."""
        self.now += timedelta(**delta)


@dataclass(frozen=True)
class Answer:
    """Status, headers and body of one response."""

    status: int
    headers: CIMultiDictProxy[str]
    text: str

    @property
    def json(self) -> Any:  # noqa: ANN401  # tests index freely into decoded JSON
        """The body decoded as JSON."""
        return json.loads(self.text)


class Api:
    """Calls the simulator, adding ``apikey=API_KEY`` unless given (``None`` omits it)."""

    def __init__(self, client: TestClient[web.Request, web.Application]) -> None:
        """Wrap an aiohttp test client."""
        self.client = client

    async def get(self, path: str, **params: str | None) -> Answer:
        """GET with query parameters."""
        return await self.request("GET", path, query=_with_key(params))

    async def post(self, path: str, **form: str | None) -> Answer:
        """POST a form-encoded body."""
        return await self.request("POST", path, form=_with_key(form))

    async def request(
        self,
        method: str,
        path: str,
        *,
        query: dict[str, str] | None = None,
        form: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
        json_body: object = None,
    ) -> Answer:
        """Send any request and read the whole answer."""
        async with self.client.request(
            method, path, params=query, data=form, headers=headers, json=json_body
        ) as response:
            return Answer(response.status, response.headers, await response.text())


async def wait_until(predicate: Callable[[], bool]) -> None:
    """Poll until ``predicate`` holds (5 s at most): background tasks offer no event to wait on."""
    async with asyncio.timeout(5):
        while not predicate():  # noqa: ASYNC110  # nothing to await but the condition itself
            await asyncio.sleep(0.01)


def _with_key(params: dict[str, str | None]) -> dict[str, str]:
    merged = {"apikey": API_KEY, **params}
    return {key: value for key, value in merged.items() if value is not None}
