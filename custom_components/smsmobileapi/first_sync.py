"""The first sync of received SMS: the newest SMS and what later polls read again, not the history.

Nothing a first sync reads fires (the inbox records it). It must record every SMS a later poll
reads again, from SYNC_OVERLAP before the newest one on; older ones are never read again.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from homeassistant.util import dt as dt_util

from .api import ReceivedSms, SmsGateway
from .const import INITIAL_SYNC_WINDOW, SYNC_OVERLAP
from .ledger import MAX_CLOCK_SKEW

# Without an unread SMS to start from, a first sync reads windows back from
# now, widened this many times while they are empty, up to INITIAL_SYNC_WINDOW: 20 minutes (the
# overlap and 5 more: an SMS of the last 5 minutes needs nothing else), 160 minutes, 21 hours,
# 7 days. Small first: CALLR answers at most 4 MiB (about 4 000 SMS) at a time.
FIRST_WINDOW = SYNC_OVERLAP + timedelta(minutes=5)
WIDENING = 8
# It reads back to the start of the local day instead (so that "SMS received today" counts
# them all) unless that day holds more SMS than this (unread ones, or at the window's pace).
DAY_ROWS = 1000


async def read_first_sync(
    client: SmsGateway, now: datetime, unread: Mapping[str, datetime]
) -> tuple[ReceivedSms, ...]:
    """The SMS a first sync records: the newest one, and all a later poll reads again.

    ``unread`` is the unread list just read (GUID and time; empty without one). Later polls
    start SYNC_OVERLAP before the cursor (the newest SMS recorded, at most MAX_CLOCK_SKEW
    ahead of now), or before the end of the first sync when there is none. This reads from
    SYNC_OVERLAP before the newest unread SMS, or else windows back from now, widened while
    they are empty; back to the start of the local day instead when that day holds few SMS
    (today's are counted); and, should the newest SMS read be more recent than that start
    allows, from SYNC_OVERLAP before it.
    """
    # In UTC, as the SMS times: comparing times of two zones is ten times slower.
    day_start = dt_util.as_utc(dt_util.start_of_local_day(dt_util.as_local(now)))
    messages: tuple[ReceivedSms, ...] = ()
    if unread:
        start = min(max(unread.values()), now) - SYNC_OVERLAP
        today = sum(1 for received_at in unread.values() if received_at >= day_start)
    else:
        start, messages = await _read_newest_window(client, now)
        if not messages:
            return ()
        # The day's SMS, at the pace of that window.
        pace = len(messages) / max((now - start).total_seconds(), 1.0)
        today = round(pace * (now - day_start).total_seconds())
    if day_start < start and today <= DAY_ROWS:
        start, messages = day_start, ()
    if not messages:
        messages = await client.get_received_sms(after=start)
    if messages:
        cursor = min(max(sms.received_at for sms in messages), now + MAX_CLOCK_SKEW)
        if cursor - SYNC_OVERLAP < start:
            messages = await client.get_received_sms(after=cursor - SYNC_OVERLAP)
    return messages


async def _read_newest_window(
    client: SmsGateway, now: datetime
) -> tuple[datetime, tuple[ReceivedSms, ...]]:
    """The first window back from now with an SMS in it (widened up to seven days)."""
    oldest = now - INITIAL_SYNC_WINDOW
    start = now - FIRST_WINDOW
    messages = await client.get_received_sms(after=start)
    while not messages and start > oldest:
        start = max(oldest, now - (now - start) * WIDENING)
        messages = await client.get_received_sms(after=start)
    return start, messages
