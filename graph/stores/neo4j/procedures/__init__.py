"""The project's Neo4j procedures: Java we write, compiled against the server's own jars into its plugins folder.

A path search is a conversation of many small steps whose cost is set by which side of a bidirectional search
expands; Cypher's shortest-path planning cannot choose that side by degree, and a client that chooses it pays a
round trip a level and receives a hub's neighbours. ``kg.paths`` runs the search inside the server, so a request
is one statement (``cypher/paths.cypher``). A neighbourhood in Cypher reads properties of every claim it passes
(a property a relationship lacks costs a walk over all of its properties) and reads a hub's claims again for its
links; ``kg.neighbourhood`` walks by type and ends alone and keeps what it read (``cypher/walk.cypher``).

The local server this project manages (``kg neo4j start``) installs the procedure when it starts, compiled by the
JDK's ``javac`` against the jars the server runs on; the jar's name and the procedure's description carry a digest
of the source, so the store uses a procedure only when it is the build of the source it ships. A server without it
(a shared server, the Docker route, a machine with no JDK) is asked level by level instead, with the same answers.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import tempfile
import zipfile
from functools import cache
from pathlib import Path

from graph.domain.errors import StoreUnavailable

SOURCES = sorted(Path(__file__).parent.glob("*.java"))
JAR_PREFIX = "kg-procedures-"
NAMES = frozenset({"kg.paths", "kg.neighbourhood"})  # what the store calls; a build holds them all


@cache
def digest() -> str:
    """What names this build of the procedures: a digest of their sources."""
    hashed = hashlib.sha256()
    for source in SOURCES:
        hashed.update(source.name.encode() + b"\0" + source.read_bytes())
    return hashed.hexdigest()[:16]


def install(jars: Path, plugins: Path) -> Path | None:
    """Compile the procedures into ``plugins`` (once per build), removing older builds; ``None`` without a JDK.

    Compiling takes a few seconds and happens only when the sources changed, so a server restarted on the same
    code starts as fast as before. A compiler error is a fault in our sources and is raised, not hidden.
    """
    jar = plugins / f"{JAR_PREFIX}{digest()}.jar"
    if jar.exists():
        return jar
    javac = shutil.which("javac")
    if javac is None:
        return None
    plugins.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="kg-procedures-") as scratch:
        work = Path(scratch)
        version = work / "Version.java"
        body = f'final class Version {{\n    static final String SOURCE = "{digest()}";\n}}\n'
        version.write_text(f"package kg;\n\n{body}", encoding="utf-8")
        classes = work / "classes"
        done = subprocess.run(  # noqa: S603
            [javac, "--release", "17", "-nowarn", "-d", str(classes), "-cp", str(jars / "*"),
             *map(str, SOURCES), str(version)], capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise StoreUnavailable(f"compiling the Neo4j procedures failed: {(done.stdout + done.stderr)[-2000:]}")
        partial = jar.with_suffix(".partial")
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(classes.rglob("*.class")):
                archive.write(path, path.relative_to(classes).as_posix())
        for old in plugins.glob(f"{JAR_PREFIX}*.jar"):
            old.unlink()
        partial.rename(jar)
    return jar
