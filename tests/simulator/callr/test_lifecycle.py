"""The outgoing SMS lifecycle, its history and dates, and the webhook events it creates."""

from datetime import timedelta
import random

import pytest

from smsmobileapi_simulator.callr import CallrAccount, CallrState, DynamicWebhook, SendOptions
from smsmobileapi_simulator.callr.state import HASH_ALPHABET
from tests.simulator.helpers import NOW, Clock


def test_normal_lifecycle(state: CallrState, account: CallrAccount, clock: Clock) -> None:
    """CREATED→PENDING→SENT→REMOTE_QUEUED→RECEIVED, one history entry and event per step."""
    state.webhooks.subscribe(account, "sms.mt.status_update", "http://127.0.0.1:9/dlr")
    sms = state.send_sms(account, "+33612345678", "x")
    assert (sms.status, sms.history, sms.sent_at, sms.received_at) == ("CREATED", [], None, None)
    steps = []
    for seconds in (1, 2, 3, 4):
        clock.advance(seconds=seconds)
        steps.append(state.advance(sms))
    assert steps == ["PENDING", "SENT", "REMOTE_QUEUED", "RECEIVED"]
    served = state.sms_json(sms)
    assert served["status_history"] == [
        {"old_status": "CREATED", "new_status": "PENDING", "updated_at": "2026-09-23 12:00:01.000"},
        {"old_status": "PENDING", "new_status": "SENT", "updated_at": "2026-09-23 12:00:03.000"},
        {
            "old_status": "SENT",
            "new_status": "REMOTE_QUEUED",
            "updated_at": "2026-09-23 12:00:06.000",
        },
        {
            "old_status": "REMOTE_QUEUED",
            "new_status": "RECEIVED",
            "updated_at": "2026-09-23 12:00:10.000",
        },
    ]
    assert (served["date_creation"], served["date_sent"], served["date_received"]) == (
        "2026-09-23 12:00:00",
        "2026-09-23 12:00:03",
        "2026-09-23 12:00:10",
    )
    assert served["date_update"] == "2026-09-23 12:00:10"
    events = state.webhooks.events
    assert [event.data["status"] for event in events] == steps
    assert {event.event_type for event in events} == {"sms.mt.status_update"}
    assert len({event.event_id for event in events}) == 4
    with pytest.raises(ValueError, match="nothing follows"):
        state.advance(sms)


@pytest.mark.parametrize(
    ("status", "error"),
    [("ERROR", "REJECTED"), ("FAILED", "DELIVERY_FAILED"), ("EXPIRED", "VALIDITY_EXPIRED")],
)
def test_error_endings(state: CallrState, account: CallrAccount, status: str, error: str) -> None:
    """Error statuses end the lifecycle with a default ``status_error``; no ``date_received``."""
    sms = state.send_sms(account, "+33612345678", "x")
    state.advance(sms)
    state.set_status(sms, status)  # type: ignore[arg-type]
    assert (sms.status, sms.status_error, sms.received_at, sms.is_final) == (
        status,
        error,
        None,
        True,
    )
    with pytest.raises(ValueError, match="cannot go"):
        state.set_status(sms, "SENT")


def test_explicit_status_error_and_jump(state: CallrState, account: CallrAccount) -> None:
    """A chosen ``status_error`` is kept; jumping to RECEIVED sets both dates."""
    failed = state.send_sms(account, "+33612345678", "x")
    state.set_status(failed, "FAILED", status_error="ABSENT_SUBSCRIBER")
    assert failed.status_error == "ABSENT_SUBSCRIBER"
    jumped = state.send_sms(account, "+33612345678", "y")
    state.set_status(jumped, "RECEIVED", at=NOW + timedelta(seconds=5))
    assert jumped.sent_at == jumped.received_at == NOW + timedelta(seconds=5)
    assert jumped.status_error == ""


def test_invalid_changes(state: CallrState, account: CallrAccount) -> None:
    """Same status, unknown status, incoming SMS or a foreign SMS are refused."""
    sms = state.send_sms(account, "+33612345678", "x")
    with pytest.raises(ValueError, match="cannot go"):
        state.set_status(sms, "CREATED")
    with pytest.raises(ValueError, match="unknown status"):
        state.set_status(sms, "LOST")  # type: ignore[arg-type]
    incoming = state.add_incoming(account, "+1", "x")
    with pytest.raises(ValueError, match="only outgoing"):
        state.set_status(incoming, "SENT")
    with pytest.raises(ValueError, match="nothing follows"):
        state.advance(incoming)
    stranger = CallrState().add_account("x", "y")
    foreign = CallrState().send_sms(stranger, "+33612345678", "x")
    with pytest.raises(ValueError, match="no account"):
        state.set_status(foreign, "PENDING")


