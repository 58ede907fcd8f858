"""quality_scale.yaml is complete and honest: each rule marked done is shown by the code or a test.

The evidence is read from the integration's objects (classes, descriptions, constants, signatures)
and from the tests that show a behaviour, never by searching source text.

Home Assistant's hassfest skips this file for custom integrations, so this test stands in for it.
"""

import ast
from collections.abc import Callable
from datetime import timedelta
import importlib
import inspect
import json
from pathlib import Path
import re
import struct
from types import ModuleType

import annotationlib
from annotationlib import Format
from homeassistant.components.binary_sensor import BinarySensorDeviceClass
from homeassistant.components.sensor import SensorDeviceClass
from homeassistant.const import EntityCategory
from homeassistant.helpers.entity import EntityDescription
from homeassistant.helpers.update_coordinator import CoordinatorEntity, DataUpdateCoordinator
from homeassistant.util.yaml import load_yaml_dict
import pytest

from custom_components.smsmobileapi.api import SmsMobileApiClient

ROOT = Path(__file__).parent.parent
INTEGRATION = ROOT / "custom_components" / "smsmobileapi"
TESTS = ROOT / "tests"

ALL_RULES = {
    "action-setup", "appropriate-polling", "brands", "common-modules",
    "config-flow-test-coverage", "config-flow", "dependency-transparency", "docs-actions",
    "docs-conditions", "docs-high-level-description", "docs-installation-instructions",
    "docs-removal-instructions", "docs-triggers", "entity-event-setup", "entity-unique-id",
    "has-entity-name", "runtime-data", "test-before-configure", "test-before-setup",
    "unique-config-entry", "action-exceptions", "config-entry-unloading",
    "docs-configuration-parameters", "docs-installation-parameters", "entity-unavailable",
    "integration-owner", "log-when-unavailable", "parallel-updates", "reauthentication-flow",
    "test-coverage", "devices", "diagnostics", "discovery", "discovery-update-info",
    "docs-data-update", "docs-examples", "docs-known-limitations", "docs-supported-devices",
    "docs-supported-functions", "docs-troubleshooting", "docs-use-cases", "dynamic-devices",
    "entity-category", "entity-device-class", "entity-disabled-by-default",
    "entity-translations", "exception-translations", "icon-translations",
    "reconfiguration-flow", "repair-issues", "stale-devices", "async-dependency",
    "inject-websession", "strict-typing",
}  # fmt: skip
PLATFORMS = ("binary_sensor", "event", "notify", "sensor")


def _module(name: str) -> ModuleType:
    return importlib.import_module(f"custom_components.smsmobileapi.{name}")


def _test(name: str, *functions: str) -> bool:
    """Whether the test module ``name`` (under tests/) defines these test functions."""
    tree = ast.parse((TESTS / name).read_text(encoding="utf-8"))
    defined = {
        node.name
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    }
    return set(functions) <= defined


def _readme_has(*headings: str) -> bool:
    readme = (ROOT / "README.md").read_text()
    return all(re.search(rf"^#+ {re.escape(h)}", readme, re.MULTILINE) for h in headings)


def _png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", header[16:24])
    return width, height


def _strings() -> dict[str, object]:
    data: dict[str, object] = json.loads((INTEGRATION / "strings.json").read_text())
    return data


def _manifest() -> dict[str, object]:
    data: dict[str, object] = json.loads((INTEGRATION / "manifest.json").read_text())
    return data


def _every_form_field_described() -> bool:
    config = _strings()["config"]
    assert isinstance(config, dict)
    for step in config["step"].values():
        if set(step.get("data", {})) - set(step.get("data_description", {})):
            return False
    return True


def _options_documented() -> bool:
    readme = (ROOT / "README.md").read_text()
    const = _module("const")
    options = {
        value
        for name, value in vars(const).items()
        if name.startswith("CONF_") and isinstance(value, str)
    } - {"auth_type", "base_url", "provider", "cloudhook_url", "number", "channel", "phone", "sim"}
    return all(f"`{option}`" in readme for option in options)


