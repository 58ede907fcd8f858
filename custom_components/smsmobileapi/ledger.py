"""The record of what was already seen, and how far each source has been read.

Keyed on identity (an SMS GUID, a webhook event id, a call's number and time), never on content: two
identical texts are two messages. Bounded in size and in age, so it stays small however large the
inbox grows, but never at the cost of exactly-once: an item a poll may still read again (it is
within its source's protected window, counted back from the source's newest item) is only ever
evicted past a hard limit ten times the normal bound.

A source a poll begins to read after the entry's first sync (an option turned on later, call logs
refused until then) has history of its own: ``begin`` notes when it became wanted (where its polls
start until it has a cursor), and until its first read is done (``mark_read``) its older items are
history, recorded without firing.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
import heapq
import math
from operator import itemgetter
from typing import Any

DEFAULT_MAX_ENTRIES = 5000
# Longer than any re-read window (the sync overlap) and than the webhook's retry horizon.
DEFAULT_MAX_AGE = timedelta(days=2)
# Items this close to their source's newest one may be read again: keep them.
DEFAULT_PROTECT = timedelta(minutes=30)
HARD_LIMIT_FACTOR = 10
# A cursor never passes now by more than this: an item dated in the future (a phone with a wrong
# clock) must not move it where no later item would be read again.
MAX_CLOCK_SKEW = timedelta(minutes=5)
# Sources are a handful (SMS, three call logs, WhatsApp, webhook events): more is a bad file.
_MAX_SOURCES = 64
# Saved times before this are nonsense (the services did not exist).
_EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)


class LedgerFormatError(ValueError):
    """Saved ledger data that cannot be trusted."""


class Ledger:
    """Seen identities with their time, and a cursor per source.

    Holds about ``max_entries`` identities (evicted in batches, oldest unprotected first).
    """

    def __init__(
        self,
        *,
        max_entries: int = DEFAULT_MAX_ENTRIES,
        max_age: timedelta = DEFAULT_MAX_AGE,
        protect: Mapping[str, timedelta] | None = None,
    ) -> None:
        """Keep about ``max_entries`` identities, none older than ``max_age``.

        ``protect`` gives sources a protected window other than ``DEFAULT_PROTECT``.
        """
        self._seen: dict[str, datetime] = {}
        self._cursors: dict[str, datetime] = {}
        # When sources became wanted (after the first sync); sources read at least once.
        self._since: dict[str, datetime] = {}
        self._read: set[str] = set()
        self._newest: dict[str, datetime] = {}
        self._max_entries = max_entries
        self._max_age = max_age
        self._protect = dict(protect or {})
        self._next_check = max_entries + max_entries // 10

    def __len__(self) -> int:
        """Count the identities kept."""
        return len(self._seen)

    def knows(self, source: str, identity: str) -> bool:
        """Whether an item of ``source`` was recorded."""
        return f"{source}\x1f{identity}" in self._seen

    def add(self, source: str, identity: str, at: datetime) -> bool:
        """Record an item of ``source``; True when it is new, False when it was seen before."""
        key = f"{source}\x1f{identity}"
        if key in self._seen:
            return False
        self._seen[key] = at
        newest = self._newest.get(source)
        if newest is None or at > newest:
            self._newest[source] = at
        # Evict in batches (a tenth of the bound at a time): one sort per many additions.
        if len(self._seen) > self._next_check:
            self._evict()
        return True

    def cursor(self, source: str) -> datetime | None:
        """Time of the newest item read from ``source``."""
        return self._cursors.get(source)

    def items(self, source: str) -> dict[str, datetime]:
        """The identities of ``source`` kept, with their time."""
        prefix = f"{source}\x1f"
        return {
            key.removeprefix(prefix): at for key, at in self._seen.items() if key.startswith(prefix)
        }

    def begin(self, source: str, now: datetime) -> None:
        """``source`` is wanted from ``now`` on, unless it was already (or was read before)."""
        if source not in self._read and source not in self._cursors:
            self._since.setdefault(source, now)

    def mark_read(self, source: str) -> bool:
        """A read of ``source`` is done: its items fire from now on, whatever their time.

        True when this is its first read (something to save).
        """
        if source in self._read:
            return False
        self._read.add(source)
        return True

    def since(self, source: str) -> datetime | None:
        """When ``source`` became wanted after the first sync (None: with the first sync)."""
        return self._since.get(source)

    def history_until(self, source: str) -> datetime | None:
        """Before its first read, items of ``source`` before this time are history."""
        return None if source in self._read else self._since.get(source)

    def advance(self, source: str, at: datetime, *, now: datetime) -> None:
        """Move the cursor of ``source`` forward to ``at`` (never backward, never far ahead).

        A time after ``now`` plus the clock skew counts as that limit.
        """
        at = min(at, now + MAX_CLOCK_SKEW)
        current = self._cursors.get(source)
        if current is None or at > current:
            self._cursors[source] = at

    def prune(self, now: datetime) -> None:
        """Forget identities older than the maximum age.

        Age counts back from the source's cursor when it is older than ``now``: a source that has
        been quiet for days still re-reads its newest items, which must stay known.
        """
        limits = {
            source: min(cursor, now) - self._max_age for source, cursor in self._cursors.items()
        }
        default = now - self._max_age
        if not self._seen or min(self._seen.values()) >= max([*limits.values(), default]):
            return  # nothing is that old (the usual case): the record is not copied
        self._seen = {
            key: at for key, at in self._seen.items() if at >= limits.get(_source_of(key), default)
        }

    def as_dict(self) -> dict[str, Any]:
        """Serialise compactly (unix seconds) for storage."""
        return {
            "seen": [[key, int(at.timestamp())] for key, at in self._seen.items()],
            "cursors": {source: at.timestamp() for source, at in self._cursors.items()},
            "since": {source: at.timestamp() for source, at in self._since.items()},
            "read": sorted(self._read),
        }

    def load(self, data: object, *, now: datetime) -> None:
        """Restore what ``as_dict`` saved; raise ``LedgerFormatError`` when any part is unusable.

        Nothing is restored from unusable data (wrong shapes, times before 2000 or after
        ``now`` plus the clock skew): the caller starts afresh rather than trust part of it.
        ``since`` and ``read`` may be missing (older files): a source with a cursor was read.
        """
        if not isinstance(data, Mapping):
            raise LedgerFormatError("not an object")
        seen_rows, cursor_items = data.get("seen"), data.get("cursors")
        if not isinstance(seen_rows, list) or not isinstance(cursor_items, dict):
            raise LedgerFormatError("seen or cursors missing")
        seen: dict[str, datetime] = {}
        for row in seen_rows:
            if not (isinstance(row, list) and len(row) == 2 and isinstance(row[0], str)):
                raise LedgerFormatError("malformed seen row")
            seen[row[0]] = saved_time(row[1], now=now)
        cursors = {
            source: saved_time(at, now=now)
            for source, at in cursor_items.items()
            if isinstance(source, str)
        }
        since_items, read_items = data.get("since", {}), data.get("read", [])
        if not isinstance(since_items, dict) or not isinstance(read_items, list):
            raise LedgerFormatError("since or read malformed")
        if len(since_items) + len(read_items) > _MAX_SOURCES or not all(
            isinstance(source, str) for source in (*since_items, *read_items)
        ):
            raise LedgerFormatError("too many or malformed sources")
        read = set(read_items) | set(cursors)
        since = {source: saved_time(at, now=now) for source, at in since_items.items()}
        self._seen, self._cursors, self._since, self._read = seen, cursors, since, read
        for key, at in self._seen.items():
            source = _source_of(key)
            if source not in self._newest or at > self._newest[source]:
                self._newest[source] = at
        if len(self._seen) > self._next_check:
            self._evict()

    def _evict(self) -> None:
        """Drop the oldest unprotected identities down to the bound; past the hard limit, any."""
        limits = {
            source: self._cursors.get(source, newest) - self._protect.get(source, DEFAULT_PROTECT)
            for source, newest in self._newest.items()
        }
        excess = len(self._seen) - self._max_entries
        candidates = (
            (key, at)
            for key, at in self._seen.items()
            if (limit := limits.get(_source_of(key))) is not None and at < limit
        )
        for key, _ in heapq.nsmallest(excess, candidates, key=itemgetter(1)):
            del self._seen[key]
        hard_limit = self._max_entries * HARD_LIMIT_FACTOR
        if len(self._seen) > hard_limit:
            overflow = len(self._seen) - hard_limit
            for key, _ in heapq.nsmallest(overflow, self._seen.items(), key=itemgetter(1)):
                del self._seen[key]
        self._next_check = max(len(self._seen), self._max_entries) + self._max_entries // 10


def _source_of(key: str) -> str:
    return key.partition("\x1f")[0]


def saved_time(value: object, *, now: datetime) -> datetime:
    """A time read from the saved file: unix seconds between 2000 and now plus the clock skew."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise LedgerFormatError("not a time")
    if not _EARLIEST.timestamp() <= value <= (now + MAX_CLOCK_SKEW).timestamp():
        raise LedgerFormatError("time out of range")
    return datetime.fromtimestamp(value, UTC)
