"""What the integration imports, and when: providers' clients, logs' models, Assist's helpers.

Every name stays exported where it was; a provider's modules are imported at the first use of
one of their names (an entry's setup imports its provider's client off the event loop).
"""

import importlib
from pathlib import Path
import subprocess
import sys

import pytest

from custom_components.smsmobileapi import api
from custom_components.smsmobileapi.api import callr, logs, models, smsmobileapi, tokens

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = "custom_components.smsmobileapi"


@pytest.mark.parametrize("module", [api, smsmobileapi, callr, models])
def test_every_exported_name_resolves(module: object) -> None:
    """Each name of ``__all__`` is there, and once read it stays (the same object)."""
    for name in module.__all__:  # type: ignore[attr-defined]
        value = getattr(module, name)
        assert getattr(module, name) is value
        assert name in vars(module)


def test_lazy_names_are_the_defining_modules_objects() -> None:
    """The lazily exported names are the objects of the modules that define them."""
    sms_client = importlib.import_module(f"{PACKAGE}.api.smsmobileapi.client")
    callr_client = importlib.import_module(f"{PACKAGE}.api.callr.client")
    callr_const = importlib.import_module(f"{PACKAGE}.api.callr.const")
    assert (
        api.SmsMobileApiClient is smsmobileapi.SmsMobileApiClient is sms_client.SmsMobileApiClient
    )
    assert api.CallrClient is callr_client.CallrClient
    assert api.CALLR_DEFAULT_BASE_URL == callr_const.DEFAULT_BASE_URL
    assert api.SentMessage is models.SentMessage is logs.SentMessage
    assert api.AccessToken is models.AccessToken is tokens.AccessToken


def test_unknown_names_are_attribute_errors() -> None:
    """A name nobody exports is an AttributeError, as on any module."""
    for module in (api, smsmobileapi, callr, models):
        with pytest.raises(AttributeError, match="NoSuchName"):
            getattr(module, "NoSuchName")  # noqa: B009 - the attribute hook under test


def test_importing_the_integration_imports_no_client() -> None:
    """The integration and its platforms: no provider's client, no log model, no intent helper.

    Nor the first sync's module (an entry needs it once in its life).

    In a fresh interpreter (this one has imported everything already).
    """
    platforms = ["binary_sensor", "event", "notify", "sensor"]
    script = (
        "import importlib, sys\n"
        f"for name in {[PACKAGE] + [f'{PACKAGE}.{p}' for p in platforms]!r}:\n"
        "    importlib.import_module(name)\n"
        "print('\\n'.join(sorted(sys.modules)))\n"
    )
    imported = set(
        subprocess.run(  # noqa: S603 - our own interpreter and a fixed script
            [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.split()
    )
    assert f"{PACKAGE}.sensor" in imported
    for module in (
        f"{PACKAGE}.api.smsmobileapi.client",
        f"{PACKAGE}.api.callr.client",
        f"{PACKAGE}.api.logs",
        f"{PACKAGE}.api.tokens",
        f"{PACKAGE}.first_sync",
        "homeassistant.helpers.intent",
        "phonenumbers",
    ):
        assert module not in imported, module
