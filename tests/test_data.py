"""The snapshot's day counts: an SMS or a missed call counts on the local calendar day it was on."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from homeassistant.util import dt as dt_util
from hypothesis import HealthCheck, given, settings, strategies as st
import pytest

from custom_components.smsmobileapi.api import Call, CallType
from custom_components.smsmobileapi.data import SmsMobileApiData

# Around the 2026 daylight-saving changes of Brussels (29 March, 25 October) and Pacific time.
START = datetime(2026, 3, 27, tzinfo=UTC)
ZONES = ("Europe/Brussels", "America/Los_Angeles", "Asia/Kolkata", "UTC")
_moments = st.integers(min_value=0, max_value=14 * 24 * 3600).map(
    lambda seconds: START + timedelta(seconds=seconds)
)


@pytest.fixture(params=ZONES)
def zone(request: pytest.FixtureRequest) -> Iterator[str]:
    """Home Assistant's time zone for the test, restored after."""
    before = dt_util.get_default_time_zone()
    dt_util.set_default_time_zone(dt_util.get_time_zone(request.param))
    try:
        yield request.param
    finally:
        dt_util.set_default_time_zone(before)


def _reference(day: datetime, times: list[datetime]) -> int:
    """The count by converting each time to the local zone: what the sensors mean."""
    local_day = dt_util.as_local(day).date()
    return sum(1 for at in times if dt_util.as_local(at).date() == local_day)


# The zone is set once per parameter, not per example: the fixture is function-scoped on purpose.
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(day=_moments, times=st.lists(_moments, max_size=40))
def test_day_counts_match_the_local_calendar(
    zone: str, day: datetime, times: list[datetime]
) -> None:
    """Counted against the day's bounds in UTC: the same as converting every time."""
    data = SmsMobileApiData(
        recent_sms_times=tuple(times),
        recent_missed_calls=tuple(
            Call(call_type=CallType.MISSED, number="+32470000001", call_at=at) for at in times
        ),
    )
    assert data.sms_received_on(day) == _reference(day, times)
    assert data.missed_calls_on(day) == _reference(day, times)
