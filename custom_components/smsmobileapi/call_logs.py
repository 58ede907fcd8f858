"""The call logs of an entry: read by polling, each new call fired once, the recent ones kept."""

from __future__ import annotations

from datetime import datetime, timedelta

from .api import Call, CallLog, CallType
from .const import (
    ANSWERED_CALLS_POLL_LIMIT,
    INITIAL_SYNC_WINDOW,
    MISSED_CALLS_POLL_LIMIT,
    SOURCE_POLL,
    SYNC_OVERLAP,
)
from .inbox import Inbox

# Missed calls (and received SMS, in the coordinator) are kept this long: today's are counted
# in any time zone.
RECENT_WINDOW = timedelta(hours=48)


class CallLogs:
    """The missed, incoming and outgoing calls the options have an entry poll.

    Each call goes through the inbox (fired once); this keeps the newest call of each log and
    the missed calls of the last two days, for the sensors.
    """

    def __init__(self, inbox: Inbox, *, missed: bool, answered: bool) -> None:
        """Poll the missed calls and/or the answered ones (incoming and outgoing)."""
        self._inbox = inbox
        self._missed = missed
        self._answered = answered
        self._recent_missed: dict[str, Call] = {}
        self._last: dict[CallType, Call] = {}

    @property
    def sources(self) -> tuple[CallType, ...]:
        """The logs polled (their ledger sources)."""
        missed = (CallType.MISSED,) if self._missed else ()
        answered = (CallType.INCOMING, CallType.OUTGOING) if self._answered else ()
        return (*missed, *answered)

    @property
    def recent_missed(self) -> tuple[Call, ...]:
        """The missed calls of the last two days, newest first."""
        return tuple(
            sorted(self._recent_missed.values(), key=lambda call: call.call_at, reverse=True)
        )

    @property
    def last_calls(self) -> dict[CallType, Call]:
        """The newest call of each log."""
        return dict(self._last)

    async def poll(self, log: CallLog, now: datetime) -> None:
        """Read each log polled from where it was left; the client's errors go up."""
        inbox = self._inbox
        if self._missed:
            # By date only: from the day before the newest call read (or the log became wanted).
            missed_from = inbox.read_from(CallType.MISSED)
            missed = await log.get_missed_calls(
                limit=MISSED_CALLS_POLL_LIMIT,
                date_start=(missed_from - timedelta(days=1)).date() if missed_from else None,
            )
            self._record(CallType.MISSED, missed, now)
        for call_type in (CallType.INCOMING, CallType.OUTGOING) if self._answered else ():
            calls = await log.get_answered_calls(
                call_type,
                limit=ANSWERED_CALLS_POLL_LIMIT,
                since=inbox.poll_start(call_type, now, SYNC_OVERLAP, INITIAL_SYNC_WINDOW),
            )
            self._record(call_type, calls, now)
        inbox.ledger.prune(now)

    def _record(self, call_type: CallType, calls: tuple[Call, ...], now: datetime) -> None:
        """Fire the calls not seen before (oldest first) and move the log's cursor."""
        for call in sorted(calls, key=lambda item: item.call_at):
            self._inbox.receive_call(call, SOURCE_POLL, verified=True)
        self.note(call_type, calls, now)
        if calls:
            self._inbox.ledger.advance(call_type, max(call.call_at for call in calls), now=now)
        self._inbox.mark_read(call_type)

    def note(self, call_type: CallType, calls: tuple[Call, ...], now: datetime) -> None:
        """Keep the newest call of each log and the missed calls of the last two days."""
        for call in calls:
            last = self._last.get(call_type)
            if last is None or call.call_at >= last.call_at:
                self._last[call_type] = call
            if call_type is CallType.MISSED:
                self._recent_missed[call.key] = call
        self._recent_missed = {
            key: call
            for key, call in self._recent_missed.items()
            if now - call.call_at <= RECENT_WINDOW
        }