def test_deliver_and_quiet_changes(state: CallrState, account: CallrAccount) -> None:
    """``deliver`` walks to RECEIVED; ``push=False`` creates no events."""
    state.webhooks.subscribe(account, "sms.mt.status_update", "http://127.0.0.1:9/dlr")
    sms = state.send_sms(account, "+33612345678", "x")
    state.deliver(sms, push=False)
    assert [change.new_status for change in sms.history] == [
        "PENDING",
        "SENT",
        "REMOTE_QUEUED",
        "RECEIVED",
    ]
    assert state.webhooks.events == []
    state.add_incoming(account, "+1", "quiet", push=False)
    assert state.webhooks.events == []


def test_incoming_events(state: CallrState, account: CallrAccount) -> None:
    """``sms.mo`` goes to every sms.mo subscription, and to the per-SMS webhook of a replied SMS."""
    first = state.webhooks.subscribe(account, "sms.mo", "http://127.0.0.1:9/a", hmac_secret="s")
    second = state.webhooks.subscribe(account, "sms.mo", "http://127.0.0.1:9/b")
    state.webhooks.subscribe(account, "sms.mt.status_update", "http://127.0.0.1:9/c")
    state.add_incoming(account, "+33612345678", "hi")
    assert [(event.hook_hash, event.url, event.hmac_secret) for event in state.webhooks.events] == [
        (first.hash, "http://127.0.0.1:9/a", "s"),
        (second.hash, "http://127.0.0.1:9/b", None),
    ]
    assert state.webhooks.unsubscribe(account, second.hash)
    assert not state.webhooks.unsubscribe(account, second.hash)
    sent = state.send_sms(
        account,
        "+33612345678",
        "Reply YES",
        options=SendOptions(webhook=DynamicWebhook("http://127.0.0.1:9/d", "k")),
    )
    reply = state.add_incoming(account, "+33612345678", "YES", in_reply_to=sent.hash)
    assert reply.in_reply_to == sent.hash
    assert [(event.hook_hash, event.url) for event in state.webhooks.events[2:]] == [
        (first.hash, "http://127.0.0.1:9/a"),
        (None, "http://127.0.0.1:9/d"),
    ]
    with pytest.raises(ValueError, match="no outgoing SMS"):
        state.add_incoming(account, "+1", "x", in_reply_to=reply.hash)
    with pytest.raises(ValueError, match="no outgoing SMS"):
        state.add_incoming(account, "+1", "x", in_reply_to="NOTAHASH")


def test_events_snapshot_the_sms(state: CallrState, account: CallrAccount) -> None:
    """An event's data is the SMS as it was then, not as it is later."""
    state.webhooks.subscribe(account, "sms.mt.status_update", "http://127.0.0.1:9/dlr")
    sms = state.send_sms(account, "+33612345678", "x")
    state.advance(sms)
    state.advance(sms)
    assert [event.data["status"] for event in state.webhooks.events] == ["PENDING", "SENT"]
    assert len(state.webhooks.events[0].data["status_history"]) == 1  # type: ignore[arg-type]


def test_subscription_checks(state: CallrState, account: CallrAccount) -> None:
    """Unknown event types and algorithms are refused; an empty secret means none."""
    with pytest.raises(ValueError, match="webhook type"):
        state.webhooks.subscribe(account, "call.missed", "http://h")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="hmac_algo"):
        state.webhooks.subscribe(account, "sms.mo", "http://h", hmac_algo="MD5")
    hook = state.webhooks.subscribe(account, "sms.mo", "http://h", hmac_secret="")
    assert hook.hmac_secret is None
    assert hook.hmac_algo == "SHA256"


def test_identifiers_repeat_with_the_seed(account: CallrAccount, clock: Clock) -> None:
    """The same seed gives the same hashes and event ids; hashes never repeat."""

    def run() -> list[str]:
        sim = CallrState(random.Random(7))  # noqa: S311
        sim.clock = clock
        owner = sim.add_account("a", "b")
        sim.webhooks.subscribe(owner, "sms.mo", "http://h")
        sms = sim.add_incoming(owner, "+1", "x")
        return [sms.hash, sim.webhooks.events[0].event_id]

    first, again = run(), run()
    assert first == again
    assert len(first[1]) == 32
    sim = CallrState(random.Random(1))  # noqa: S311
    hashes = {sim.new_hash() for _ in range(2000)}
    assert len(hashes) == 2000
    upcoming = random.Random()  # noqa: S311
    upcoming.setstate(sim.rng.getstate())
    taken = "".join(upcoming.choice(HASH_ALPHABET) for _ in range(8))
    sim._hashes.add(taken)  # the next draw collides: a new one is drawn
    fresh = sim.new_hash()
    assert fresh != taken
    assert len(fresh) == 8
    assert sim.now() <= sim.clock()


def test_find_and_networks(state: CallrState, account: CallrAccount) -> None:
    """``find_sms`` searches every account; the network follows the recipient's country."""
    other = state.add_account("other", "pw")
    sms = state.send_sms(other, "+32470112233", "x")
    assert state.find_sms(sms.hash) is sms
    assert state.find_sms("ZZZZZZZZ") is None
    assert sms.network == "20601"
    assert state.send_sms(account, "+61412345678", "x").network == ""
