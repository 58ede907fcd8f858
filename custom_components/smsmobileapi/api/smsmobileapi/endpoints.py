"""What every group of SMSMobileAPI endpoints shares: the transport, the clock, parameter helpers.

``SmsMobileApiClient`` is made of one class per group (``sending``, ``receiving``, ``phones``);
each sends its requests through the shared ``Transport`` and writes its parameters with the helpers
below, the only place that knows the wire formats of dates, times and limits.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from typing import Any

from ..exceptions import SmsGatewayInvalidResponseError
from ..parsing import as_object
from .transport import Transport


class Endpoints:
    """The state the endpoint groups share (set up by ``SmsMobileApiClient``)."""

    _transport: Transport
    _clock: Callable[[], datetime]


def result_of(body: Mapping[str, Any]) -> Mapping[str, Any]:
    """The ``result`` object of an answer; an answer without one is invalid."""
    if "result" not in body:
        raise SmsGatewayInvalidResponseError(
            "missing field 'result' in response", code="invalid_response"
        )
    return as_object(body["result"], "result")


def bounded(value: int | None, maximum: int) -> int | None:
    """A limit checked against the endpoint's maximum (None: the service's default)."""
    if value is None:
        return None
    if not 1 <= value <= maximum:
        raise ValueError(f"limit must be between 1 and {maximum}")
    return value


def iso_day(value: date | None) -> str | None:
    """A date as the service reads it (ISO)."""
    return value.isoformat() if value is not None else None


def iso_day_or_time(value: date | datetime | None) -> str | None:
    """A date, or a time in UTC as "YYYY-MM-DD HH:MM:SS"."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
    return iso_day(value)


def unix_millis(value: datetime | None) -> int | None:
    """A time in unix milliseconds."""
    return int(value.timestamp() * 1000) if value is not None else None
