"""Demo data: two phones, some history, then live activity every 20 to 40 seconds."""

import asyncio
from datetime import timedelta

from .state import Account, CallType, SimulatorState

KITCHEN_SID = "kitchen-phone"
OFFICE_SID = "office-phone"
CONTACTS = (
    ("+32470112233", "Alice Martin"),
    ("+32478445566", "Bruno Peeters"),
    ("+32471998877", "Chloe Dubois"),
    ("+32496123123", None),
)
MESSAGES = (
    "Are you home tonight?",
    "The parcel has been delivered.",
    "Call me back when you can.",
    "Your verification code is 482913.",
    "Meeting moved to 3 pm.",
    "Don't forget the milk!",
    "Running 10 minutes late.",
    "Happy birthday!",
)
MIN_INTERVAL = 20.0
MAX_INTERVAL = 40.0
MISSED_CALL_CHANCE = 0.3


def seed_demo(state: SimulatorState, account: Account) -> None:
    """Give an account two phones, a few received SMS, calls and sent SMS."""
    now = state.clock()
    rng = state.rng
    state.add_phone(
        account, KITCHEN_SID, label="Kitchen phone", battery=82, phone_number="+32470000001"
    )
    state.add_phone(
        account, OFFICE_SID, label="Office phone", battery=45, phone_number="+32470000002"
    )
    for index in range(6):
        number, name = rng.choice(CONTACTS)
        state.add_received_sms(
            account,
            number,
            rng.choice(MESSAGES),
            received_at=now - timedelta(hours=6 * (6 - index), minutes=rng.randrange(60)),
            sid=rng.choice((KITCHEN_SID, OFFICE_SID)),
            alias=name,
            read=index < 3,
        )
    call_types: tuple[CallType, ...] = ("missed", "incoming", "outgoing")
    for index in range(9):
        number, name = CONTACTS[index % len(CONTACTS)]
        call_type = call_types[index % 3]
        state.add_call(
            account,
            call_type,
            number,
            name=name,
            at=now - timedelta(hours=5 * (9 - index), minutes=rng.randrange(60)),
            duration=0 if call_type == "missed" else rng.randrange(20, 900),
            sid=OFFICE_SID,
            geo_location="Belgique",
        )
    for index in range(2):
        number, _name = CONTACTS[index]
        state.add_sent_sms(
            account,
            recipients=number,
            message="Thanks, noted!",
            created_at=now - timedelta(hours=3 * (index + 1)),
            sid=KITCHEN_SID,
        )
    for index in range(3):
        number, _name = CONTACTS[index]
        state.add_sent_from_mobile(
            account, number, rng.choice(MESSAGES), sent_at=now - timedelta(hours=10 * (index + 1))
        )


def demo_tick(state: SimulatorState, account: Account) -> None:
    """One step of live activity: a new SMS, maybe a missed call, battery drift."""
    rng = state.rng
    number, name = rng.choice(CONTACTS)
    sid = rng.choice(list(account.phones) or [""])
    state.add_received_sms(account, number, rng.choice(MESSAGES), sid=sid, push=True)
    if rng.random() < MISSED_CALL_CHANCE:
        state.add_call(account, "missed", number, name=name, sid=sid, push=True)
    now = state.clock()
    for phone in account.phones.values():
        phone.battery = min(100, max(5, phone.battery + rng.randint(-3, 2)))
        if phone.online:
            phone.last_seen = now


async def run_demo_activity(state: SimulatorState, account: Account) -> None:
    """Run :func:`demo_tick` every 20 to 40 seconds, forever."""
    while True:
        await asyncio.sleep(state.rng.uniform(MIN_INTERVAL, MAX_INTERVAL))
        demo_tick(state, account)
