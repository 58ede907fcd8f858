"""The integration's records (models, pushed events, internal snapshots) are named tuples.

Their modules leave out ``from __future__ import annotations`` (a named tuple compiles each string
annotation when it is defined, at every start); a name their fields use must then exist at
run time, not only under ``TYPE_CHECKING``. These tests find every named tuple of the package.
"""

import importlib
import pkgutil
from typing import get_type_hints

import pytest

import custom_components.smsmobileapi as package


def _records() -> list[type[tuple[object, ...]]]:
    """Every named tuple class defined in one of the package's modules."""
    found = []
    for info in pkgutil.walk_packages(package.__path__, f"{package.__name__}."):
        module = importlib.import_module(info.name)
        found += [
            value
            for value in vars(module).values()
            if isinstance(value, type)
            and issubclass(value, tuple)
            and hasattr(value, "_fields")
            and value.__module__ == module.__name__
        ]
    return found


RECORDS = _records()


def test_the_records_are_found() -> None:
    """The walk finds the models and the integration's own records."""
    names = {record.__qualname__ for record in RECORDS}
    assert {"ReceivedSms", "Call", "SmsReceivedEvent", "SentMessage"} <= names
    assert {"SmsMobileApiData", "DeliveredMessage", "Outcome", "SignIn"} <= names


@pytest.mark.parametrize("record", RECORDS, ids=lambda record: record.__qualname__)
def test_fields_annotations_resolve_at_run_time(record: type[tuple[object, ...]]) -> None:
    """Each field's annotation names something the module has at run time."""
    hints = get_type_hints(record)

    assert set(record._fields) <= set(hints)  # type: ignore[attr-defined]


@pytest.mark.parametrize("record", RECORDS, ids=lambda record: record.__qualname__)
def test_records_are_immutable(record: type[tuple[object, ...]]) -> None:
    """No field can be set on a record once it is built."""
    field = record._fields[0]  # type: ignore[attr-defined]
    instance = record._make([None] * len(record._fields))  # type: ignore[attr-defined]

    with pytest.raises(AttributeError):
        setattr(instance, field, "changed")
