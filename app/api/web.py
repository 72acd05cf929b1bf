"""The web explorer at ``/``: a static page, its script and style, and Cytoscape.js from npm.

The page is plain HTML and ES modules (no build step), kept in ``app/web``. Cytoscape.js
is pinned in ``package.json`` and installed by ``npm ci`` into ``node_modules``; this
process serves that one file under ``/assets/vendor`` so the browser never asks another
origin for anything (analysts often work on closed networks), and no copy of the
library is kept in git. Without ``node_modules`` the page still loads and says that
``npm ci`` is needed, rather than showing an empty canvas.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse, HTMLResponse, PlainTextResponse, Response
from fastapi.staticfiles import StaticFiles

from app.settings import Settings

WEB = Path(__file__).resolve().parent.parent / "web"
CYTOSCAPE = Path("cytoscape") / "dist" / "cytoscape.esm.min.mjs"
VENDOR_URL = "/assets/vendor/cytoscape.esm.min.mjs"
# The page ships with its notice hidden; the server reveals it when the library is absent,
# so the message shows even if the script never runs.
_NOTICE_HIDDEN = '<div id="vendor-missing" class="notice" role="alert" hidden>'
_NOTICE_SHOWN = '<div id="vendor-missing" class="notice" role="alert">'
MISSING = "The graph library is not installed: run `npm ci` in the repository root, then reload."
# Chromium's DevTools, open on a page served from localhost, asks every such origin for this file (to offer
# the page's source folder as a workspace) and shows the 404 among the page's errors. This server offers
# no workspace, and will not tell a browser where its files live: it answers that there is nothing.
DEVTOOLS_WORKSPACE = "/.well-known/appspecific/com.chrome.devtools.json"


def cytoscape_file(settings: Settings) -> Path:
    """Where ``npm ci`` puts the Cytoscape.js module this page imports."""
    return settings.node_modules / CYTOSCAPE


def page(settings: Settings) -> str:
    """The explorer's HTML, with the install notice shown when Cytoscape.js is missing."""
    html = (WEB / "index.html").read_text(encoding="utf-8")
    if not cytoscape_file(settings).is_file():
        html = html.replace(_NOTICE_HIDDEN, _NOTICE_SHOWN)
    return html


def install(app: FastAPI, settings: Settings) -> None:
    """Serve the explorer at ``/``, its own files under ``/assets/app``, Cytoscape.js under ``/assets/vendor``,
    and an empty answer to DevTools' workspace request."""
    app.mount("/assets/app", StaticFiles(directory=WEB), name="web-assets")

    @app.get("/", include_in_schema=False)
    def read_explorer() -> HTMLResponse:
        """The web explorer page."""
        return HTMLResponse(page(settings), headers={"Cache-Control": "no-cache"})

    @app.get(DEVTOOLS_WORKSPACE, include_in_schema=False, status_code=204)
    def read_devtools_workspace() -> Response:
        """No DevTools workspace here: an empty answer rather than a 404 in the console of whoever opens DevTools."""
        return Response(status_code=204)

    @app.get(VENDOR_URL, include_in_schema=False)
    def read_cytoscape() -> Response:
        """Cytoscape.js as npm installed it, or a 404 that says how to install it."""
        path = cytoscape_file(settings)
        if not path.is_file():
            return PlainTextResponse(MISSING, status_code=404)
        # Modules must come as JavaScript, whatever the platform's MIME table says about .mjs.
        return FileResponse(path, media_type="text/javascript")
