"""Run the simulator on a real TCP port (loopback by default)."""

from types import TracebackType
from typing import Self

from aiohttp import web

from .app import WEBHOOKS_KEY, create_app
from .state import SimulatorState

SHUTDOWN_TIMEOUT = 0.5
"""Seconds ``stop`` waits for requests in flight (a ``timeout`` fault may be sleeping)."""


class SimulatorServer:
    """Serve a :class:`SimulatorState` over HTTP; ``port=0`` picks a free port."""

    def __init__(self, state: SimulatorState, host: str = "127.0.0.1", port: int = 0) -> None:
        """Prepare the server; nothing listens before :meth:`start`."""
        self.state = state
        self.host = host
        self.port = port
        self.app = create_app(state)
        self._runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        """Base URL, for example ``http://127.0.0.1:8765``."""
        if self._runner is None:
            raise RuntimeError("the server is not started")
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    async def start(self) -> None:
        """Listen on the host and port given (only that host)."""
        # No access log: request URLs carry the API key in their query string.
        runner = web.AppRunner(
            self.app,
            handler_cancellation=True,
            shutdown_timeout=SHUTDOWN_TIMEOUT,
            access_log=None,
        )
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port)
        await site.start()
        self._runner = runner
        self.port = runner.addresses[0][1]

    async def stop(self) -> None:
        """Stop listening and close open connections and webhook deliveries."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def drain_webhooks(self) -> None:
        """Wait for the webhook deliveries started so far."""
        await self.app[WEBHOOKS_KEY].drain()

    async def __aenter__(self) -> Self:
        """Start on entering an ``async with`` block."""
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Stop on leaving the block."""
        await self.stop()
