"""Large answers, read without blocking the event loop.

A list of 100 000 received SMS is an 18 MiB answer: ``json.loads`` takes about 200 ms of it in
one C call, and building the models about 0.5 s more. In the event loop, that is a stall of
everything else (a worker thread does not help: the C parser holds the GIL throughout). So a
large answer is read in slices: the containers near the top (the envelope and its lists) are
walked here, each element is parsed by the C scanner, and the event loop runs between slices.
Small answers, almost all of them, take ``json.loads`` as before.
"""

from __future__ import annotations

from _json import scanstring
import asyncio
import codecs
from collections.abc import Callable, Generator, Iterable, Sequence
import itertools
import json
from json.scanner import make_scanner
import operator
import re
from typing import Any, Final

from .exceptions import SmsGatewayInvalidResponseError

# Answers at least this long (bytes, characters) are read in slices.
LARGE_ANSWER: Final = 256 * 1024
# The event loop runs again after about this much text is read (a millisecond of the C scanner,
# a few with the rows read on the way), and after this many bytes decoded.
SLICE_CHARS: Final = 64 * 1024
SLICE_BYTES: Final = 1024 * 1024
# Containers this close to the top are walked in Python (the envelope, ``result``, the list);
# anything deeper (one SMS, one call) is parsed in one go by the C scanner.
_WALKED_LEVELS: Final = 3
# Rows turned into models between two pauses (about 2 ms).
ROWS_PER_SLICE: Final = 500

# The C scanner of ``json.loads`` (one value at an index); the decoder is its documented context.
_c_scan = make_scanner(json.JSONDecoder())  # type: ignore[arg-type]
# JSON's whitespace, as ``json.decoder`` skips it.
_SPACE: Final = re.compile(r"[ \t\n\r]+")


def _skip_space(text: str, index: int) -> int:
    """The index of the first character at or after ``index`` that is not whitespace."""
    found = _SPACE.match(text, index)
    return found.end() if found is not None else index


class Rows:
    """What to do with each element of the list found at ``path`` (keys from the top).

    ``read`` is called with each element as soon as it is read, and the list holds what it
    returns. Reading a long list into something small as it comes (a GUID and a time instead of
    an object of seven members) keeps 100 000 objects from ever being alive together: the
    garbage collector, which walks every container alive, then has nothing new to walk.
    """

    __slots__ = ("path", "read")

    def __init__(self, path: tuple[str, ...], read: Callable[[Any], object]) -> None:
        """Call ``read`` on each element of the list at ``path``."""
        self.path = path
        self.read = read


class ModelRows[T]:
    """A ``Rows`` reader that turns each row into a model as soon as it is read.

    So the rows (a dict each) never all live at once: only the models do. ``read`` never
    raises: the first row that fails is kept, and ``models`` raises its error, as a parser
    going through the list would have (the rows after it are not read). ``parse`` may return
    ``SKIP`` for a row to leave out.
    """

    __slots__ = ("_failure", "_parse")

    def __init__(self, parse: Callable[[Any], T | Skip]) -> None:
        """Read each row with ``parse``."""
        self._parse = parse
        self._failure: SmsGatewayInvalidResponseError | None = None

    def read(self, row: object) -> T | Skip:
        """The model of a row (``SKIP`` once a row failed)."""
        if self._failure is not None:
            return SKIP
        try:
            return self._parse(row)
        except SmsGatewayInvalidResponseError as err:
            self._failure = err
            return SKIP

    def models(self, rows: Sequence[Any]) -> list[T]:
        """The models read into ``rows`` (the list ``Rows`` filled), or the first failure."""
        if self._failure is not None:
            raise self._failure
        return [row for row in rows if row is not SKIP]


class Skip:
    """A row left out."""

    __slots__ = ()


SKIP: Final = Skip()


class _Progress:
    """Where the last pause was, and what to do with the rows."""

    __slots__ = ("mark", "read", "rows")

    def __init__(self, rows: Rows | None) -> None:
        self.mark = 0
        self.rows = rows
        self.read = False


type _Steps[T] = Generator[None, None, T]
type _Path = tuple[str, ...] | None


async def loads_in_slices(text: str, rows: Rows | None = None) -> Any:  # noqa: ANN401 - JSON
    """``json.loads(text)``, letting the event loop run about every ``SLICE_CHARS`` characters.

    The same value for the same text, and ``ValueError`` (``json.JSONDecodeError``) or
    ``RecursionError`` where ``json.loads`` raises them; the messages may differ. With
    ``rows``, the list at its path holds what ``rows.read`` made of each element (see
    ``Rows``; should a key on the path be repeated, the elements of each list are read).
    """
    progress = _Progress(rows)
    path = rows.path if rows is not None else None
    steps = _value(text, _skip_space(text, 0), 0, path, progress)
    while True:
        try:
            next(steps)
        except StopIteration as done:
            value, end = done.value
            break
        await asyncio.sleep(0)
    end = _skip_space(text, end)
    if end != len(text):
        raise json.JSONDecodeError("Extra data", text, end)
    if rows is not None and not progress.read:
        await read_rows(value, rows)
    return value


async def read_rows(value: object, rows: Rows) -> None:
    """Replace each element of the list at ``rows.path`` in ``value`` by what ``read`` makes.

    For an answer read at once (``json.loads``); nothing when there is no list there.
    """
    for key in rows.path:
        if not isinstance(value, dict):
            return
        value = value.get(key)
    if isinstance(value, list):
        value[:] = await map_in_slices(rows.read, value)


