"""``python -m smsmobileapi_simulator --provider callr``: the CALLR simulator from the shell."""

import argparse
import asyncio
import random
import sys

from .demo import run_demo_activity, seed_demo
from .model import WEBHOOK_TYPES, CallrAccount
from .server import CallrServer
from .state import CallrState


def build_state(args: argparse.Namespace) -> tuple[CallrState, CallrAccount]:
    """Create the state and the account the arguments describe.

    ``--webhook-url`` subscribes both event types, signed with ``--webhook-secret`` if given.
    """
    state = CallrState(random.Random(args.seed))  # noqa: S311  # demo data, not secrets
    state.record_requests = False
    state.latency = args.latency
    state.control_token = args.control_token
    account = state.add_account(args.login, args.password)
    if args.webhook_url:
        for event_type in WEBHOOK_TYPES:
            state.webhooks.subscribe(
                account, event_type, args.webhook_url, hmac_secret=args.webhook_secret
            )
    if args.demo:
        seed_demo(state, account)
    return state, account


async def serve(args: argparse.Namespace) -> None:
    """Serve until cancelled (Ctrl+C)."""
    state, account = build_state(args)
    server = CallrServer(state, args.host, args.port, base_path=args.base_path)
    await server.start()
    sys.stdout.write(
        f"CALLR simulator on {server.base_url}\n"
        f"Login: {account.login}\nPassword: {account.password}\n"
    )
    sys.stdout.flush()
    try:
        if args.demo:
            await run_demo_activity(state, account)
        else:
            await asyncio.Event().wait()
    finally:
        await server.stop()
