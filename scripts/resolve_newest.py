"""Start the newest Home Assistant once, with pip allowed, so it installs what its components need.

Run by ``scripts/setup --update-newest`` before it records ``pip freeze`` in
``requirements_newest.txt``: Home Assistant installs a component's requirements (the frontend,
the recorder's database driver...) when it first sets the component up, so a start with our
configuration, an owner and an entry of ours brings them all into the environment.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
import sys
import tempfile

import aiohttp

from scripts.hass_harness import Stack, prepare_stack


async def resolve(config_dir: Path) -> str:
    """Run Home Assistant to a loaded entry; returns its version."""
    with Stack(config_dir, skip_pip=False, output=config_dir / "console.log") as stack:
        async with aiohttp.ClientSession() as session:
            _owner, token, _entry = await prepare_stack(stack, session, start_within=900)
            config = await stack.request(session, "GET", "/api/config", token=token)
    version: str = config["version"]
    return version


def main() -> int:
    """Print the version that ran."""
    with tempfile.TemporaryDirectory(prefix="ha-resolve-") as tmp:
        version = asyncio.run(resolve(Path(tmp)))
    print(f"Home Assistant {version} started with everything it needs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
