"""The ledger: identity-keyed, bounded in size and age, cursors only move forward."""

from datetime import UTC, datetime, timedelta

import pytest

from custom_components.smsmobileapi.ledger import MAX_CLOCK_SKEW, Ledger, LedgerFormatError

T0 = datetime(2026, 9, 23, 12, 0, tzinfo=UTC)


def _seen(ledger: Ledger, source: str, identity: str) -> bool:
    """Whether the ledger keeps an identity, read from what it would save."""
    return f"{source}\x1f{identity}" in {key for key, _ in ledger.as_dict()["seen"]}


def test_add_is_new_once() -> None:
    """An identity is new once per source; the same identity in another source is distinct."""
    ledger = Ledger()
    assert ledger.as_dict() == {"seen": [], "cursors": {}, "since": {}, "read": []}
    assert ledger.add("sms", "A", T0)
    assert not ledger.add("sms", "A", T0 + timedelta(hours=1))
    assert ledger.add("event", "A", T0)
    assert _seen(ledger, "sms", "A")
    assert not _seen(ledger, "sms", "B")
    assert len(ledger) == 2


def test_cursor_never_moves_back() -> None:
    """A cursor only advances."""
    ledger = Ledger()
    assert ledger.cursor("sms") is None
    ledger.advance("sms", T0, now=T0 + timedelta(days=365))
    ledger.advance("sms", T0 - timedelta(minutes=5), now=T0 + timedelta(days=365))
    assert ledger.cursor("sms") == T0
    ledger.advance("sms", T0 + timedelta(minutes=5), now=T0 + timedelta(days=365))
    assert ledger.cursor("sms") == T0 + timedelta(minutes=5)


def test_size_bound_evicts_oldest() -> None:
    """Past the bound, the oldest identities go first."""
    ledger = Ledger(max_entries=10)
    for hours in (5, 0, 7, 3, 1, 9, 2, 8, 6, 4, 10, 11):
        ledger.add("sms", f"k{hours}", T0 + timedelta(hours=hours))
    # 11 fit (10 plus a tenth); the 12th addition evicts down to 10, the two oldest first.
    assert len(ledger) == 10
    assert not _seen(ledger, "sms", "k0")
    assert not _seen(ledger, "sms", "k1")
    assert all(_seen(ledger, "sms", f"k{hours}") for hours in range(2, 12))


def test_items_a_poll_may_read_again_are_never_evicted() -> None:
    """A burst inside the re-read window outgrows the bound rather than lose its identities."""
    ledger = Ledger(max_entries=10, protect={"missed": timedelta(days=2)})
    for index in range(40):
        ledger.add("sms", f"burst{index}", T0 + timedelta(seconds=index))
    ledger.advance("sms", T0 + timedelta(seconds=39), now=T0 + timedelta(days=365))
    assert all(_seen(ledger, "sms", f"burst{index}") for index in range(40))
    # Missed calls are re-read for two days; other sources for thirty minutes.
    ledger.add("missed", "old-call", T0 - timedelta(days=1))
    ledger.add("missed", "new-call", T0)
    for index in range(20):
        ledger.add("event", f"e{index}", T0 - timedelta(hours=2) + timedelta(seconds=index))
    for index in range(3):
        ledger.add("event", f"fresh{index}", T0)
    assert _seen(ledger, "missed", "old-call")
    assert _seen(ledger, "event", "fresh2")
    assert not _seen(ledger, "event", "e0")


def test_hard_limit() -> None:
    """Even a protected burst stops at ten times the bound."""
    ledger = Ledger(max_entries=10)
    for index in range(150):
        ledger.add("sms", f"x{index}", T0 + timedelta(seconds=index))
    assert len(ledger) <= 100 + 10
    assert _seen(ledger, "sms", "x149")


def test_prune_by_age_counts_from_a_quiet_source_cursor() -> None:
    """Old items go, except near the cursor of a source that has been quiet for long."""
    ledger = Ledger(max_age=timedelta(days=2))
    ledger.add("sms", "old", T0 - timedelta(days=10))
    ledger.add("sms", "newest", T0 - timedelta(days=5))
    ledger.advance("sms", T0 - timedelta(days=5), now=T0 + timedelta(days=365))
    ledger.add("event", "e-old", T0 - timedelta(days=3))
    ledger.add("event", "e-new", T0 - timedelta(hours=1))
    ledger.prune(T0)
    assert not _seen(ledger, "sms", "old")
    assert _seen(ledger, "sms", "newest")  # still re-read by the overlap window: must stay known
    assert not _seen(ledger, "event", "e-old")
    assert _seen(ledger, "event", "e-new")


def test_round_trip() -> None:
    """What is saved loads back, trimmed to the bound by the load itself."""
    ledger = Ledger()
    ledger.add("sms", "A", T0)
    ledger.advance("sms", T0, now=T0)
    restored = Ledger()
    restored.load(ledger.as_dict(), now=T0)
    assert _seen(restored, "sms", "A")
    assert restored.cursor("sms") == T0
    small = Ledger(max_entries=1)
    small.load(
        {
            "seen": [["sms\x1fA", T0.timestamp() - 3600], ["sms\x1fB", T0.timestamp()]],
            "cursors": {},
        },
        now=T0,
    )
    assert len(small) == 1
    assert _seen(small, "sms", "B")


