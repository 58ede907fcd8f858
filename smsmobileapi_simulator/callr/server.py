"""Run the CALLR simulator on a real TCP port (loopback by default)."""

from types import TracebackType
from typing import Self

from aiohttp import web

from .app import CALLR_WEBHOOKS_KEY, DEFAULT_BASE_PATH, create_callr_app, normalize_base_path
from .state import CallrState

SHUTDOWN_TIMEOUT = 0.5
"""Seconds ``stop`` waits for requests in flight (a ``timeout`` fault may be sleeping)."""


class CallrServer:
    """Serve a :class:`CallrState` over HTTP; ``port=0`` picks a free port."""

    def __init__(
        self,
        state: CallrState,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        base_path: str = DEFAULT_BASE_PATH,
        unprefixed: bool = True,
    ) -> None:
        """Prepare the server; nothing listens before :meth:`start`."""
        self.state = state
        self.host = host
        self.port = port
        self.base_path = normalize_base_path(base_path)
        self.app = create_callr_app(state, self.base_path, unprefixed=unprefixed)
        self._runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        """Root URL, for example ``http://127.0.0.1:8766`` (control routes: ``/_sim/...``)."""
        if self._runner is None:
            raise RuntimeError("the server is not started")
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def base_url(self) -> str:
        """The API's base URL, for example ``http://127.0.0.1:8766/rest/v1.1``."""
        return self.url + self.base_path

    async def start(self) -> None:
        """Listen on the host and port given (only that host)."""
        # No access log, like the SMSMobileAPI simulator (request lines carry numbers and texts).
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
        """Stop listening, close open connections and cancel webhook deliveries."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def drain_webhooks(self) -> None:
        """Wait for the webhook deliveries started so far, retries included."""
        await self.app[CALLR_WEBHOOKS_KEY].drain()

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
