"""Shared by the tests that run a real Home Assistant (run in the newest-release environment)."""

from collections.abc import Iterator
from pathlib import Path

from homeassistant.const import __version__ as HA_VERSION  # noqa: N812
import pytest

from tests.live.processes import processes_mentioning


def pytest_report_header() -> str:
    """Say which Home Assistant runs (the newest release recorded in requirements_newest.txt)."""
    return f"Home Assistant {HA_VERSION} (requirements_newest.txt)"


@pytest.fixture
def no_leftovers(tmp_path: Path) -> Iterator[Path]:
    """A directory for one test's Home Assistant; fails the test if a process outlives it."""
    yield tmp_path
    left = processes_mentioning(str(tmp_path))
    for pid in left:
        pid.kill()
    assert left == [], f"processes left behind: {[pid.cmdline for pid in left]}"
