"""Metadata, checked as hassfest and the HACS action would for a custom integration."""

import json
from pathlib import Path
import re

from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from homeassistant.util.yaml import load_yaml_dict

from custom_components.smsmobileapi.const import DOMAIN

ROOT = Path(__file__).parent.parent
INTEGRATION = ROOT / "custom_components" / DOMAIN
MANIFEST_KEYS = {
    "domain", "name", "after_dependencies", "codeowners", "config_flow", "dependencies",
    "documentation", "integration_type", "iot_class", "issue_tracker", "loggers",
    "quality_scale", "requirements", "single_config_entry", "version",
}  # fmt: skip


def _manifest_text() -> str:
    return (INTEGRATION / "manifest.json").read_text()


def test_manifest_required_keys_and_values() -> None:
    """The keys a custom integration needs, with values that fit."""
    manifest = json.loads(_manifest_text())
    assert manifest["domain"] == DOMAIN
    assert manifest["name"] == "SMSMobileAPI & CALLR"
    assert re.fullmatch(r"\d+\.\d+\.\d+", manifest["version"])
    assert manifest["codeowners"]
    assert all(owner.startswith("@") for owner in manifest["codeowners"])
    assert manifest["documentation"].startswith("https://")
    assert manifest["issue_tracker"].startswith("https://")
    assert manifest["iot_class"] == "cloud_push"
    assert manifest["config_flow"] is True
    assert "webhook" in manifest["dependencies"]
    assert set(manifest) <= MANIFEST_KEYS, set(manifest) - MANIFEST_KEYS
    for requirement in manifest["requirements"]:
        assert re.fullmatch(r"[A-Za-z0-9_.-]+==[0-9][0-9A-Za-z.]*", requirement)


def test_manifest_key_order() -> None:
    """Hassfest's order: domain, name, then the rest alphabetically."""
    keys = list(json.loads(_manifest_text()))
    assert keys[:2] == ["domain", "name"]
    assert keys[2:] == sorted(keys[2:])


def test_requirements_match_the_test_environment() -> None:
    """The manifest's pinned requirement is the one the tests run with."""
    manifest = json.loads(_manifest_text())
    common = (ROOT / "requirements_common.txt").read_text()
    for requirement in manifest["requirements"]:
        assert requirement in common


def test_hacs_json() -> None:
    """HACS' schema: name, homeassistant, render_readme; nothing unknown."""
    hacs = json.loads((ROOT / "hacs.json").read_text())
    assert set(hacs) <= {
        "name", "content_in_root", "zip_release", "filename", "hide_default_branch",
        "country", "homeassistant", "hacs", "persistent_directory", "render_readme",
    }  # fmt: skip
    assert hacs["name"] == "SMSMobileAPI & CALLR"
    assert hacs["render_readme"] is True
    # The minimum declared is the one CI tests (requirements_min.txt pins its test harness).
    assert re.fullmatch(r"20\d\d\.\d+\.\d+", hacs["homeassistant"])
    assert "0.13.318" in (ROOT / "requirements_min.txt").read_text()
    assert hacs["homeassistant"] == "2026.3.2"


def test_repository_files_hacs_wants() -> None:
    """A license, a README with a description, one integration in custom_components."""
    assert "MIT License" in (ROOT / "LICENSE").read_text()
    readme = (ROOT / "README.md").read_text()
    assert readme.startswith("# SMSMobileAPI & CALLR for Home Assistant")
    assert "## Installation" in readme
    assert [path.name for path in (ROOT / "custom_components").iterdir() if path.is_dir()] == [
        DOMAIN
    ]


async def test_services_yaml_matches_registered_actions(hass: HomeAssistant) -> None:
    """Every action registered at setup is described in services.yaml, and nothing else is."""
    assert await async_setup_component(hass, DOMAIN, {})
    described = set(load_yaml_dict(str(INTEGRATION / "services.yaml")))
    registered = set(hass.services.async_services_for_domain(DOMAIN))
    assert registered
    assert described == registered
