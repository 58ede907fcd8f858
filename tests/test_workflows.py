"""GitHub workflows (they cannot run here): valid YAML with the expected jobs; release notes."""

import json
from pathlib import Path
import re
from typing import Any

import pytest
import yaml

from scripts.release_notes import main as release_notes_main, notes, versions

ROOT = Path(__file__).parent.parent
WORKFLOWS = ROOT / ".github" / "workflows"
CHANGELOG = (ROOT / "CHANGELOG.md").read_text()


def _workflow(name: str) -> dict[Any, Any]:
    data = yaml.safe_load((WORKFLOWS / name).read_text())
    assert isinstance(data, dict)
    assert data.get("name")
    # YAML 1.1 reads the key `on` as True.
    assert "on" in data or True in data
    assert data["jobs"]
    for job in data["jobs"].values():
        assert job["runs-on"]
        assert job["steps"]
    return data


def _triggers(data: dict[Any, Any]) -> dict[str, Any]:
    triggers: dict[str, Any] = data.get("on", data.get(True))
    return triggers


def _uses(job: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {step["uses"].split("@")[0]: step for step in job["steps"] if "uses" in step}


def test_every_workflow_is_valid_yaml() -> None:
    """Each file parses, names itself, has triggers and jobs with steps."""
    files = sorted(path.name for path in WORKFLOWS.glob("*.y*ml"))
    assert files == ["release.yml", "test.yml", "validate.yml"]
    for name in files:
        _workflow(name)


def test_validate_runs_hacs_and_hassfest() -> None:
    """The HACS action (category integration) and hassfest, on pushes and pull requests."""
    data = _workflow("validate.yml")
    assert {"push", "pull_request"} <= set(_triggers(data))
    hacs = _uses(data["jobs"]["hacs"])["hacs/action"]
    assert hacs["with"] == {"category": "integration"}
    assert "home-assistant/actions/hassfest" in _uses(data["jobs"]["hassfest"])


def test_test_workflow_runs_scripts_test_on_debian() -> None:
    """scripts/test through .ci/run, in a privileged Debian 12 container (the sysroot)."""
    data = _workflow("test.yml")
    assert {"push", "pull_request"} <= set(_triggers(data))
    job = data["jobs"]["test"]
    assert job["container"]["image"] == "debian:12"
    assert "--privileged" in job["container"]["options"]
    assert any(step.get("run") == "bash .ci/run" for step in job["steps"])
    assert "scripts/test" in (ROOT / ".ci" / "run").read_text()


def test_release_workflow_publishes_the_changelog_notes() -> None:
    """On a v* tag: the tag must match the manifest; the notes come from CHANGELOG.md."""
    data = _workflow("release.yml")
    assert _triggers(data) == {"push": {"tags": ["v*"]}}
    assert data["permissions"] == {"contents": "write"}
    script = "\n".join(step.get("run", "") for step in data["jobs"]["release"]["steps"])
    assert "manifest.json" in script
    assert "python -m scripts.release_notes" in script
    assert "gh release create" in script
    assert "--notes-file release-notes.md" in script


def test_changelog_newest_version_is_the_manifest_version() -> None:
    """Keep a Changelog, newest first; its newest version is the manifest's."""
    manifest = json.loads(
        (ROOT / "custom_components" / "smsmobileapi" / "manifest.json").read_text()
    )
    found = versions(CHANGELOG)
    assert found[0] == manifest["version"]
    assert found == sorted(found, key=lambda v: tuple(int(p) for p in v.split(".")), reverse=True)
    assert len(found) == len(set(found))
    assert CHANGELOG.startswith("# Changelog")
    for version in found:
        assert re.search(rf"^\[{re.escape(version)}\]: https://", CHANGELOG, re.MULTILINE)


def test_release_notes_are_one_section() -> None:
    """A version's notes: its own section only, without heading or link references."""
    text = (
        "# Changelog\n\n## [1.1.0] - Unreleased\n\n### Added\n\n- New thing.\n\n"
        "## [1.0.0] - 2026-01-01\n\n- Old thing.\n\n[1.1.0]: https://x/1\n[1.0.0]: https://x/0\n"
    )
    assert versions(text) == ["1.1.0", "1.0.0"]
    assert notes(text, "1.1.0") == "### Added\n\n- New thing.\n"
    assert notes(text, "1.0.0") == "- Old thing.\n"
    with pytest.raises(KeyError):
        notes(text, "9.9.9")


def test_release_notes_command(capsys: pytest.CaptureFixture[str]) -> None:
    """The command prints the newest notes, a tag's notes, and fails on an unknown version."""
    newest = versions(CHANGELOG)[0]
    assert release_notes_main([]) == 0
    printed = capsys.readouterr().out
    assert printed == notes(CHANGELOG, newest)
    assert printed.strip()
    assert release_notes_main([f"v{newest}"]) == 0
    assert capsys.readouterr().out == printed
    assert release_notes_main(["0.0.1"]) == 1