@pytest.mark.parametrize(
    "data",
    [
        None,
        [],
        {"cursors": {}},
        {"seen": {}, "cursors": {}},
        {"seen": [], "cursors": []},
        {"seen": ["junk"], "cursors": {}},
        {"seen": [[1, 2]], "cursors": {}},
        {"seen": [["sms\x1fA"]], "cursors": {}},
        {"seen": [["sms\x1fA", "y"]], "cursors": {}},
        {"seen": [["sms\x1fA", True]], "cursors": {}},
        {"seen": [["sms\x1fA", float("nan")]], "cursors": {}},
        {"seen": [["sms\x1fA", 1e300]], "cursors": {}},
        {"seen": [["sms\x1fA", 5]], "cursors": {}},
        {"seen": [], "cursors": {"sms": "x"}},
        {"seen": [], "cursors": {"sms": None}},
        {"seen": [], "cursors": {"sms": T0.timestamp() + 86400}},
        {"seen": [], "cursors": {}, "since": []},
        {"seen": [], "cursors": {}, "read": {}},
        {"seen": [], "cursors": {}, "read": [1]},
        {"seen": [], "cursors": {}, "since": {"sms": "x"}},
        {"seen": [], "cursors": {}, "since": {"sms": T0.timestamp() + 86400}},
        {"seen": [], "cursors": {}, "read": [str(n) for n in range(65)]},
    ],
    ids=[
        "null",
        "list",
        "no_seen",
        "seen_object",
        "cursors_list",
        "row_text",
        "row_numbers",
        "row_short",
        "time_text",
        "time_bool",
        "time_nan",
        "time_absurd",
        "time_1970",
        "cursor_text",
        "cursor_null",
        "cursor_future",
        "since_list",
        "read_object",
        "read_number",
        "since_text",
        "since_future",
        "read_flood",
    ],
)
def test_unusable_data_is_refused_whole(data: object) -> None:
    """Any unusable part refuses the whole file (the inbox then starts afresh, silently)."""
    ledger = Ledger()
    ledger.add("sms", "kept", T0)
    with pytest.raises(LedgerFormatError):
        ledger.load(data, now=T0)
    assert _seen(ledger, "sms", "kept")


def test_cursor_never_passes_now_plus_skew() -> None:
    """An item dated a year ahead moves the cursor only to now plus the clock skew."""
    ledger = Ledger()
    ledger.advance("sms", T0 + timedelta(days=365), now=T0)
    assert ledger.cursor("sms") == T0 + MAX_CLOCK_SKEW
    # Normal items after it still move the cursor once they are newer than that limit.
    ledger.advance("sms", T0 + timedelta(minutes=1), now=T0 + timedelta(minutes=1))
    assert ledger.cursor("sms") == T0 + MAX_CLOCK_SKEW
    ledger.advance("sms", T0 + timedelta(minutes=8), now=T0 + timedelta(minutes=8))
    assert ledger.cursor("sms") == T0 + timedelta(minutes=8)


def test_bounded_storage_size() -> None:
    """However many messages pass (one every ten seconds here), the stored ledger stays small."""
    ledger = Ledger()
    for index in range(100_000):
        at = T0 + timedelta(seconds=10 * index)
        ledger.add("sms", f"{index:08X}-DEAD-BEEF-CAFE-0123456789AB", at)
        ledger.advance("sms", at, now=T0 + timedelta(days=365))
    assert 5000 <= len(ledger) <= 5500
    import json  # noqa: PLC0415

    assert len(json.dumps(ledger.as_dict())) < 1024 * 1024


def test_a_source_begun_later_has_history_until_its_first_read() -> None:
    """Begun after the first sync: older items are history until the source was read once."""
    ledger = Ledger()
    assert ledger.since("whatsapp") is None
    assert ledger.history_until("whatsapp") is None
    ledger.begin("whatsapp", T0)
    ledger.begin("whatsapp", T0 + timedelta(hours=1))  # already wanted: unchanged
    assert ledger.since("whatsapp") == T0
    assert ledger.history_until("whatsapp") == T0
    assert ledger.mark_read("whatsapp") is True
    assert ledger.mark_read("whatsapp") is False  # read before: nothing new to save
    # Read once: nothing is history any more; polls still start from when it was wanted.
    assert ledger.history_until("whatsapp") is None
    assert ledger.since("whatsapp") == T0
    # A source with a cursor (read before) is never begun again.
    ledger.advance("sms", T0, now=T0)
    ledger.begin("sms", T0 + timedelta(days=1))
    assert ledger.since("sms") is None


def test_sources_begun_and_read_survive_a_restart() -> None:
    """``since`` and ``read`` are saved; a file without them (older) reads cursors as read."""
    ledger = Ledger()
    ledger.begin("whatsapp", T0)
    ledger.begin("missed", T0)
    ledger.mark_read("missed")
    restored = Ledger()
    restored.load(ledger.as_dict(), now=T0)
    assert restored.history_until("whatsapp") == T0
    assert restored.history_until("missed") is None
    assert restored.since("missed") == T0
    older = Ledger()
    older.load({"seen": [], "cursors": {"incoming": T0.timestamp()}}, now=T0)
    older.begin("incoming", T0 + timedelta(hours=1))
    assert older.history_until("incoming") is None


def test_items_of_one_source() -> None:
    """The identities of one source with their times, not those of another."""
    ledger = Ledger()
    ledger.add("sms", "A", T0)
    ledger.add("sms", "B", T0 + timedelta(minutes=1))
    ledger.add("event", "A", T0)
    assert ledger.items("sms") == {"A": T0, "B": T0 + timedelta(minutes=1)}
    assert ledger.items("missed") == {}
