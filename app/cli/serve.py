"""`kg serve`: the HTTP API and the web explorer, served from the configured store."""

from __future__ import annotations

import click

from app.cli.base import Env, cli, handles_errors, pass_env


@cli.command("serve", help="Serve the HTTP API (docs at /docs) from the configured store.")
@click.option("--host", help="Interface to listen on (default: KG_HOST, 127.0.0.1).")
@click.option("--port", type=click.IntRange(0, 65535), help="Port to listen on (default: KG_PORT, 8000).")
@click.option("--workers", type=click.IntRange(1, 64), help="Processes serving requests, each with its own "
                                                            "store (default: KG_WORKERS, 2).")
@pass_env
@handles_errors
def serve_command(env: Env, host: str | None, port: int | None, workers: int | None) -> None:
    # Imported here so the other commands do not pay for loading the web stack (~0.15 s).
    import uvicorn  # noqa: PLC0415

    from app.api import create_app  # noqa: PLC0415

    host = host or env.settings.host
    port = port if port is not None else env.settings.port
    workers = workers or env.settings.workers
    # uvloop and httptools by name, not uvicorn's "auto" (which falls back to asyncio and h11 without a word): with
    # more than one worker uvicorn binds the socket itself, asyncio then leaves TCP_NODELAY off on every accepted
    # connection (it sets it only on sockets whose protocol is IPPROTO_TCP, and uvicorn's is 0), and a response
    # written as headers then body waited for the client's delayed ACK: ~45 ms a request. uvloop sets it always.
    # Both are pinned dependencies, so naming them costs nothing and a missing one fails loudly.
    transport = {"loop": "uvloop", "http": "httptools", "log_level": "info", "host": host, "port": port}
    if workers > 1:
        # Each process builds its app (and opens its store) from the same settings, read from the environment.
        uvicorn.run("app.api.main:create_app", factory=True, workers=workers, **transport)  # type: ignore[arg-type]
        return
    app = create_app(env.settings, env.store)
    uvicorn.run(app, **transport)  # type: ignore[arg-type]
