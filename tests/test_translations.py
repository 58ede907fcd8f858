"""Translations: every language has every key, every key the code uses exists, icons match."""

from collections.abc import Iterator
import json
from pathlib import Path
import re
import string
from typing import Any

from homeassistant.util.yaml import load_yaml_dict
import pytest

from custom_components.smsmobileapi import binary_sensor, event, sensor

INTEGRATION = Path(__file__).parent.parent / "custom_components" / "smsmobileapi"
LANGUAGES = ("en", "fr", "pt", "vi")


def _load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def _flatten(tree: dict[str, Any], prefix: str = "") -> Iterator[tuple[str, str]]:
    for key, value in tree.items():
        if isinstance(value, dict):
            yield from _flatten(value, f"{prefix}{key}.")
        else:
            yield f"{prefix}{key}", value


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


STRINGS = _load(INTEGRATION / "strings.json")
FLAT = dict(_flatten(STRINGS))


def test_english_is_strings_json() -> None:
    """translations/en.json is strings.json (custom integrations get no key references)."""
    assert _load(INTEGRATION / "translations" / "en.json") == STRINGS
    assert not any("[%key:" in value for value in FLAT.values())


def test_all_languages_present() -> None:
    """English, French, Portuguese and Vietnamese are shipped."""
    present = {path.stem for path in (INTEGRATION / "translations").glob("*.json")}
    assert present == set(LANGUAGES)


@pytest.mark.parametrize("language", LANGUAGES)
def test_language_complete(language: str) -> None:
    """Same keys as strings.json, same placeholders in each text, nothing left empty."""
    translated = dict(_flatten(_load(INTEGRATION / "translations" / f"{language}.json")))
    assert set(translated) == set(FLAT), "keys differ from strings.json"
    for key, text in translated.items():
        assert text.strip(), key
        assert _placeholders(text) == _placeholders(FLAT[key]), key


def _code() -> str:
    return "\n".join(path.read_text() for path in INTEGRATION.rglob("*.py"))


def test_keys_used_in_code_exist() -> None:
    """Every translation key the code raises or registers is in strings.json."""
    code = _code()
    known = (
        set(STRINGS.get("exceptions", {}))
        | set(STRINGS.get("issues", {}))
        | set(STRINGS.get("selector", {}))
    )
    for platform in STRINGS["entity"].values():
        known |= set(platform)
    used = set(re.findall(r'translation_key\s*=\s*"([a-z0-9_]+)"', code))
    issue_constants = set(re.findall(r'^ISSUE_\w+: Final = "(\w+)"', code, re.MULTILINE))
    assert used, "the pattern found no keys at all"
    assert used - known == set()
    assert issue_constants - set(STRINGS["issues"]) == set()


def test_flow_errors_and_aborts_exist() -> None:
    """Every error and abort reason in the config flow has a text."""
    flow = (INTEGRATION / "config_flow.py").read_text()
    errors = set(re.findall(r'errors\["base"\] = "(\w+)"|return set\(\), "(\w+)"', flow))
    reasons = set(re.findall(r'reason="(\w+)"|AbortFlow\("(\w+)"\)', flow))
    for pair in errors:
        for key in filter(None, pair):
            assert key in STRINGS["config"]["error"], key
    aborts = set(STRINGS["config"]["abort"])
    for subentry in STRINGS.get("config_subentries", {}).values():
        aborts |= set(subentry.get("abort", {}))
    for pair in reasons:
        for key in filter(None, pair):
            assert key in aborts, key


@pytest.mark.parametrize(
    ("platform", "descriptions"),
    [
        ("sensor", (*sensor.ACCOUNT_SENSORS, *sensor.PHONE_SENSORS)),
        ("binary_sensor", (binary_sensor.ONLINE,)),
        ("event", (event.SMS, event.CALL, event.WHATSAPP)),
    ],
)
def test_entities_named_and_iconed(platform: str, descriptions: tuple[Any, ...]) -> None:
    """Each entity has a translated name (or a device-class name) and an icon."""
    icons = _load(INTEGRATION / "icons.json")["entity"]
    for description in descriptions:
        if description.translation_key is None:
            assert description.device_class is not None, description.key
            continue
        assert "name" in STRINGS["entity"][platform][description.translation_key]
        assert "default" in icons[platform][description.translation_key]


def test_no_stray_entity_strings() -> None:
    """Every entity translation and icon belongs to an entity that exists."""
    icons = _load(INTEGRATION / "icons.json")["entity"]
    assert set(icons) <= set(STRINGS["entity"])
    for platform, keys in icons.items():
        assert set(keys) <= set(STRINGS["entity"][platform]), platform


def test_services_translated_and_iconed() -> None:
    """Each action in services.yaml has a name, a description and an icon; so do its fields."""
    services = load_yaml_dict(str(INTEGRATION / "services.yaml"))
    icons = _load(INTEGRATION / "icons.json")["services"]
    assert set(services) == set(STRINGS["services"]) == set(icons)
    for name, spec in services.items():
        text = STRINGS["services"][name]
        assert text["name"]
        assert text["description"]
        for field in (spec or {}).get("fields", {}):
            if field in ("advanced", "options"):  # sections
                continue
            assert text["fields"][field]["name"], f"{name}.{field}"
            assert text["fields"][field]["description"], f"{name}.{field}"
