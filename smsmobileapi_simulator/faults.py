"""Fault injection: planned failures of the simulated API.

A :class:`Fault` describes one kind of failure and which requests it hits; the
:class:`FaultPlan` of the state hands the next matching fault to each API request.
"""

from dataclasses import dataclass, field
import random
from typing import Literal, get_args
import zlib

from .replies import Reply, json_reply, text_reply

type FaultKind = Literal[
    "status",
    "rate_limit",
    "html",
    "truncated",
    "malformed",
    "timeout",
    "slow_body",
    "reset",
    "expired",
    "invalid_key",
    "redirect",
    "bad_http",
    "oversized",
]
type ContentEncoding = Literal["gzip", "deflate"]

FAULT_KINDS: dict[str, FaultKind] = {name: name for name in get_args(FaultKind.__value__)}
CONTENT_ENCODINGS: dict[str, ContentEncoding] = {
    name: name for name in get_args(ContentEncoding.__value__)
}

_HTML_PAGE = (
    "<!DOCTYPE html>\n<html><head><title>{status} Bad Gateway</title></head>\n"
    "<body><h1>Bad Gateway</h1><p>The proxy server received an invalid response "
    "from an upstream server.</p><hr><address>Apache Server at api.smsmobileapi.com "
    "Port 443</address></body></html>\n"
)
_OVERSIZED_HEAD = b'{"result":{"error":0,"sms":[]},"success":true}'
_PAD_CHUNK = 1 << 20
_ZLIB_WBITS: dict[ContentEncoding, int] = {"gzip": 16 + zlib.MAX_WBITS, "deflate": zlib.MAX_WBITS}
_MALFORMED_BODY = (
    "<br />\n<b>Warning</b>:  mysqli_connect(): (HY000/2002): Connection refused in "
    "<b>/var/www/api/index.php</b> on line <b>12</b><br />\n"
)


def normalize_path(path: str) -> str:
    """Return the canonical form of an API path: leading and trailing slash."""
    return "/" + path.strip("/") + "/"


