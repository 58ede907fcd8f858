"""Command line: ``python -m smsmobileapi_simulator --port 8765 --api-key demo-key --demo``.

``--provider callr`` serves CALLR's SMS REST API instead (``--login``, ``--password``).
"""

import argparse
import asyncio
from collections.abc import Sequence
import contextlib
import random
import sys

from .callr import cli as callr_cli
from .demo import run_demo_activity, seed_demo
from .server import SimulatorServer
from .state import Account, SimulatorState, WebhookTarget


def build_parser() -> argparse.ArgumentParser:
    """Return the command-line parser."""
    parser = argparse.ArgumentParser(
        prog="python -m smsmobileapi_simulator",
        description="Local simulator of the SMSMobileAPI REST API (or of CALLR's).",
    )
    parser.add_argument("--provider", choices=("smsmobileapi", "callr"), default="smsmobileapi")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (only this one)")
    parser.add_argument("--port", type=int, default=8765, help="0 picks a free port")
    parser.add_argument("--api-key", default="demo-key")
    parser.add_argument("--client-id", help="OAuth2 client id (with --client-secret)")
    parser.add_argument("--client-secret", help="OAuth2 client secret")
    parser.add_argument("--demo", action="store_true", help="seed demo data and live activity")
    parser.add_argument("--seed", type=int, help="random seed for reproducible data")
    parser.add_argument("--webhook-url", help="push received SMS and calls to this URL")
    parser.add_argument("--webhook-format", choices=("legacy", "v2"), default="legacy")
    parser.add_argument("--webhook-secret", help="Webhook V2 (CALLR: HMAC) signing secret")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added to answers")
    parser.add_argument("--control-token", help="require X-Sim-Token on /_sim/ routes")
    parser.add_argument("--login", default="demo", help="CALLR: HTTP Basic login")
    parser.add_argument("--password", default="demo-password", help="CALLR: HTTP Basic password")
    parser.add_argument("--base-path", default="/rest/v1.1", help="CALLR: where the API lives")
    return parser


def build_state(args: argparse.Namespace) -> tuple[SimulatorState, Account]:
    """Create the state and the account the arguments describe."""
    state = SimulatorState(random.Random(args.seed))  # noqa: S311  # demo data, not secrets
    state.record_requests = False
    state.latency = args.latency
    state.control_token = args.control_token
    account = state.add_account(args.api_key, args.client_id, args.client_secret)
    if args.webhook_url:
        state.webhook = WebhookTarget(args.webhook_url, args.webhook_format, args.webhook_secret)
    if args.demo:
        seed_demo(state, account)
    return state, account


async def serve(args: argparse.Namespace) -> None:
    """Serve until cancelled (Ctrl+C)."""
    state, account = build_state(args)
    server = SimulatorServer(state, args.host, args.port)
    await server.start()
    sys.stdout.write(f"SMSMobileAPI simulator on {server.url}\nAPI key: {account.api_key}\n")
    sys.stdout.flush()
    try:
        if args.demo:
            await run_demo_activity(state, account)
        else:
            await asyncio.Event().wait()
    finally:
        await server.stop()


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the arguments and run the server; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.webhook_format == "v2" and args.webhook_url and not args.webhook_secret:
        parser.error("--webhook-format v2 needs --webhook-secret")
    if (args.client_id is None) != (args.client_secret is None):
        parser.error("--client-id and --client-secret go together")
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(callr_cli.serve(args) if args.provider == "callr" else serve(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
