"""Long CPU-bound checks that run beside the suite: started as the session starts, asserted at its end.

The two model-rebuild checks (`kg train --check`, `kg train-questions --check`) train whole models again,
minutes of one core each, while most of the suite waits on Neo4j, Chromium and subprocesses with a core to
spare. A test marked ``@pytest.mark.background("name")`` asserts the result of the command ``COMMANDS[name]``:
when the test is collected, the command starts at once (in a process of its own, at a lower priority, so it
takes the idle core and never the suite's, until the suite reaches its end and only waits), the test moves to
the end of the run, and there it waits for the command and asserts its exit status and output like any other.
A test not collected starts nothing.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

KG = str(Path(sys.executable).with_name("kg"))
# Each command as a user runs it, on the embedded store (the rebuilds read the repo's files, never a store).
COMMANDS = {
    "train": [KG, "train", "--check"],
    "train-questions": [KG, "train-questions", "--check"],
}
PATIENCE = 1800  # seconds a command may still need once its test is reached; a hung rebuild fails, never stalls
NICENESS = 10


@dataclass
class Finished:
    """A background command's exit status and what it printed."""

    returncode: int
    stdout: str
    stderr: str


class Background:
    """The background commands of one session, each started once, in a folder of its own."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="kg-test-background-"))
        self.running: dict[str, subprocess.Popen[bytes]] = {}
        self.finished: dict[str, Finished] = {}

    def start(self, name: str) -> None:
        if name in self.running:
            return
        if name not in COMMANDS:
            raise KeyError(f"@pytest.mark.background({name!r}): no such command in tests/background.py COMMANDS")
        folder = self.folder / name
        folder.mkdir()
        environment = {**os.environ, "KG_STORE": "memory", "KG_DATA_FILE": str(folder / "graph.sqlite")}
        with (folder / "stdout").open("wb") as stdout, (folder / "stderr").open("wb") as stderr:
            # Files, not pipes: nobody reads a pipe until the test comes, and a full one would stall the command.
            process = subprocess.Popen(COMMANDS[name], env=environment, stdout=stdout, stderr=stderr,
                                       stdin=subprocess.DEVNULL)
        os.setpriority(os.PRIO_PROCESS, process.pid, NICENESS)
        self.running[name] = process

    def result(self, name: str) -> Finished:
        """Wait for the command (``PATIENCE`` seconds at most) and give what it did."""
        if name not in self.finished:
            for waiting in self.running.values():
                # The suite has reached its end and waits: nothing of its own is left to yield to. Raising a
                # priority again needs root (or CAP_SYS_NICE); elsewhere the command keeps the lower one.
                with contextlib.suppress(PermissionError, ProcessLookupError):
                    os.setpriority(os.PRIO_PROCESS, waiting.pid, 0)
            process = self.running[name]
            try:
                returncode = process.wait(timeout=PATIENCE)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
                pytest.fail(f"{' '.join(COMMANDS[name][1:])} still ran {PATIENCE} s after its test was reached")
            folder = self.folder / name
            self.finished[name] = Finished(returncode, (folder / "stdout").read_text(encoding="utf-8"),
                                           (folder / "stderr").read_text(encoding="utf-8"))
        return self.finished[name]

    def close(self) -> None:
        """Stop what still runs (a run cut short by -x or Ctrl-C) and remove the folder."""
        for process in self.running.values():
            if process.poll() is None:
                process.kill()
                process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)
