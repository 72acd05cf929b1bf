"""docker-compose.yml, validated by the Docker Compose client itself (no engine is needed for `config`)."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest
import yaml

from app.settings import PROJECT_ROOT, Settings


def compose_command() -> list[str]:
    docker = shutil.which("docker")
    if docker and subprocess.run([docker, "compose", "version"], capture_output=True, check=False).returncode == 0:
        return [docker, "compose"]
    legacy = shutil.which("docker-compose")
    if legacy:
        return [legacy]
    if Settings().ci:
        pytest.fail("CI=true and no Docker Compose client: scripts/system-deps installs Debian's docker-compose")
    pytest.skip("no Docker Compose client (apt-get install docker-compose)")


def config(password: str | None) -> subprocess.CompletedProcess[str]:
    environment = {key: value for key, value in os.environ.items() if key != "NEO4J_PASSWORD"}
    if password is not None:
        environment["NEO4J_PASSWORD"] = password
    return subprocess.run([*compose_command(), "-f", str(PROJECT_ROOT / "docker-compose.yml"), "config"],
                          capture_output=True, text=True, env=environment, cwd=PROJECT_ROOT / "tests", check=False)


def test_compose_file_validates_and_wires_the_api_to_a_healthy_neo4j() -> None:
    done = config("a-long-test-password")
    assert done.returncode == 0, done.stderr
    services = yaml.safe_load(done.stdout)["services"]
    neo4j, api = services["neo4j"], services["api"]
    assert neo4j["image"].startswith("neo4j:5.26") and "community" in neo4j["image"]
    assert neo4j["environment"]["NEO4J_AUTH"] == "neo4j/a-long-test-password"
    assert "healthcheck" in neo4j and neo4j["healthcheck"]["test"]
    assert any(str(volume).endswith(":/data") or ":/data:" in str(volume) for volume in neo4j["volumes"])
    assert all(str(port).startswith("127.0.0.1:") for port in neo4j["ports"] + api["ports"])
    assert api["depends_on"]["neo4j"]["condition"] == "service_healthy"
    assert api["environment"]["NEO4J_URI"] == "bolt://neo4j:7687"
    assert api["environment"]["NEO4J_PASSWORD"] == "a-long-test-password"
    assert "kg load" in " ".join(api["command"]) and "kg serve" in " ".join(api["command"])
    assert (PROJECT_ROOT / "Dockerfile").exists()


def test_compose_refuses_to_run_without_a_password() -> None:
    done = config(None)
    assert done.returncode != 0
    assert "NEO4J_PASSWORD" in done.stderr
