"""What the CALLR API pipeline records (requests, per-route statistics) and the faults it takes."""

import random

from smsmobileapi_simulator.faults import Fault, FaultPlan, normalize_path
from smsmobileapi_simulator.state import PathStats

from .model import CallrRequest


class RequestLog:
    """Recorded requests, per-route statistics and planned faults (a base of the state).

    Routes are named by method and path relative to the base path: ``GET /sms`` (list),
    ``POST /sms`` (send), ``GET /sms/send`` (send by query string), ``GET /sms/{hash}``.
    """

    def __init__(self, rng: random.Random) -> None:
        """Start with nothing recorded; the fault plan draws from its own seeded generator."""
        self.requests: list[CallrRequest] = []
        self.record_requests = True
        self.stats: dict[str, PathStats] = {}
        self.faults = FaultPlan(random.Random(rng.getrandbits(64)))  # noqa: S311

    def record(self, request: CallrRequest) -> None:
        """Keep an API request for tests (unless ``record_requests`` is off)."""
        if self.record_requests:
            self.requests.append(request)

    def requests_for(self, route: str) -> list[CallrRequest]:
        """Return the recorded requests of a route such as ``GET /sms`` or ``POST /sms``."""
        return [request for request in self.requests if request.route == route]

    def count(self, route: str, bytes_sent: int) -> None:
        """Add one answered request to the statistics of a route."""
        stats = self.stats.setdefault(route, PathStats())
        stats.requests += 1
        stats.bytes_sent += bytes_sent

    def path_stats(self, route: str) -> PathStats:
        """Return the request count and body bytes sent of a route (zeros when unused)."""
        return self.stats.get(route, PathStats())

    @property
    def total_requests(self) -> int:
        """Requests answered on every route."""
        return sum(stats.requests for stats in self.stats.values())

    @property
    def total_bytes_sent(self) -> int:
        """Body bytes sent on every route."""
        return sum(stats.bytes_sent for stats in self.stats.values())

    def take_fault(self, method: str, path: str) -> Fault | None:
        """Return the fault hitting a request: one planned for ``GET /sms`` first, then ``/sms``.

        ``path`` is the route's path relative to the base path (``/sms/{hash}`` for one SMS),
        so ``Fault(kind, path="GET /sms")`` hits only the list and ``path="/sms"`` both the
        list and ``POST /sms``.
        """
        specific = self.faults.take(normalize_path(f"{method} {path}"))
        return specific or self.faults.take(normalize_path(path))
