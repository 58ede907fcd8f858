"""hacs.json as Home Assistant's Marketplace (2026.11 and later) reads it, with its own code."""

import json
from pathlib import Path

from homeassistant.components.marketplace.repositories.base import RepositoryManifest
from homeassistant.components.marketplace.utils.validate import REPOSITORY_MANIFEST_VALUES

ROOT = Path(__file__).resolve().parents[2]


def test_hacs_json_is_valid_for_the_marketplace() -> None:
    """Every Marketplace key we set validates and is taken; the rest is HACS' own."""
    hacs = json.loads((ROOT / "hacs.json").read_text())
    ours = {key: value for key, value in hacs.items() if key in REPOSITORY_MANIFEST_VALUES}
    assert {"name", "homeassistant"} <= set(ours)
    for key, value in ours.items():
        REPOSITORY_MANIFEST_VALUES[key](value)
    manifest = RepositoryManifest.from_dict(hacs)
    assert manifest.name == hacs["name"]
    assert manifest.homeassistant == hacs["homeassistant"]
    # The integration lives in custom_components/, not at the root, and is not zipped.
    assert manifest.content_in_root is False
    assert manifest.zip_release is False
    assert set(hacs) - set(REPOSITORY_MANIFEST_VALUES) <= {"render_readme", "country"}
