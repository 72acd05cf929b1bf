"""Outlets on 127.0.0.1 for the feed tests: a real HTTP server in a thread, serving what each test puts there.

Every request is logged (method, path, headers, when it started, whether its answer was sent whole),
so tests assert what went over the wire: one request per unchanged feed, no page fetched twice, a
robots.txt honoured, the User-Agent sent. Pages can answer late, trickle, wait for a signal, or
change between polls; ``ETag`` and ``Last-Modified`` are honoured as a real server would.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import formatdate
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit


@dataclass
class Page:
    """What one path answers."""

    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    etag: str | None = None
    last_modified: str | None = None
    delay: float = 0.0  # seconds before the status line
    hold: threading.Event | None = None  # the answer waits until this is set
    trickle: float | None = None  # seconds between bytes of the body
    declare_length: bool = True


@dataclass
class Hit:
    """One request as the server saw it."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    started: float
    status: int | None = None
    finished: float | None = None  # when the whole answer was sent (None: never, or cut short)


Handler = Callable[[Hit], Page]


class Site:
    """An HTTP server on 127.0.0.1 (a free port) whose paths the test fills; ``base`` is its origin."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.routes: dict[str, Page | Handler] = {}
        self.hits: list[Hit] = []
        self.lock = threading.Lock()
        site = self

        class Handle(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"

            def log_message(self, *_: Any) -> None:
                pass

            def do_GET(self) -> None:
                site._answer(self)

            def do_HEAD(self) -> None:
                site._answer(self)

            def do_POST(self) -> None:
                site._answer(self)

        self.server = ThreadingHTTPServer((host, 0), Handle)
        self.server.daemon_threads = True
        self.host = host
        self.port = self.server.server_address[1]
        self.base = f"http://{host}:{self.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return self.base + path

    def put(self, path: str, page: Page | Handler) -> str:
        """Serve ``page`` (or what a handler returns for each request) at ``path``; returns its URL."""
        self.routes[path] = page
        return self.url(path)

    def requests(self, path: str | None = None, *, method: str | None = None) -> list[Hit]:
        """The requests received (to one path, ignoring its query, or all), in order."""
        with self.lock:
            hits = list(self.hits)
        return [h for h in hits if (path is None or urlsplit(h.path).path == path)
                and (method is None or h.method == method)]

    def answered(self, path: str) -> int:
        """How many answers to this path were sent whole."""
        return sum(1 for h in self.requests(path) if h.finished is not None)

    def close(self) -> None:
        for page in self.routes.values():
            if isinstance(page, Page) and page.hold is not None:
                page.hold.set()
        self.server.shutdown()
        self.server.server_close()

    def _answer(self, request: BaseHTTPRequestHandler) -> None:
        length = int(request.headers.get("Content-Length") or 0)
        body = request.rfile.read(length) if length else b""
        hit = Hit(request.command, request.path, {k.lower(): v for k, v in request.headers.items()}, body,
                  time.monotonic())
        with self.lock:
            self.hits.append(hit)
        route = self.routes.get(urlsplit(request.path).path)
        page = route(hit) if callable(route) else route
        if page is None:
            page = Page(b"not here", "text/plain", status=404)
        if page.hold is not None:
            page.hold.wait(60)
        if page.delay:
            time.sleep(page.delay)
        status, payload = page.status, page.body
        if (page.etag and request.headers.get("If-None-Match") == page.etag) or \
                (page.last_modified and request.headers.get("If-Modified-Since") == page.last_modified):
            status, payload = 304, b""
        hit.status = status
        try:
            request.send_response(status)
            if page.content_type and status != 304:
                request.send_header("Content-Type", page.content_type)
            for name, value in page.headers.items():
                request.send_header(name, value)
            if page.etag:
                request.send_header("ETag", page.etag)
            if page.last_modified:
                request.send_header("Last-Modified", page.last_modified)
            if page.declare_length:
                request.send_header("Content-Length", str(len(payload)))
            request.end_headers()
            if request.command != "HEAD":
                if page.trickle is None:
                    request.wfile.write(payload)
                else:
                    for index in range(len(payload)):
                        request.wfile.write(payload[index:index + 1])
                        request.wfile.flush()
                        time.sleep(page.trickle)
            request.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            return
        hit.finished = time.monotonic()


# --- what outlets publish ---------------------------------------------------------------------------


def article(title: str, paragraphs: list[str], *, site: str = "Dawn", date: str = "2024-03-08",
            charset: str = "utf-8", declare: bool = True) -> bytes:
    """An article page as outlets lay them out: navigation and footer around one <article>."""
    meta = f'<meta charset="{charset}">' if declare else ""
    body = "".join(f"<p>{escape(p)}</p>\n" for p in paragraphs)
    html = (f"<!doctype html><html><head>{meta}<title>{escape(title)} | {escape(site)}</title>"
            f'<meta property="og:site_name" content="{escape(site)}">'
            f'<meta property="og:title" content="{escape(title)}">'
            f'<meta property="article:published_time" content="{date}T09:00:00Z">'
            f"</head><body><nav><a href='/'>Home</a> <a href='/world'>World</a> <a href='/sport'>Sport</a></nav>"
            f"<article><h1>{escape(title)}</h1>\n{body}</article>"
            f"<footer><p>Copyright {escape(site)}. All rights reserved. Terms of use.</p></footer></body></html>")
    return html.encode(charset)


def rss(title: str, items: list[tuple[str, str, str]]) -> bytes:
    """An RSS 2.0 feed of (title, link, RFC 822 date) items."""
    entries = "".join(f"<item><title>{escape(t)}</title><link>{escape(link)}</link><guid>{escape(link)}</guid>"
                      f"<pubDate>{date}</pubDate></item>" for t, link, date in items)
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{escape(title)}</title>'
            f"<link>http://example.invalid/</link><description>news</description>{entries}</channel></rss>"
            ).encode()


def atom(title: str, items: list[tuple[str, str, str]]) -> bytes:
    """An Atom feed of (title, link, ISO date) entries."""
    entries = "".join(f'<entry><title>{escape(t)}</title><link rel="alternate" href="{escape(link)}"/>'
                      f"<id>{escape(link)}</id><updated>{date}</updated></entry>" for t, link, date in items)
    return (f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
            f"<title>{escape(title)}</title><id>urn:test:{escape(title)}</id><updated>2024-03-08T10:00:00Z</updated>"
            f"{entries}</feed>").encode()


def http_date(seconds: float) -> str:
    return formatdate(seconds, usegmt=True)


RSS = "application/rss+xml; charset=utf-8"
ATOM = "application/atom+xml; charset=utf-8"


def sequence(*pages: Page) -> Handler:
    """A handler answering each request with the next page (the last one from then on)."""
    answers = itertools.chain(pages, itertools.repeat(pages[-1]))
    lock = threading.Lock()

    def answer(_: Hit) -> Page:
        with lock:
            return next(answers)

    return answer
