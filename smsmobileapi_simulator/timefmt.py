"""Date and time formats used on the SMSMobileAPI wire."""

from datetime import UTC, date, datetime, time, timedelta

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MILLISECOND = timedelta(milliseconds=1)


def utc_now() -> datetime:
    """Return the current time as an aware UTC datetime."""
    return datetime.now(UTC)


def sql(moment: datetime) -> str:
    """Format as the database style ``YYYY-MM-DD HH:MM:SS`` in UTC."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


def day_text(moment: datetime) -> str:
    """Format the UTC day as ``YYYY-MM-DD``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d")


def time_text(moment: datetime) -> str:
    """Format the UTC time of day as ``HH:MM:SS``."""
    return moment.astimezone(UTC).strftime("%H:%M:%S")


def iso_z(moment: datetime) -> str:
    """Format as ISO 8601 in UTC with a ``Z`` suffix and whole seconds."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def unix(moment: datetime) -> int:
    """Return the whole UNIX seconds of a moment."""
    return (moment - _EPOCH) // timedelta(seconds=1)


def unix_ms(moment: datetime) -> int:
    """Return the UNIX milliseconds of a moment."""
    return (moment - _EPOCH) // _MILLISECOND


def from_unix(seconds: int) -> datetime:
    """Return the aware UTC datetime of UNIX seconds."""
    return _EPOCH + timedelta(seconds=seconds)


def compact_ms(moment: datetime) -> str:
    """Format as ``YYYYMMDDHHMMSSmmm`` in UTC."""
    utc = moment.astimezone(UTC)
    return f"{utc:%Y%m%d%H%M%S}{utc.microsecond // 1000:03d}"


def parse_day(value: str) -> date | None:
    """Parse a strict ``YYYY-MM-DD`` day; ``None`` when the text is not one."""
    if len(value) != 10:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def day_start(day: date) -> datetime:
    """Return 00:00:00 UTC of a day."""
    return datetime.combine(day, time.min, tzinfo=UTC)


def day_end(day: date) -> datetime:
    """Return the last microsecond of a day in UTC."""
    return datetime.combine(day, time.max, tzinfo=UTC)


def parse_moment(value: str, *, end_of_day: bool) -> datetime | None:
    """Parse a day or a full datetime (naive means UTC); ``None`` when invalid.

    Args:
        value: ``YYYY-MM-DD``, ``YYYY-MM-DD HH:MM:SS`` or an ISO 8601 datetime.
        end_of_day: for a bare day, return its last moment instead of its first.
    """
    day = parse_day(value)
    if day is not None:
        return day_end(day) if end_of_day else day_start(day)
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