def _sensor_descriptions() -> list[EntityDescription]:
    sensor = _module("sensor")
    return [*sensor.ACCOUNT_SENSORS, *sensor.PHONE_SENSORS]


def _client_signature() -> inspect.Signature:
    return inspect.signature(SmsMobileApiClient.__init__)


EVIDENCE: dict[str, Callable[[], bool]] = {
    "action-setup": lambda: _test("services/test_common.py", "test_actions_exist_without_entries"),
    "appropriate-polling": lambda: (
        timedelta(seconds=60) == _module("const").SMS_SCAN_INTERVAL
        and timedelta(minutes=5) == _module("const").SLOW_SCAN_INTERVAL
    ),
    "brands": lambda: (
        _png_size(INTEGRATION / "brand" / "icon.png") == (256, 256)
        and _png_size(INTEGRATION / "brand" / "icon@2x.png") == (512, 512)
    ),
    "common-modules": lambda: (
        issubclass(_module("coordinator").SmsMobileApiCoordinator, DataUpdateCoordinator)
        and issubclass(_module("entity").SmsMobileApiEntity, CoordinatorEntity)
    ),
    "config-flow-test-coverage": lambda: (
        "--fail-under=100" in (ROOT / "scripts/test").read_text()
        and "config_flow.py" in (ROOT / "scripts/test").read_text()
    ),
    "config-flow": lambda: _manifest()["config_flow"] is True and _every_form_field_described(),
    "docs-actions": lambda: _readme_has("Actions"),
    "docs-high-level-description": lambda: _readme_has("SMSMobileAPI & CALLR for Home Assistant"),
    "docs-installation-instructions": lambda: _readme_has("Prerequisites", "Installation"),
    "docs-removal-instructions": lambda: _readme_has("Removal"),
    "entity-event-setup": lambda: _test(
        "test_events.py", "test_poll_fires_new_sms_once", "test_webhook_gone_after_unload"
    ),
    "entity-unique-id": lambda: (
        "'unique_id'" in (TESTS / "snapshots" / "test_init.ambr").read_text()
    ),
    "has-entity-name": lambda: all(
        # A bare instance reads the class's default (Home Assistant caches _attr_ properties).
        object.__new__(base).has_entity_name is True
        for base in (_module("entity").SmsMobileApiEntity, _module("entity").RecipientEntity)
    ),
    "runtime-data": lambda: (
        annotationlib.call_evaluate_function(
            _module("coordinator").SmsMobileApiConfigEntry.evaluate_value, Format.STRING
        )
        == "ConfigEntry[SmsMobileApiRuntimeData]"
    ),
    "test-before-configure": lambda: _test(
        "test_config_flow.py", "test_api_key_errors_then_recover"
    ),
    "test-before-setup": lambda: _test(
        "test_init.py", "test_invalid_key_starts_reauth", "test_outage_at_setup_retries"
    ),
    "unique-config-entry": lambda: _test(
        "test_config_flow.py",
        "test_same_key_twice_aborts",
        "test_same_account_through_oauth2_aborts",
    ),
    "action-exceptions": lambda: (
        _test("services/test_send_message.py", "test_send_message_invalid_input")
        and _test("services/test_common.py", "test_account_errors_are_translated")
    ),
    "config-entry-unloading": lambda: (
        _test("test_init.py", "test_unload")
        and _test("test_events.py", "test_webhook_gone_after_unload")
    ),
    "docs-configuration-parameters": _options_documented,
    "docs-installation-parameters": lambda: _readme_has("Configuration"),
    "entity-unavailable": lambda: _test("test_init.py", "test_outage_and_recovery"),
    "integration-owner": lambda: bool(_manifest()["codeowners"]),
    "log-when-unavailable": lambda: _test("test_init.py", "test_outage_and_recovery"),
    "parallel-updates": lambda: all(
        isinstance(_module(platform).PARALLEL_UPDATES, int) for platform in PLATFORMS
    ),
    "reauthentication-flow": lambda: (
        callable(getattr(_module("config_flow").SmsMobileApiConfigFlow, "async_step_reauth", None))
        and _test("test_config_flow.py", "test_reauth_with_rotated_key")
    ),
    "test-coverage": lambda: "fail_under = 95" in (ROOT / "pyproject.toml").read_text(),
    "devices": lambda: _test(
        "test_init.py", "test_setup_creates_entities", "test_phones_come_and_go"
    ),
    "diagnostics": lambda: _test("test_diagnostics.py", "test_diagnostics_redacted"),
    "docs-data-update": lambda: _readme_has("How data is updated"),
    "docs-examples": lambda: _readme_has("Automation examples"),
    "docs-known-limitations": lambda: _readme_has("Known limitations"),
    "docs-supported-devices": lambda: _readme_has("Supported phones"),
    "docs-supported-functions": lambda: _readme_has("Entities", "Events"),
    "docs-troubleshooting": lambda: _readme_has("Troubleshooting"),
    "docs-use-cases": lambda: _readme_has("Use cases"),
    "dynamic-devices": lambda: _test("test_init.py", "test_phones_come_and_go"),
    "entity-category": lambda: any(
        description.entity_category is EntityCategory.DIAGNOSTIC
        for description in _sensor_descriptions()
    ),
    "entity-device-class": lambda: (
        any(d.device_class is SensorDeviceClass.BATTERY for d in _sensor_descriptions())
        and _module("binary_sensor").ONLINE.device_class is BinarySensorDeviceClass.CONNECTIVITY
    ),
    "entity-disabled-by-default": lambda: any(
        description.entity_registry_enabled_default is False
        for description in _sensor_descriptions()
    ),
    "entity-translations": lambda: _test("test_translations.py", "test_entities_named_and_iconed"),
    "exception-translations": lambda: _test("test_translations.py", "test_keys_used_in_code_exist"),
    "icon-translations": lambda: _test("test_translations.py", "test_entities_named_and_iconed"),
    "reconfiguration-flow": lambda: (
        callable(
            getattr(_module("config_flow").SmsMobileApiConfigFlow, "async_step_reconfigure", None)
        )
        and _test("test_config_flow.py", "test_reconfigure_server_url")
    ),
    "repair-issues": lambda: _test(
        "test_repairs.py", "test_subscription_expired", "test_phone_not_syncing"
    ),
    "stale-devices": lambda: _test("test_init.py", "test_remove_stale_device"),
    "async-dependency": lambda: all(
        inspect.iscoroutinefunction(getattr(SmsMobileApiClient, name))
        for name in ("send_message", "get_received_sms", "get_phones")
    ),
    "inject-websession": lambda: (
        _client_signature().parameters["session"].annotation == "aiohttp.ClientSession"
    ),
    "strict-typing": lambda: (
        "strict = true" in (ROOT / "pyproject.toml").read_text()
        and (INTEGRATION / "api" / "py.typed").exists()
        and "mypy" in (ROOT / "scripts/test").read_text()
    ),
}


def _rules() -> dict[str, object]:
    rules = load_yaml_dict(str(INTEGRATION / "quality_scale.yaml"))["rules"]
    assert isinstance(rules, dict)
    return rules


def test_every_rule_listed_once() -> None:
    """All 54 rules, no unknown one."""
    assert set(_rules()) == ALL_RULES
    assert len(ALL_RULES) == 54


def test_exemptions_are_explained() -> None:
    """An exempt rule says why."""
    for rule, status in _rules().items():
        if status != "done":
            assert isinstance(status, dict), rule
            assert status["status"] == "exempt", rule
            assert len(status["comment"]) > 20, rule


@pytest.mark.parametrize("rule", sorted(EVIDENCE))
def test_done_rule_has_evidence(rule: str) -> None:
    """A rule marked done is shown by the code, a file or a test."""
    assert _rules()[rule] == "done"
    assert EVIDENCE[rule](), f"{rule} is marked done but its evidence is missing"


def test_every_done_rule_is_checked() -> None:
    """No rule is marked done without a check here."""
    done = {rule for rule, status in _rules().items() if status == "done"}
    assert done == set(EVIDENCE)
