"""The HTTP API for dashboards and tools (FastAPI), built on the store protocol only."""

from app.api.main import create_app

__all__ = ["create_app"]
