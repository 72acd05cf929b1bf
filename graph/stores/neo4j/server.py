"""A local Neo4j server for people and tests, on machines with or without a Docker engine.

Where a Docker engine answers, the official image runs. Elsewhere Neo4j Community comes
from Maven Central (the jars named in ``server.pom.xml``, fetched once by Maven into
a cache beside the instance) and runs on Java 17 through its own entry point. Either way
the server listens on 127.0.0.1 only, with Bolt, HTTP and Neo4j Browser, and a password
that is generated once and kept (mode 0600) with the instance.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import string
import subprocess
import time
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Literal

from graph.domain.errors import StoreUnavailable
from graph.stores.neo4j import procedures

POM = Path(__file__).with_name("server.pom.xml")
ENTRY_POINT = "org.neo4j.server.CommunityEntryPoint"
ADMIN_TOOL = "org.neo4j.cli.AdminTool"
DOCKER_IMAGE = "neo4j:5.26-community"
USER = "neo4j"
START_TIMEOUT = 180.0
# When Neo4j's memory recommendation cannot be had (no jars yet, the Docker route): what it used to be.
FALLBACK_HEAP = "1g"
FALLBACK_PAGECACHE = "512m"
STOP_TIMEOUT = 60.0

Method = Literal["auto", "java", "docker"]
_PASSWORD_ALPHABET = string.ascii_letters + string.digits


class ServerError(StoreUnavailable):
    """The local server could not be fetched, started or stopped."""

    code = "neo4j_server_error"


@dataclass(frozen=True)
class ServerStatus:
    """What `kg neo4j status --json` prints: enough for a driver or a person to connect."""

    running: bool
    bolt_uri: str
    http_uri: str
    user: str
    password: str
    method: str | None = None
    pid: int | None = None
    version: str | None = None
    home: str | None = None

    def public(self) -> dict[str, object]:
        """The status as JSON-ready data."""
        return asdict(self)


def neo4j_version() -> str:
    """The Neo4j version the pom pins: the one place it is written."""
    namespace = {"m": "http://maven.apache.org/POM/4.0.0"}
    found = ET.parse(POM).getroot().find("m:properties/m:neo4j.version", namespace)  # noqa: S314 (our own file)
    if found is None or not found.text:
        raise ServerError(f"{POM} does not name a neo4j.version")
    return found.text.strip()


class LocalServer:
    """One Neo4j instance in ``home`` (configuration, data, logs, pid, credentials)."""

    def __init__(self, home: Path, *, bolt_port: int = 7687, http_port: int = 7474,
                 password: str | None = None, heap: str | None = None, pagecache: str | None = None) -> None:
        self.home = home.resolve()
        self._heap = heap
        self._pagecache = pagecache
        self.bolt_port = bolt_port
        self.http_port = http_port
        self._wanted_password = password
        self.version = neo4j_version()
        self.jars = self.home.parent / f"neo4j-{self.version}-jars"

    # --- what a client needs ------------------------------------------------------------

    @property
    def bolt_uri(self) -> str:
        return f"bolt://127.0.0.1:{self.bolt_port}"

    @property
    def http_uri(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def _credentials_file(self) -> Path:
        return self.home / "credentials.json"

    @property
    def _pid_file(self) -> Path:
        return self.home / "run" / "neo4j.pid"

    @property
    def _container(self) -> str:
        return f"kg-neo4j-{self.bolt_port}"

    def password(self) -> str:
        """The instance's password: the one it was created with, else the one asked for, else new."""
        if self._credentials_file.exists():
            stored: str = json.loads(self._credentials_file.read_text(encoding="utf-8"))["password"]
            return stored
        # Letters and digits only: a generated password starting with "-" would read as an option.
        return self._wanted_password or "".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(24))

    def _remember_password(self, password: str) -> None:
        self.home.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(self._credentials_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            json.dump({"user": USER, "password": password}, handle)

    def status(self) -> ServerStatus:
        """Whether this instance runs and answers, and how to reach it."""
        method, pid = self._running()
        return ServerStatus(
            running=method is not None and self._answers(), bolt_uri=self.bolt_uri, http_uri=self.http_uri,
            user=USER, password=self.password(), method=method, pid=pid, version=self.version, home=str(self.home),
        )

    # --- start and stop -----------------------------------------------------------------

    def start(self, method: Method = "auto", timeout: float = START_TIMEOUT) -> ServerStatus:
        """Start the instance (a no-op if it already runs) and wait until Bolt and HTTP answer."""
        current = self.status()
        if current.running:
            return current
        if current.method is not None:
            self.stop()
        chosen = self._choose(method)
        self._check_ports_free()
        password = self.password()
        pid = None
        log_offset = self._log_size()
        if chosen == "docker":
            self._start_docker(password)
        else:
            self._fetch()
            pid = self._start_java(password)
        self._remember_password(password)
        self._wait(timeout, pid, log_offset)
        return self.status()

    def stop(self) -> bool:
        """Stop the instance; ``False`` when it was not running."""
        method, pid = self._running()
        if method == "docker":
            subprocess.run(["docker", "rm", "-f", self._container], capture_output=True, check=False)  # noqa: S603,S607
            return True
        if pid is None:
            return False
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT
        while time.monotonic() < deadline and _alive(pid):
            time.sleep(0.2)
        if _alive(pid):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGKILL)
        self._pid_file.unlink(missing_ok=True)
        return True

    def kill(self) -> bool:
        """Kill the server at once (SIGKILL), as a crash or the machine's OOM killer would; ``False`` when it was not
        running. For fault tests: Neo4j recovers from its transaction log on the next start."""
        method, pid = self._running()
        if method == "docker":
            subprocess.run(["docker", "kill", self._container], capture_output=True, check=False)  # noqa: S603,S607
            subprocess.run(["docker", "rm", "-f", self._container], capture_output=True, check=False)  # noqa: S603,S607
            return True
        if pid is None:
            return False
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGKILL)
        deadline = time.monotonic() + STOP_TIMEOUT
        while time.monotonic() < deadline and _alive(pid):
            time.sleep(0.1)
        self._pid_file.unlink(missing_ok=True)
        return True

    def admin_import(self, nodes: list[Path], relationships: Sequence[Path | Sequence[Path]], *,
                     database: str = "neo4j", array_delimiter: str = ";") -> str:
        """Run Neo4j's own bulk importer (``neo4j-admin database import full``) into ``database`` of this instance,
        which must be stopped; what was there is replaced. Returns the tool's report.

        The files are CSV in the importer's header format (``graph.services.export.admin_csv`` writes them); fields may
        span lines (report texts do). A sequence among ``relationships`` is one group: its first file has the header,
        the others continue it.
        """
        if self._running()[0] is not None:
            raise ServerError(f"stop the Neo4j instance in {self.home} first (`kg neo4j stop`): "
                              "neo4j-admin imports only into a database that is not running")
        self._fetch()
        conf = self._configure()
        # The database first: --nodes and --relationships take several files each and would swallow it.
        command = [_java(), "-cp", str(self.jars / "*"), ADMIN_TOOL, "database", "import", "full", database,
                   "--overwrite-destination=true", "--multiline-fields=true", "--skip-duplicate-nodes=false",
                   f"--array-delimiter={array_delimiter}", "--threads=2",
                   f"--report-file={self.home / 'import.report'}",  # else it lands in the working directory
                   *(f"--nodes={path}" for path in nodes),
                   *(f"--relationships={_group(files)}" for files in relationships)]
        done = subprocess.run(command, capture_output=True, text=True, check=False,  # noqa: S603
                              env={**os.environ, "NEO4J_HOME": str(self.home), "NEO4J_CONF": str(conf)})
        if done.returncode != 0:
            raise ServerError(f"neo4j-admin database import failed (exit {done.returncode}): "
                              f"{_tail(done.stdout + done.stderr)}")
        return done.stdout

    def database_folders(self, database: str = "neo4j") -> list[Path]:
        """Where ``database`` keeps its store files and its transaction log (the java route's layout)."""
        return [self.home / "data" / "databases" / database, self.home / "data" / "transactions" / database]

    def set_aside(self, database: str = "neo4j") -> Path:
        """Move the (stopped) database's folders aside, so a failed import can be undone by ``put_back``."""
        if self._running()[0] is not None:
            raise ServerError(f"stop the Neo4j instance in {self.home} before setting its database aside")
        aside = self.home / "data" / f"before-import-{database}"
        shutil.rmtree(aside, ignore_errors=True)
        for folder in self.database_folders(database):
            if folder.exists():
                (aside / folder.parent.name).mkdir(parents=True, exist_ok=True)
                folder.rename(aside / folder.parent.name / folder.name)
        aside.mkdir(parents=True, exist_ok=True)
        return aside

    def put_back(self, aside: Path, database: str = "neo4j") -> None:
        """The database as ``set_aside`` found it: what an import wrote since is deleted."""
        for folder in self.database_folders(database):
            shutil.rmtree(folder, ignore_errors=True)
            kept = aside / folder.parent.name / folder.name
            if kept.exists():
                kept.rename(folder)
        shutil.rmtree(aside, ignore_errors=True)

    @staticmethod
    def discard_aside(aside: Path) -> None:
        """Forget a database set aside (the import that replaced it succeeded)."""
        shutil.rmtree(aside, ignore_errors=True)

    def fetch(self) -> Path:
        """Fetch the jars into the cache (once); return the cache folder."""
        self._fetch()
        return self.jars

    # --- the Java route -----------------------------------------------------------------

    def _fetch(self) -> None:
        marker = self.jars / ".complete"
        if marker.exists():
            return
        mvn = shutil.which("mvn")
        if mvn is None:
            raise ServerError("cannot fetch Neo4j: Maven (`mvn`) is not on PATH; install Maven and Java 17, "
                              "or run a Docker engine")
        staging = self.jars.with_name(self.jars.name + ".partial")
        shutil.rmtree(staging, ignore_errors=True)
        command = [mvn, "-q", "-B", "-f", str(POM), "dependency:copy-dependencies",
                   f"-DoutputDirectory={staging}", "-DincludeScope=runtime"]
        done = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
        if done.returncode != 0:
            raise ServerError(f"fetching Neo4j {self.version} from Maven Central failed "
                              f"(mvn exit {done.returncode}): {_tail(done.stdout + done.stderr)}")
        shutil.rmtree(self.jars, ignore_errors=True)
        staging.rename(self.jars)
        marker.touch()

    def memory(self) -> dict[str, str]:
        """Heap and page cache: as given, else Neo4j's own recommendation for this machine.

        ``neo4j-admin server memory-recommendation`` sizes both from the machine's memory (on
        24 GB: a heap of 8 GB and a page cache of 10 GB); it is asked once and its answer kept
        with the instance. The heap's initial size stays small and the page cache is filled as
        pages are read, so an idle test instance does not hold what the recommendation allows.
        """
        recommended = self.home / "memory-recommendation.json"
        found: dict[str, str] = {}
        if self._heap and self._pagecache:
            pass  # both given: nothing to ask Neo4j
        elif recommended.exists():
            found = json.loads(recommended.read_text(encoding="utf-8"))
        elif (self.jars / ".complete").exists() and _java_problem() is None:
            conf = self.home / "conf"
            conf.mkdir(parents=True, exist_ok=True)
            (conf / "neo4j.conf").touch()
            done = subprocess.run(  # noqa: S603
                [_java(), "-cp", str(self.jars / "*"), ADMIN_TOOL, "server", "memory-recommendation"],
                capture_output=True, text=True, check=False,
                env={**os.environ, "NEO4J_HOME": str(self.home), "NEO4J_CONF": str(conf)})
            for key, name in (("server.memory.heap.max_size", "heap"), ("server.memory.pagecache.size", "pagecache")):
                match = re.search(rf"^{re.escape(key)}=(\S+)$", done.stdout, re.MULTILINE)
                if match:
                    found[name] = match.group(1)
            if len(found) == 2:
                recommended.write_text(json.dumps(found), encoding="utf-8")
        return {"heap": self._heap or found.get("heap", FALLBACK_HEAP),
                "pagecache": self._pagecache or found.get("pagecache", FALLBACK_PAGECACHE)}

    def _configure(self) -> Path:
        conf = self.home / "conf"
        for folder in (conf, self.home / "data", self.home / "logs", self.home / "run"):
            folder.mkdir(parents=True, exist_ok=True)
        settings = {
            "server.default_listen_address": "127.0.0.1",
            "server.bolt.listen_address": f"127.0.0.1:{self.bolt_port}",
            "server.bolt.advertised_address": f"127.0.0.1:{self.bolt_port}",
            "server.http.listen_address": f"127.0.0.1:{self.http_port}",
            "server.http.advertised_address": f"127.0.0.1:{self.http_port}",
            "server.https.enabled": "false",
            "server.directories.data": str(self.home / "data"),
            "server.directories.logs": str(self.home / "logs"),
            "server.directories.run": str(self.home / "run"),
            "server.directories.plugins": str(self.home / "plugins"),
            "server.memory.pagecache.size": self.memory()["pagecache"],
            "db.tx_log.rotation.retention_policy": "2 files",
            "dbms.security.auth_enabled": "true",
            "dbms.usage_report.enabled": "false",
        }
        (conf / "neo4j.conf").write_text("".join(f"{k}={v}\n" for k, v in settings.items()), encoding="utf-8")
        return conf

    def _start_java(self, password: str) -> int:
        java = _java()
        conf = self._configure()
        procedures.install(self.jars, self.home / "plugins")
        classpath = str(self.jars / "*")
        environment = {**os.environ, "NEO4J_HOME": str(self.home), "NEO4J_CONF": str(conf)}
        if not (self.home / "data" / "dbms" / "auth.ini").exists():
            done = subprocess.run(  # noqa: S603
                [java, "-cp", classpath, ADMIN_TOOL, "dbms", "set-initial-password", "--", password],
                capture_output=True, text=True, env=environment, check=False)
            if done.returncode != 0:
                raise ServerError(f"setting the initial Neo4j password failed: {_tail(done.stdout + done.stderr)}")
        argv = [java, "-Xms256m", f"-Xmx{self.memory()['heap']}", "-XX:+UseG1GC", "-XX:+ExitOnOutOfMemoryError",
                "-Dfile.encoding=UTF-8", "-cp", classpath, ENTRY_POINT,
                f"--home-dir={self.home}", f"--config-dir={conf}"]
        # posix_spawn rather than Popen: the server outlives this process, and a Popen object
        # would complain, when collected, that its child still runs.
        log = str(self.home / "logs" / "console.log")
        pid = os.posix_spawn(java, argv, environment, setsid=True, file_actions=[
            (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
            (os.POSIX_SPAWN_OPEN, 1, log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644),
            (os.POSIX_SPAWN_DUP2, 1, 2),
        ])
        self._pid_file.write_text(str(pid), encoding="utf-8")
        return pid

    # --- the Docker route ---------------------------------------------------------------

    def _start_docker(self, password: str) -> None:
        data = self.home / "docker-data"
        data.mkdir(parents=True, exist_ok=True)
        done = subprocess.run(  # noqa: S603
            ["docker", "run", "-d", "--name", self._container,  # noqa: S607
             "-p", f"127.0.0.1:{self.bolt_port}:7687", "-p", f"127.0.0.1:{self.http_port}:7474",
             "-e", f"NEO4J_AUTH={USER}/{password}", "-v", f"{data}:/data",
             "-e", f"NEO4J_server_memory_heap_max__size={self.memory()['heap']}",
             "-e", f"NEO4J_server_memory_pagecache_size={self.memory()['pagecache']}", DOCKER_IMAGE],
            capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise ServerError(f"docker could not start {DOCKER_IMAGE}: {_tail(done.stderr)}")

    # --- state --------------------------------------------------------------------------

    def _choose(self, method: Method) -> Literal["java", "docker"]:
        if method == "docker" or (method == "auto" and _docker_engine()):
            if not _docker_engine():
                raise ServerError("--via docker needs a running Docker engine, and none answers")
            return "docker"
        problem = _java_problem()
        if problem is None and (shutil.which("mvn") or (self.jars / ".complete").exists()):
            return "java"
        needs = problem or "Maven (`mvn`) is not on PATH"
        raise ServerError(f"cannot start a local Neo4j: {needs}. It needs either Java 17+ and Maven "
                          "(Neo4j Community is fetched from Maven Central), or a running Docker engine.")

    def _running(self) -> tuple[str | None, int | None]:
        if self._pid_file.exists():
            try:
                pid = int(self._pid_file.read_text(encoding="utf-8").strip())
            except ValueError:
                pid = -1
            # A process just spawned may not have become Java yet; only a dead or foreign pid is stale.
            if pid > 0 and _alive(pid) and (ENTRY_POINT in _cmdline(pid) or _age(pid) < 5):
                return "java", pid
            self._pid_file.unlink(missing_ok=True)
        if shutil.which("docker") and _docker_engine():
            done = subprocess.run(["docker", "inspect", "-f", "{{.State.Running}}", self._container],  # noqa: S603,S607
                                  capture_output=True, text=True, check=False)
            if done.stdout.strip() == "true":
                return "docker", None
        return None, None

    def _answers(self) -> bool:
        try:
            with urllib.request.urlopen(self.http_uri + "/", timeout=2) as response:  # noqa: S310 (loopback)
                answered: bool = response.status == 200
        except (urllib.error.URLError, OSError):
            return False
        if not answered:
            return False
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.bolt_port), timeout=2):
            return True
        return False

    @property
    def _log(self) -> Path:
        return self.home / "logs" / "neo4j.log"

    def _log_size(self) -> int:
        return self._log.stat().st_size if self._log.exists() else 0

    def _started_since(self, offset: int) -> bool:
        """Whether this home's log says "Started." after ``offset``: this instance is the one answering.

        Two checkouts starting their test servers on the same ports at the same moment both find
        the ports free; the one that binds second would otherwise take the first one's answers for
        its own, and report "running" while its Java exits with "address already in use".
        """
        if not self._log.exists():
            return False
        with self._log.open("rb") as handle:
            handle.seek(offset)
            return any(line.rstrip().endswith(b"INFO  Started.") for line in handle)

    def _check_ports_free(self) -> None:
        for port in (self.bolt_port, self.http_port):
            with socket.socket() as probe:
                probe.settimeout(1)
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    raise ServerError(f"port {port} on 127.0.0.1 is already in use by another program; "
                                      "choose other ports with KG_NEO4J_BOLT_PORT / KG_NEO4J_HTTP_PORT")

    def _wait(self, timeout: float, pid: int | None, log_offset: int = 0) -> None:
        """Until Bolt and HTTP answer; ``pid`` is the Java process just spawned (None under Docker), whose
        "Started." is looked for in the log after ``log_offset``."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            running = _alive(pid) if pid is not None else self._running()[0] is not None
            if not running:
                self._pid_file.unlink(missing_ok=True)
                raise ServerError(f"Neo4j exited while starting; its log ends with: {self._log_tail()}")
            if self._answers() and (pid is None or self._started_since(log_offset)):
                return
            time.sleep(0.5)
        self.stop()
        raise ServerError(f"Neo4j did not answer on {self.bolt_uri} within {timeout:.0f} s; "
                          f"its log ends with: {self._log_tail()}")

    def _log_tail(self) -> str:
        texts = []
        for name in ("console.log", "neo4j.log"):
            path = self.home / "logs" / name
            if path.exists():
                texts.append(path.read_text(encoding="utf-8", errors="replace"))
        return _tail("\n".join(texts)) or "(no log)"


def _group(files: Path | Sequence[Path]) -> str:
    return str(files) if isinstance(files, Path) else ",".join(map(str, files))


def _java() -> str:
    java = shutil.which("java")
    if java is None:
        raise ServerError("cannot start Neo4j: `java` is not on PATH (Java 17 or later is needed)")
    return java


def _java_problem() -> str | None:
    """Why the Java on PATH cannot run Neo4j 5, or ``None`` when it can."""
    java = shutil.which("java")
    if java is None:
        return "`java` is not on PATH"
    done = subprocess.run([java, "-version"], capture_output=True, text=True, check=False)  # noqa: S603
    found = re.search(r'version "(\d+)', done.stderr + done.stdout)
    if found is None or int(found.group(1)) < 17:
        return f"Neo4j 5 needs Java 17 or later; `java -version` says: {(done.stderr or done.stdout).strip()[:80]}"
    return None


def _docker_engine() -> bool:
    if shutil.which("docker") is None:
        return False
    done = subprocess.run(["docker", "info", "--format", "{{.ServerVersion}}"],  # noqa: S607
                          capture_output=True, text=True, check=False, timeout=20)
    return done.returncode == 0 and bool(done.stdout.strip())


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    with contextlib.suppress(OSError):
        state = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8").rsplit(")", 1)[1].split()[0]
        return state != "Z"
    return True


def _age(pid: int) -> float:
    """Seconds since the process started (large when unknown)."""
    try:
        started = os.stat(f"/proc/{pid}").st_mtime
    except OSError:
        return float("inf")
    return time.time() - started


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
    except OSError:
        return ""


def _tail(text: str, lines: int = 8) -> str:
    """The end of a program's output, led by the first exception line (Java prints the cause first)."""
    kept = [line.strip() for line in text.strip().splitlines() if line.strip()]
    cause = next((line for line in kept if "Exception" in line and not line.startswith("at ")), None)
    tail = kept[-lines:]
    if cause is not None and cause not in tail:
        tail = [cause, *tail[-(lines // 2):]]
    return " | ".join(tail)
