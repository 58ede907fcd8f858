"""quality_scale.yaml is complete and honest: each rule marked done is shown by code or a test.

Home Assistant's hassfest skips this file for custom integrations, so this test stands in for it.
"""

from collections.abc import Callable
import json
from pathlib import Path
import re
import struct

from homeassistant.util.yaml import load_yaml_dict
import pytest

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


def _code(name: str) -> str:
    return (INTEGRATION / name).read_text()


def _all_code() -> str:
    return "\n".join(path.read_text() for path in INTEGRATION.rglob("*.py"))


def _test(name: str, *functions: str) -> bool:
    text = (TESTS / name).read_text()
    return all(f"def {function}(" in text for function in functions)


def _readme_has(*headings: str) -> bool:
    readme = (ROOT / "README.md").read_text()
    return all(re.search(rf"^#+ {re.escape(h)}", readme, re.MULTILINE) for h in headings)


def _png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", header[16:24])
    return width, height


def _strings() -> dict[str, object]:
    data: dict[str, object] = json.loads(_code("strings.json"))
    return data


def _every_form_field_described() -> bool:
    config = _strings()["config"]
    assert isinstance(config, dict)
    for step in config["step"].values():
        if set(step.get("data", {})) - set(step.get("data_description", {})):
            return False
    return True


def _no_literal_exception_messages() -> bool:
    pattern = re.compile(r"raise (HomeAssistantError|ServiceValidationError|UpdateFailed)\(\"")
    return not pattern.search(_all_code())


def _options_documented() -> bool:
    readme = (ROOT / "README.md").read_text()
    options = re.findall(r'^CONF_\w+: Final = "(\w+)"', _code("const.py"), re.MULTILINE)
    return all(f"`{option}`" in readme for option in options if option not in {
        "auth_type", "base_url", "provider", "cloudhook_url"
    })  # fmt: skip


EVIDENCE: dict[str, Callable[[], bool]] = {
    "action-setup": lambda: (
        "async_setup_services" in _code("__init__.py")
        and "def async_setup(" in _code("__init__.py")
    ),
    "appropriate-polling": lambda: (
        "timedelta(seconds=60)" in _code("const.py") and "timedelta(minutes=5)" in _code("const.py")
    ),
    "brands": lambda: (
        _png_size(INTEGRATION / "brand" / "icon.png") == (256, 256)
        and _png_size(INTEGRATION / "brand" / "icon@2x.png") == (512, 512)
    ),
    "common-modules": lambda: (
        "DataUpdateCoordinator" in _code("coordinator.py")
        and "CoordinatorEntity" in _code("entity.py")
    ),
    "config-flow-test-coverage": lambda: (
        "--fail-under=100" in (ROOT / "scripts/test").read_text()
        and "config_flow.py" in (ROOT / "scripts/test").read_text()
    ),
    "config-flow": lambda: (
        json.loads(_code("manifest.json"))["config_flow"] is True and _every_form_field_described()
    ),
    "docs-actions": lambda: _readme_has("Actions"),
    "docs-high-level-description": lambda: _readme_has("SMSMobileAPI for Home Assistant"),
    "docs-installation-instructions": lambda: _readme_has("Prerequisites", "Installation"),
    "docs-removal-instructions": lambda: _readme_has("Removal"),
    "entity-event-setup": lambda: (
        "async_on_remove(" in _code("event.py") and "async_dispatcher_connect(" in _code("event.py")
    ),
    "entity-unique-id": lambda: (
        "_attr_unique_id" in _code("entity.py")
        and "'unique_id'" in (TESTS / "snapshots" / "test_init.ambr").read_text()
    ),
    "has-entity-name": lambda: "_attr_has_entity_name = True" in _code("entity.py"),
    "runtime-data": lambda: (
        "ConfigEntry[SmsMobileApiRuntimeData]" in _code("coordinator.py")
        and "hass.data[" not in _all_code()
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
        "ServiceValidationError(" in _code("services.py")
        and "HomeAssistantError(" in _code("services.py")
    ),
    "config-entry-unloading": lambda: (
        "async_unload_platforms" in _code("__init__.py")
        and _test("test_init.py", "test_unload")
        and _test("test_events.py", "test_webhook_gone_after_unload")
    ),
    "docs-configuration-parameters": _options_documented,
    "docs-installation-parameters": lambda: _readme_has("Configuration"),
    "entity-unavailable": lambda: _test("test_init.py", "test_outage_and_recovery"),
    "integration-owner": lambda: bool(json.loads(_code("manifest.json"))["codeowners"]),
    "log-when-unavailable": lambda: _test("test_init.py", "test_outage_and_recovery"),
    "parallel-updates": lambda: all(
        re.search(r"^PARALLEL_UPDATES = \d+$", _code(f"{platform}.py"), re.MULTILINE)
        for platform in PLATFORMS
    ),
    "reauthentication-flow": lambda: (
        "async_step_reauth" in _code("config_flow.py")
        and _test("test_config_flow.py", "test_reauth_with_rotated_key")
    ),
    "test-coverage": lambda: "fail_under = 95" in (ROOT / "pyproject.toml").read_text(),
    "devices": lambda: "DeviceInfo(" in _code("entity.py"),
    "diagnostics": lambda: (
        "async_redact_data" in _code("diagnostics.py")
        and _test("test_diagnostics.py", "test_diagnostics_redacted")
    ),
    "docs-data-update": lambda: _readme_has("How data is updated"),
    "docs-examples": lambda: _readme_has("Automation examples"),
    "docs-known-limitations": lambda: _readme_has("Known limitations"),
    "docs-supported-devices": lambda: _readme_has("Supported phones"),
    "docs-supported-functions": lambda: _readme_has("Entities", "Events"),
    "docs-troubleshooting": lambda: _readme_has("Troubleshooting"),
    "docs-use-cases": lambda: _readme_has("Use cases"),
    "dynamic-devices": lambda: _test("test_init.py", "test_phones_come_and_go"),
    "entity-category": lambda: "EntityCategory.DIAGNOSTIC" in _code("sensor.py"),
    "entity-device-class": lambda: (
        "SensorDeviceClass.BATTERY" in _code("sensor.py")
        and "BinarySensorDeviceClass.CONNECTIVITY" in _code("binary_sensor.py")
    ),
    "entity-disabled-by-default": lambda: (
        "entity_registry_enabled_default=False" in _code("sensor.py")
    ),
    "entity-translations": lambda: _test("test_translations.py", "test_entities_named_and_iconed"),
    "exception-translations": _no_literal_exception_messages,
    "icon-translations": lambda: (
        "_attr_icon" not in _all_code() and (TESTS / "test_translations.py").exists()
    ),
    "reconfiguration-flow": lambda: (
        "async_step_reconfigure" in _code("config_flow.py")
        and _test("test_config_flow.py", "test_reconfigure_server_url")
    ),
    "repair-issues": lambda: (
        "ir.async_create_issue" in _code("repairs.py")
        and _test("test_repairs.py", "test_subscription_expired", "test_phone_not_syncing")
    ),
    "stale-devices": lambda: (
        "remove_config_entry_id" in _code("__init__.py")
        and _test("test_init.py", "test_remove_stale_device")
    ),
    "async-dependency": lambda: (
        "import aiohttp" in _code("api/client.py") and "import requests" not in _all_code()
    ),
    "inject-websession": lambda: (
        "session: aiohttp.ClientSession" in _code("api/client.py")
        and "async_get_clientsession(hass)" in _code("__init__.py")
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
