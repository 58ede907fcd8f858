"""Find processes by their command line (Linux /proc), to prove none is left behind."""

import contextlib
from dataclasses import dataclass
import os
from pathlib import Path
import signal


@dataclass(frozen=True)
class Process:
    """A running process and its command line."""

    pid: int
    cmdline: str

    def kill(self) -> None:
        """SIGKILL it (it may have gone already)."""
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGKILL)


def processes_mentioning(text: str) -> list[Process]:
    """Processes other than this one whose command line contains ``text``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            raw = (entry / "cmdline").read_bytes()
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        cmdline = raw.replace(b"\0", b" ").decode(errors="replace").strip()
        if text in cmdline and state != "Z":
            found.append(Process(int(entry.name), cmdline))
    return found
