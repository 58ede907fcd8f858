"""Print one version's section of CHANGELOG.md (the release workflow's notes); also a checker.

python -m scripts.release_notes 0.2.0   # the notes of 0.2.0
python -m scripts.release_notes         # the newest version
"""

from __future__ import annotations

from pathlib import Path
import re
import sys

ROOT = Path(__file__).resolve().parent.parent
CHANGELOG = ROOT / "CHANGELOG.md"
VERSION_HEADING = re.compile(r"^## \[(?P<version>\d+\.\d+\.\d+)\](?: - (?P<date>.+))?$")


def versions(text: str) -> list[str]:
    """The versions of a changelog, in the order they appear (newest first)."""
    return [m["version"] for line in text.splitlines() if (m := VERSION_HEADING.match(line))]


def notes(text: str, version: str) -> str:
    """The body of one version's section, without its heading and link references."""
    lines = text.splitlines()
    body: list[str] | None = None
    for line in lines:
        match = VERSION_HEADING.match(line)
        if body is None:
            if match and match["version"] == version:
                body = []
            continue
        if match or line.startswith("## ") or re.match(r"^\[[^\]]+\]: ", line):
            break
        body.append(line)
    if body is None:
        raise KeyError(f"no section for {version} in the changelog")
    return "\n".join(body).strip() + "\n"


def main(argv: list[str]) -> int:
    """Print the notes of the version given, or of the newest one."""
    text = CHANGELOG.read_text()
    version = argv[0].removeprefix("v") if argv else versions(text)[0]
    try:
        sys.stdout.write(notes(text, version))
    except KeyError as err:
        sys.stderr.write(f"{err.args[0]}\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
