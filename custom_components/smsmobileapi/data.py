"""One snapshot of an account, as the entities see it."""

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import NamedTuple

from homeassistant.util import dt as dt_util

from .api import Call, CallType, MessageStatusEvent, Phone, ReceivedSms


class SmsMobileApiData(NamedTuple):
    """One snapshot of the account, as the entities see it."""

    phones: Mapping[str, Phone] = MappingProxyType({})
    last_sms: ReceivedSms | None = None
    unread_count: int | None = None
    recent_missed_calls: tuple[Call, ...] = ()
    last_calls: Mapping[CallType, Call] = MappingProxyType({})
    # When each SMS of the last two days was received.
    recent_sms_times: tuple[datetime, ...] = ()
    last_delivery: MessageStatusEvent | None = None
    # False once the service refused the call logs to these credentials.
    calls_available: bool = True

    def missed_calls_on(self, day: datetime) -> int:
        """Count the missed calls of the local calendar day of ``day``."""
        return _on_day(day, (call.call_at for call in self.recent_missed_calls))

    def sms_received_on(self, day: datetime) -> int:
        """Count the SMS received on the local calendar day of ``day``."""
        return _on_day(day, self.recent_sms_times)


def _on_day(day: datetime, times: Iterable[datetime]) -> int:
    """Count the times within the local calendar day of ``day``.

    Compared in UTC with the day's bounds (the times are UTC): converting each time to the local
    zone costs ten times more, and a sensor counts thousands of them at each state write.
    """
    local_day = dt_util.as_local(day).date()
    start = dt_util.as_utc(dt_util.start_of_local_day(local_day))
    end = dt_util.as_utc(dt_util.start_of_local_day(local_day + timedelta(days=1)))
    return sum(1 for at in times if start <= at < end)
