"""The web explorer at ``/``: a static page, its script and style, and its browser libraries from npm.

The page is plain HTML and ES modules (no build step), kept in ``app/web``. Its libraries (Cytoscape.js and its
fCoSE layout for the graph; d3-array, d3-geo, topojson-client and world-atlas's country outlines for the map) are
pinned in ``package.json`` and installed by ``npm ci`` into ``node_modules``; this process serves those few files under
``/assets/vendor`` so the browser never asks another origin for anything (analysts often work on closed networks,
hence no map tiles either), and no copy of them is kept in git. Without ``node_modules`` the page still loads and
says that ``npm ci`` is needed, rather than showing an empty canvas.
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
# Every file the page may ask for under /assets/vendor, by the name it asks for: a fixed list, so no other file of
# node_modules can be read through this route. The d3 and topojson builds are UMD scripts (they set window.d3 and
# window.topojson), which need no import map; the outlines are Natural Earth's 1:50m countries as TopoJSON.
VENDOR: dict[str, Path] = {
    "cytoscape.esm.min.mjs": CYTOSCAPE,
    "d3-array.min.js": Path("d3-array") / "dist" / "d3-array.min.js",
    "d3-geo.min.js": Path("d3-geo") / "dist" / "d3-geo.min.js",
    "topojson-client.min.js": Path("topojson-client") / "dist" / "topojson-client.min.js",
    "countries-50m.json": Path("world-atlas") / "countries-50m.json",
    # The graph's layout (fCoSE, which keeps nodes and their labels apart), a UMD script needing cose-base, which
    # needs layout-base: loaded in that order, they set window.layoutBase, window.coseBase, window.cytoscapeFcose.
    "layout-base.js": Path("layout-base") / "layout-base.js",
    "cose-base.js": Path("cose-base") / "cose-base.js",
    "cytoscape-fcose.js": Path("cytoscape-fcose") / "cytoscape-fcose.js",
}
# Served too, but never loaded by the page: axe-core, which the browser tests inject to check the page's
# accessibility (from this origin, like the page's own libraries); anyone can do the same from the console.
CHECKERS: dict[str, Path] = {"axe.min.js": Path("axe-core") / "axe.min.js"}
# The page ships with its notice hidden; the server reveals it when the library is absent,
# so the message shows even if the script never runs.
_NOTICE_HIDDEN = '<div id="vendor-missing" class="notice" role="alert" hidden>'
_NOTICE_SHOWN = '<div id="vendor-missing" class="notice" role="alert">'
MISSING = "The explorer's libraries are not installed: run `npm ci` in the repository root, then reload."
# Chromium's DevTools, open on a page served from localhost, asks every such origin for this file (to offer
# the page's source folder as a workspace) and shows the 404 among the page's errors. This server offers
# no workspace, and will not tell a browser where its files live: it answers that there is nothing.
DEVTOOLS_WORKSPACE = "/.well-known/appspecific/com.chrome.devtools.json"


def cytoscape_file(settings: Settings) -> Path:
    """Where ``npm ci`` puts the Cytoscape.js module this page imports."""
    return settings.node_modules / CYTOSCAPE


def vendor_files(settings: Settings) -> dict[str, Path]:
    """Where ``npm ci`` puts each library file the page asks for, by the name it asks for."""
    return {name: settings.node_modules / path for name, path in VENDOR.items()}


def served_files(settings: Settings) -> dict[str, Path]:
    """Every file served under ``/assets/vendor``: the page's libraries and the accessibility checker."""
    return {**vendor_files(settings), **{name: settings.node_modules / path for name, path in CHECKERS.items()}}


def page(settings: Settings) -> str:
    """The explorer's HTML, with the install notice shown when any of its libraries is missing."""
    html = (WEB / "index.html").read_text(encoding="utf-8")
    if not all(path.is_file() for path in vendor_files(settings).values()):
        html = html.replace(_NOTICE_HIDDEN, _NOTICE_SHOWN)
    return html


def install(app: FastAPI, settings: Settings) -> None:
    """Serve the explorer at ``/``, its own files under ``/assets/app``, its libraries under ``/assets/vendor``,
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

    @app.get("/assets/vendor/{name}", include_in_schema=False)
    def read_vendor(name: str) -> Response:
        """A library file as npm installed it, or a 404 that says how to install it."""
        path = served_files(settings).get(name)
        if path is None:
            return PlainTextResponse(f"No library file {name!r} here; the explorer uses {', '.join(VENDOR)} "
                                     f"(and its tests {', '.join(CHECKERS)}).",
                                     status_code=404)
        if not path.is_file():
            return PlainTextResponse(MISSING, status_code=404)
        # Scripts must come as JavaScript, whatever the platform's MIME table says about .mjs.
        media = "application/json" if name.endswith(".json") else "text/javascript"
        return FileResponse(path, media_type=media)
