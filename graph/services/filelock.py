"""One lock for the files several processes read and rewrite: the review queue and the decision logs.

The API serves requests on several threads and the command line may run beside it, so every
read-modify-write of such a file holds an exclusive lock on a ``.lock`` file beside it; nothing written
by one writer is lost to another.
"""

from __future__ import annotations

import contextlib
import fcntl
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def locked_beside(path: Path) -> Iterator[None]:
    """Hold the exclusive lock of ``path`` (its folder made if missing) for the ``with`` block."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.with_name(path.name + ".lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