def _value(
    text: str, index: int, level: int, path: _Path, progress: _Progress
) -> _Steps[tuple[Any, int]]:
    if level < _WALKED_LEVELS:
        opening = text[index : index + 1]
        if opening == "{":
            return (yield from _object(text, index + 1, level, path, progress))
        if opening == "[":
            return (yield from _array(text, index + 1, level, path, progress))
    return _scan(text, index)


def _scan(text: str, index: int) -> tuple[Any, int]:
    """The value at ``index`` and the index after it, read by the C scanner."""
    try:
        found: tuple[Any, int] = _c_scan(text, index)
    except StopIteration as err:
        raise json.JSONDecodeError("Expecting value", text, err.value) from None
    return found


def _object(
    text: str, index: int, level: int, path: _Path, progress: _Progress
) -> _Steps[tuple[Any, int]]:
    members: dict[str, Any] = {}
    index = _skip_space(text, index)
    if text[index : index + 1] == "}":
        return members, index + 1
    while True:
        if text[index : index + 1] != '"':
            raise json.JSONDecodeError(
                "Expecting property name enclosed in double quotes", text, index
            )
        key, index = scanstring(text, index + 1, True)  # noqa: FBT003 - strict
        index = _skip_space(text, index)
        if text[index : index + 1] != ":":
            raise json.JSONDecodeError("Expecting ':' delimiter", text, index)
        index = _skip_space(text, index + 1)
        below = path[1:] if path and path[0] == key else None
        members[key], index = yield from _value(text, index, level + 1, below, progress)
        if index - progress.mark >= SLICE_CHARS:
            progress.mark = index
            yield
        index = _skip_space(text, index)
        following = text[index : index + 1]
        if following == "}":
            return members, index + 1
        if following != ",":
            raise json.JSONDecodeError("Expecting ',' delimiter", text, index)
        index = _skip_space(text, index + 1)


def _array(
    text: str, index: int, level: int, path: _Path, progress: _Progress
) -> _Steps[tuple[Any, int]]:
    values: list[Any] = []
    read = progress.rows.read if path == () and progress.rows is not None else None
    progress.read = progress.read or read is not None
    index = _skip_space(text, index)
    if text[index : index + 1] == "]":
        return values, index + 1
    while True:
        if text[index : index + 1] == "{":
            # An object in a list is one row (an SMS, a call): read in one go by the C scanner,
            # however close to the top the list is (CALLR's rows are one level up from ours).
            value, index = _scan(text, index)
        else:
            value, index = yield from _value(text, index, level + 1, None, progress)
        values.append(value if read is None else read(value))
        if index - progress.mark >= SLICE_CHARS:
            progress.mark = index
            yield
        index = _skip_space(text, index)
        following = text[index : index + 1]
        if following == "]":
            return values, index + 1
        if following != ",":
            raise json.JSONDecodeError("Expecting ',' delimiter", text, index)
        index = _skip_space(text, index + 1)


async def decode_in_slices(raw: bytes | Iterable[bytes], encoding: str = "utf-8-sig") -> str:
    """``raw.decode(encoding, "replace")``, the event loop running every ``SLICE_BYTES``.

    ``raw`` may be the chunks of the body as they came: they are decoded one after the other,
    never joined (one copy of a large answer less).
    """
    decoder = codecs.getincrementaldecoder(encoding)("replace")
    chunks = [raw] if isinstance(raw, bytes) else raw
    pieces = []
    decoded = 0
    for chunk in chunks:
        view = memoryview(chunk)
        for start in range(0, len(chunk), SLICE_BYTES):
            pieces.append(decoder.decode(view[start : start + SLICE_BYTES]))
            decoded += min(SLICE_BYTES, len(chunk) - start)
            if decoded >= SLICE_BYTES:
                decoded = 0
                await asyncio.sleep(0)
    pieces.append(decoder.decode(b"", final=True))
    return "".join(pieces)


async def map_in_slices[T, R](parse: Callable[[T], R], rows: Iterable[T]) -> list[R]:
    """``[parse(row) for row in rows]``, letting the event loop run every ``ROWS_PER_SLICE``."""
    parsed: list[R] = []
    for row in rows:
        parsed.append(parse(row))
        if len(parsed) % ROWS_PER_SLICE == 0:
            await asyncio.sleep(0)
    return parsed


async def sorted_in_slices[T](items: list[T], key: Callable[[T], Any]) -> list[T]:
    """``sorted(items, key=key)``: the keys computed in slices, the sort itself in C.

    Lists are usually sorted already (the services list oldest first): then no sort at all.
    """
    keys = await map_in_slices(key, items)
    if all(map(operator.le, keys, itertools.islice(keys, 1, None))):
        return items
    order = sorted(range(len(items)), key=keys.__getitem__)
    return [items[position] for position in order]


def without_lists(value: object, *, depth: int = 3) -> object:
    """The same JSON value with every list emptied (and nothing below ``depth`` levels).

    What an answer classifier reads (an ``error`` member, a ``status``, a message), in a few
    bytes: a large answer is classified from this, with the same classifier as a small one.
    """
    if isinstance(value, list):
        return []
    if isinstance(value, dict):
        if depth == 0:
            return {}
        return {key: without_lists(item, depth=depth - 1) for key, item in value.items()}
    return value
