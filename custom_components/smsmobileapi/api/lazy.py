"""Names a package exports without importing the modules that define them until they are used.

A provider's client (its transport, parsers and models) costs milliseconds to import, and an
account uses one provider: the package ``__init__`` files of ``api`` export every name as before,
but each provider's modules are imported at the first use of one of their names (Home Assistant
imports them off the event loop first: see ``providers.async_import_provider``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
import importlib
import importlib.util
import sys


def lazy_exports(name: str, exports: Mapping[str, str]) -> Callable[[str], object]:
    """The ``__getattr__`` (PEP 562) of the module or package called ``name``.

    ``exports`` maps each lazily exported name to ``"module"`` or ``"module:name"`` (a name the
    module defines under another name), the module relative to the one exporting it. A name is
    imported once, then kept in the exporting module like any other attribute.
    """

    def __getattr__(attribute: str) -> object:  # noqa: N807 - the module attribute hook
        where = exports.get(attribute)
        if where is None:
            raise AttributeError(f"module {name!r} has no attribute {attribute!r}")
        exporter = sys.modules[name]
        module, _, defined_as = where.partition(":")
        # By its absolute name: Home Assistant reports an import in the event loop unless the
        # module is already imported, which it tells by that name.
        absolute = importlib.util.resolve_name(module, exporter.__package__)
        value = getattr(importlib.import_module(absolute), defined_as or attribute)
        setattr(exporter, attribute, value)
        return value

    return __getattr__
