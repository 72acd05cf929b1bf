"""The interactive API documentation at ``/docs``, served from this process.

FastAPI's default page loads Swagger UI from a CDN, which leaves ``/docs`` blank on an
analyst's offline or closed-network machine. The same Swagger UI (version 5, which reads
the OpenAPI 3.1 schema FastAPI writes) comes pinned from PyPI in ``swagger-ui-py``, and
its files are served under ``/docs/static``.
"""

from __future__ import annotations

from pathlib import Path

import swagger_ui
from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

STATIC = Path(swagger_ui.__file__).parent / "static"


def install(app: FastAPI) -> None:
    """Serve ``/docs`` and its assets locally (the app is created with ``docs_url=None``)."""
    app.mount("/docs/static", StaticFiles(directory=STATIC), name="docs-static")

    @app.get("/docs", include_in_schema=False)
    def read_docs() -> HTMLResponse:
        """The Swagger UI page for this API's OpenAPI schema."""
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json", title=f"{app.title}: API documentation",
            swagger_js_url="/docs/static/swagger-ui-bundle.js", swagger_css_url="/docs/static/swagger-ui.css",
            swagger_favicon_url="/docs/static/favicon-32x32.png",
        )