@dataclass(slots=True)
class Fault:
    """One planned failure.

    Attributes:
        kind: what goes wrong (see :data:`FaultKind`).
        path: API path it applies to (with or without trailing slash); ``None`` for any.
        times: how many requests it hits before it is used up; ``None`` for no limit.
        probability: chance that a matching request is hit (use a seeded plan for soaks).
        status: HTTP status for ``status`` (default 500) and ``html`` (default 502).
        body: body for ``status``, encoded as UTF-8 (lone surrogates U+DC80 to U+DCFF stand
            for the bytes 0x80 to 0xFF); default the documented ``server_error`` JSON.
        content_type: content type of ``body``.
        retry_after: ``Retry-After`` seconds of ``rate_limit``.
        delay: seconds ``timeout`` waits before answering normally.
        chunk_size: bytes per chunk for ``slow_body``.
        chunk_delay: seconds between chunks for ``slow_body``.
        size: decompressed bytes of the ``oversized`` body (valid JSON padded with spaces).
        content_encoding: compress the answer (``gzip`` or ``deflate``) and say so in
            ``Content-Encoding``; the ``oversized`` body is compressed as it is built.

    Kinds that bend HTTP itself: ``redirect`` answers ``status`` (default 302) with a
    ``Location`` of ``body``, by default the request's own path and query (a redirect loop);
    ``bad_http`` writes a response no HTTP parser accepts and closes the connection.
    """

    kind: FaultKind
    path: str | None = None
    times: int | None = 1
    probability: float = 1.0
    status: int | None = None
    body: str | None = None
    content_type: str = "application/json"
    retry_after: int = 30
    delay: float = 30.0
    chunk_size: int = 16
    chunk_delay: float = 0.2
    size: int = 0
    content_encoding: ContentEncoding | None = None

    def __post_init__(self) -> None:
        """Validate the fields and normalise the path."""
        if self.kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}")
        if self.times is not None and self.times < 1:
            raise ValueError("times must be at least 1 (or None for no limit)")
        if not 0.0 <= self.probability <= 1.0:
            raise ValueError("probability must be between 0 and 1")
        if self.chunk_size < 1:
            raise ValueError("chunk_size must be at least 1")
        if self.size < 0:
            raise ValueError("size must not be negative")
        if self.content_encoding is not None and self.content_encoding not in CONTENT_ENCODINGS:
            raise ValueError(f"unknown content encoding {self.content_encoding!r}")
        if self.path is not None:
            self.path = normalize_path(self.path)

    def matches(self, path: str) -> bool:
        """Tell whether the fault applies to a canonical API path."""
        return self.path is None or self.path == path

    def canned_reply(self) -> Reply | None:
        """Return the reply that replaces the real one, or ``None`` if the request proceeds."""
        match self.kind:
            case "status":
                return self._status_reply()
            case "rate_limit":
                return json_reply(
                    {"error": 429, "message": "Too many requests"},
                    status=429,
                    headers=(("Retry-After", str(self.retry_after)),),
                )
            case "html":
                status = self.status or 502
                return text_reply(_HTML_PAGE.format(status=status), status=status)
            case "malformed":
                return Reply(200, _MALFORMED_BODY.encode(), "application/json")
            case "oversized":
                return self._oversized_reply()
            case _:
                return None

    def redirect_reply(self, target: str) -> Reply:
        """Answer a ``redirect`` fault: ``target`` unless ``body`` names another place."""
        location = self.body if self.body is not None else target
        return Reply(self.status or 302, b"", "text/html", (("Location", location),))

    def _oversized_reply(self) -> Reply:
        padding = max(self.size - len(_OVERSIZED_HEAD), 0)
        if self.content_encoding is None:
            return Reply(200, _OVERSIZED_HEAD + b" " * padding)
        compressor = zlib.compressobj(wbits=_ZLIB_WBITS[self.content_encoding])
        parts = [compressor.compress(_OVERSIZED_HEAD)]
        chunk = b" " * _PAD_CHUNK
        parts.extend(compressor.compress(chunk) for _ in range(padding // _PAD_CHUNK))
        parts += [compressor.compress(b" " * (padding % _PAD_CHUNK)), compressor.flush()]
        headers = (("Content-Encoding", self.content_encoding),)
        return Reply(200, b"".join(parts), headers=headers)

    def _status_reply(self) -> Reply:
        status = self.status or 500
        if self.body is None:
            payload = {"success": False, "error": "server_error", "detail": "Simulated failure"}
            return json_reply(payload, status=status)
        # surrogateescape: a test can serve bytes that are not UTF-8 (U+DCFF is 0xFF).
        return Reply(status, self.body.encode("utf-8", "surrogateescape"), self.content_type)


@dataclass(slots=True)
class FaultPlan:
    """The planned faults, consumed in the order they were added."""

    rng: random.Random = field(default_factory=random.Random)
    faults: list[Fault] = field(default_factory=list)

    def add(self, fault: Fault) -> Fault:
        """Plan a fault and return it."""
        self.faults.append(fault)
        return fault

    def clear(self) -> None:
        """Drop every planned fault."""
        self.faults.clear()

    def take(self, path: str) -> Fault | None:
        """Return the fault hitting a request to a canonical path, counting it down."""
        for fault in self.faults:
            if not fault.matches(path):
                continue
            if fault.probability < 1.0 and self.rng.random() >= fault.probability:
                continue
            if fault.times is not None:
                fault.times -= 1
                if fault.times == 0:
                    self.faults.remove(fault)
            return fault
        return None


def encode(reply: Reply, content_encoding: ContentEncoding | None) -> Reply:
    """Compress a reply's body, unless it is compressed already or no encoding is asked."""
    if content_encoding is None or any(
        name.lower() == "content-encoding" for name, _ in reply.headers
    ):
        return reply
    compressor = zlib.compressobj(wbits=_ZLIB_WBITS[content_encoding])
    body = compressor.compress(reply.body) + compressor.flush()
    headers = (*reply.headers, ("Content-Encoding", content_encoding))
    return Reply(reply.status, body, reply.content_type, headers)


def truncate(reply: Reply) -> Reply:
    """Cut a reply's body in half, keeping its status and headers."""
    return Reply(
        reply.status, reply.body[: len(reply.body) // 2], reply.content_type, reply.headers
    )
