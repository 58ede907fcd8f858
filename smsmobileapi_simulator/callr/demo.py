"""CALLR demo data: some history, then an incoming SMS and status updates every 20 to 40 s."""

import asyncio
from datetime import timedelta

from .model import CallrAccount
from .sms import OUT_LIFECYCLE
from .state import CallrState

CONTACTS = ("+33612345678", "+33698765432", "+32470112233", "+447700900123")
MESSAGES = (
    "Are you home tonight?",
    "The parcel has been delivered.",
    "Call me back when you can.",
    "Meeting moved to 3 pm.",
    "Don't forget the milk!",
    "Running 10 minutes late.",
)
SENT_MESSAGES = (
    "Alarm: front door opened",
    "Washing machine finished",
    "Garage door left open",
)
MIN_INTERVAL = 20.0
MAX_INTERVAL = 40.0
FAILURE_CHANCE = 0.1
"""Chance that a tick ends an outgoing SMS in ``FAILED`` instead of advancing it."""


def seed_demo(state: CallrState, account: CallrAccount) -> None:
    """Give an account a few received SMS and delivered SMS of the last day (no webhooks)."""
    now = state.now()
    rng = state.rng
    for index in range(5):
        state.add_incoming(
            account,
            rng.choice(CONTACTS),
            rng.choice(MESSAGES),
            received_at=now - timedelta(hours=4 * (5 - index), minutes=rng.randrange(60)),
            push=False,
        )
    for index, text in enumerate(SENT_MESSAGES):
        created = now - timedelta(hours=6 * (3 - index))
        sms = state.send_sms(account, CONTACTS[index], text, sender="SMS", at=created)
        for step, status in enumerate(OUT_LIFECYCLE[1:], start=1):
            state.set_status(sms, status, at=created + timedelta(seconds=2 * step), push=False)


def demo_tick(state: CallrState, account: CallrAccount) -> None:
    """One step of live activity: a new incoming SMS; each outgoing SMS in flight moves on."""
    rng = state.rng
    state.add_incoming(account, rng.choice(CONTACTS), rng.choice(MESSAGES))
    for sms in account.outgoing:
        if sms.is_final:
            continue
        if sms.status != "CREATED" and rng.random() < FAILURE_CHANCE:
            state.set_status(sms, "FAILED")
        else:
            state.advance(sms)


async def run_demo_activity(state: CallrState, account: CallrAccount) -> None:
    """Run :func:`demo_tick` every 20 to 40 seconds, forever."""
    while True:
        await asyncio.sleep(state.rng.uniform(MIN_INTERVAL, MAX_INTERVAL))
        demo_tick(state, account)
