"""The polite HTTP client feeds, article pages and webhooks go through.

Politeness: every request sends the configured User-Agent; a host's ``robots.txt`` is read
(once a day at most, through the ``RobotsMemory`` the caller keeps) and obeyed, its
``Crawl-delay`` too when longer than ours; requests to one host start at least ``host_delay``
apart and at most ``host_concurrency`` run at once. A host is an origin (scheme, name, port),
the unit ``robots.txt`` itself applies to.

Safety and bounds, because a feed is text written by strangers:
- only http(s); a host that is, or resolves to, a private, loopback, link-local or reserved
  address is refused unless ``allow_private`` is set, and the connection goes to the very
  address that was checked (no second lookup an attacker's DNS could answer differently);
  every redirect is checked again;
- a redirect to another host is refused unless ``cross_host_redirects`` (then followed and
  recorded in ``Response.redirects``); at most ``max_redirects`` hops;
- ``timeout`` bounds the wait for the connection and for each byte, ``deadline`` the whole
  response however steadily it trickles (a watchdog shuts the socket), ``max_bytes`` what is
  read after decompression (a ``Content-Length`` above it is refused before the body is read);
- retries, with exponential backoff, only for timeouts, broken connections and 5xx answers
  (never a 4xx: a 429's ``Retry-After`` is recorded for the next poll instead).

Failures are the ``FetchFailed`` family of ``graph.domain.errors``: a short ``reason``, a
message naming the URL, and whether it is ``transient``.
"""

from __future__ import annotations

import codecs
import contextlib
import email.utils
import http.client
import ipaddress
import re
import socket
import ssl
import threading
import time
import urllib.robotparser
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol
from urllib.parse import urljoin, urlsplit

from graph.domain.errors import (
    AddressRefused,
    ConnectionFailed,
    FetchFailed,
    FetchTimedOut,
    HttpStatusError,
    RedirectRefused,
    ResponseTooLarge,
    RobotsDisallowed,
    UndecodablePage,
)

CHUNK = 65_536
ROBOTS_MAX_BYTES = 512_000  # RFC 9309: a crawler reads at least 500 KiB of robots.txt
ROBOTS_TTL = 24 * 3600.0  # RFC 9309: a cached robots.txt is not used for more than a day
ROBOTS_UNREACHABLE_TTL = 600.0  # a robots.txt that failed (5xx, timeout) is asked again after ten minutes
RETRY_AFTER_MAX = 60.0  # a Retry-After up to this long is waited for within the request; longer, it is recorded
REDIRECTS = (301, 302, 303, 307, 308)
CRAWL_DELAY_MAX = 30.0  # seconds; a longer Crawl-delay is read as this one


@dataclass(frozen=True)
class Policy:
    """How the client behaves: who it says it is, how gently it asks, and what it refuses."""

    user_agent: str
    host_delay: float = 1.0
    host_concurrency: int = 2
    workers: int = 8
    timeout: float = 20.0
    deadline: float = 60.0
    max_bytes: int = 5_000_000
    retries: int = 2
    backoff: float = 1.0
    allow_private: bool = False
    private_networks: tuple[str, ...] = ()  # private networks reached all the same (CIDR), when allow_private is off
    cross_host_redirects: bool = False
    max_redirects: int = 5


@dataclass
class Response:
    """What one fetch got: the final URL, status, headers (lower-cased names), the body (decompressed)."""

    url: str
    status: int
    headers: dict[str, str]
    body: bytes
    redirects: list[str] = field(default_factory=list)
    attempts: int = 1

    @property
    def content_type(self) -> str:
        """The media type without parameters, lower-cased (empty when the server sent none)."""
        return self.headers.get("content-type", "").split(";", 1)[0].strip().lower()

    def text(self) -> str:
        """The body as text, in the character set it declares or, failing that, the one it can be read as."""
        return decode(self.body, self.headers.get("content-type", ""), self.url)


@dataclass(frozen=True)
class RobotsRecord:
    """A host's robots.txt as last fetched: its status (0 when unreachable), its text and when it was read."""

    status: int
    text: str
    fetched_at: float

    def fresh(self, now: float) -> bool:
        ttl = ROBOTS_TTL if self.status and self.status < 500 else ROBOTS_UNREACHABLE_TTL
        return now - self.fetched_at < ttl


class RobotsMemory(Protocol):
    """Where robots.txt answers are kept between polls (the feed state file), so a host is asked once a day."""

    def robots(self, origin: str) -> RobotsRecord | None:
        """The record kept for this origin, if any."""
        ...

    def remember_robots(self, origin: str, record: RobotsRecord) -> None:
        """Keep this record for the origin."""
        ...


class InMemoryRobots:
    """A ``RobotsMemory`` for one process (webhook deliveries and tests that need no persistence)."""

    def __init__(self) -> None:
        self._records: dict[str, RobotsRecord] = {}
        self._lock = threading.Lock()

    def robots(self, origin: str) -> RobotsRecord | None:
        with self._lock:
            return self._records.get(origin)

    def remember_robots(self, origin: str, record: RobotsRecord) -> None:
        with self._lock:
            self._records[origin] = record


# --- addresses ----------------------------------------------------------------------------------


def origin_of(url: str) -> str:
    """``scheme://host[:port]``, lower-cased, default port dropped: the unit of politeness and of robots.txt."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    port = parts.port
    shown = f"[{host}]" if ":" in host else host
    default = {"http": 80, "https": 443}.get(scheme)
    return f"{scheme}://{shown}" if port in (None, default) else f"{scheme}://{shown}:{port}"


def check_url(url: str) -> tuple[str, str, int]:
    """Scheme, host and port of an http(s) URL, or ``AddressRefused`` saying what is wrong with it."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise AddressRefused(url, f"not a URL: {error}") from error
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise AddressRefused(url, f"only http:// and https:// URLs are fetched, not {scheme or 'a relative URL'}")
    if not parts.hostname:
        raise AddressRefused(url, "the URL names no host")
    return scheme, parts.hostname, port or (443 if scheme == "https" else 80)


def address_problem(address: str, allowed: Sequence[str] = ()) -> str | None:
    """Why an IP address is not a public one a fetch may reach, or ``None``; an address in one of the ``allowed``
    networks (``KG_FEEDS_PRIVATE_NETWORKS``: an outlet on this machine or an intranet) is reached all the same,
    and every other private one is still refused, after redirects too."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if any(ip in ipaddress.ip_network(network, strict=False) for network in allowed):
        return None
    for test, name in ((ip.is_loopback, "loopback"), (ip.is_link_local, "link-local"),
                       (ip.is_unspecified, "unspecified"), (ip.is_multicast, "multicast"), (ip.is_private, "private"),
                       (ip.is_reserved, "reserved")):
        if test:
            return f"{address} is a {name} address"
    if not ip.is_global:
        return f"{address} is not a public address"
    return None


def resolve(url: str, host: str, port: int, policy: Policy) -> list[str]:
    """The addresses to connect to: every one the name resolves to must be allowed, or none is used.

    The lookup runs in a daemon thread bounded by ``policy.timeout``: the resolver has no timeout of
    its own, and a name server that stalls must not stall the poll.
    """
    try:
        literal = ipaddress.ip_address(host.strip("[]"))
        addresses = [str(literal)]
    except ValueError:
        addresses = _lookup(url, host, port, policy.timeout)
    if not policy.allow_private:
        for address in addresses:
            problem = address_problem(address, policy.private_networks)
            if problem:
                shown = "" if address == host else f"{host} resolves to {address}: "
                raise AddressRefused(url, f"{shown}{problem}; set KG_FEEDS_ALLOW_PRIVATE=true to fetch from "
                                          "private and loopback addresses (or name its network in "
                                          "KG_FEEDS_PRIVATE_NETWORKS)", details={"address": address})
    return addresses


def _lookup(url: str, host: str, port: int, timeout: float) -> list[str]:
    found: list[str] = []
    failure: list[BaseException] = []

    def run() -> None:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
            found.extend(dict.fromkeys(str(info[4][0]) for info in infos))
        except OSError as error:
            failure.append(error)

    thread = threading.Thread(target=run, daemon=True, name=f"resolve {host}")
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        raise FetchTimedOut(url, f"looking up {host} took longer than {timeout:g} s")
    if failure or not found:
        reason = failure[0] if failure else "no address"
        raise ConnectionFailed(url, f"cannot resolve {host}: {reason}")
    return found


# --- one request --------------------------------------------------------------------------------


class _PinnedHTTP(http.client.HTTPConnection):
    """An HTTP connection to an address already checked, with the URL's host in the Host header."""

    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)
        self.watched = self.sock  # kept: the connection lets go of its socket once a closing response begins


class _PinnedHTTPS(http.client.HTTPSConnection):
    """The same over TLS: the certificate is checked against the URL's host, not the address."""

    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]
        self.watched = sock


class _Watchdog:
    """Shuts a connection's socket when the deadline passes, so that no read outlives it."""

    def __init__(self, connection: http.client.HTTPConnection, seconds: float) -> None:
        self.fired = False
        self._connection = connection
        self._timer = threading.Timer(max(0.0, seconds), self._fire)
        self._timer.daemon = True

    def _fire(self) -> None:
        self.fired = True
        sock = getattr(self._connection, "watched", None)
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def __enter__(self) -> _Watchdog:
        self._timer.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._timer.cancel()


def request_once(url: str, policy: Policy, *, method: str = "GET", headers: Mapping[str, str] | None = None,
                 body: bytes | None = None, max_bytes: int | None = None) -> Response:
    """One request to ``url``, no redirect followed, no retry: the building block of ``Client`` and deliveries."""
    scheme, host, port = check_url(url)
    addresses = resolve(url, host, port, policy)
    parts = urlsplit(url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    limit = policy.max_bytes if max_bytes is None else max_bytes
    sent = {"User-Agent": policy.user_agent, "Accept-Encoding": "gzip, deflate", **(headers or {})}
    last: FetchFailed | None = None
    for address in addresses:  # an address that refuses the connection is not the host's last word
        kind = _PinnedHTTPS if scheme == "https" else _PinnedHTTP
        connection = kind(host, port, address, policy.timeout)
        try:
            with _Watchdog(connection, policy.deadline) as watchdog:
                try:
                    return _exchange(connection, url, method, target, sent, body, limit, watchdog)
                except TimeoutError as error:
                    if watchdog.fired:
                        raise FetchTimedOut(url, f"the response took longer than {policy.deadline:g} s") from error
                    raise FetchTimedOut(url, f"no answer for {policy.timeout:g} s") from error
                except (OSError, http.client.HTTPException) as error:
                    if watchdog.fired:
                        raise FetchTimedOut(url, f"the response took longer than {policy.deadline:g} s") from error
                    if isinstance(error, ConnectionRefusedError):
                        last = ConnectionFailed(url, f"connection refused by {address}")
                        continue
                    if isinstance(error, ssl.SSLError):
                        raise ConnectionFailed(url, f"TLS failed: {error.reason or error}") from error
                    raise ConnectionFailed(url, f"the connection failed: {error or type(error).__name__}") from error
        finally:
            connection.close()
            watched = getattr(connection, "watched", None)
            if watched is not None:
                watched.close()
    assert last is not None
    raise last


def _exchange(connection: http.client.HTTPConnection, url: str, method: str, target: str, headers: dict[str, str],
              body: bytes | None, limit: int, watchdog: _Watchdog) -> Response:
    connection.request(method, target, body=body, headers=headers)
    answer = connection.getresponse()
    try:
        received = {name.lower(): value for name, value in answer.getheaders()}
        declared = received.get("content-length", "")
        encoding = received.get("content-encoding", "identity").strip().lower()
        if declared.isdigit() and int(declared) > limit and encoding in ("", "identity"):
            raise ResponseTooLarge(url, f"declares {int(declared):,} bytes; at most {limit:,} are read "
                                        "(KG_FEEDS_MAX_BYTES)", details={"limit": limit})
        content = _read_body(answer, url, limit, encoding, watchdog) if method != "HEAD" else b""
        return Response(url=url, status=answer.status, headers=received, body=content)
    finally:
        answer.close()


def _read_body(answer: http.client.HTTPResponse, url: str, limit: int, encoding: str, watchdog: _Watchdog) -> bytes:
    """The body, decompressed as it arrives, never holding more than ``limit`` bytes of it."""
    inflate = zlib.decompressobj(wbits=47) if encoding in ("gzip", "x-gzip", "deflate") else None
    out = bytearray()
    while True:
        chunk = answer.read(CHUNK)
        if not chunk:
            if watchdog.fired:
                raise TimeoutError("deadline")
            break
        if inflate is None:
            out += chunk
        else:
            try:
                out += inflate.decompress(chunk, limit + 1 - len(out))
                while inflate.unconsumed_tail and len(out) <= limit:
                    out += inflate.decompress(inflate.unconsumed_tail, limit + 1 - len(out))
            except zlib.error as error:
                raise ConnectionFailed(url, f"the {encoding} body is corrupt: {error}") from error
        if len(out) > limit:
            raise ResponseTooLarge(url, f"more than {limit:,} bytes{' once decompressed' if inflate else ''}; "
                                        "read no further (KG_FEEDS_MAX_BYTES)", details={"limit": limit})
    if inflate is not None and not inflate.eof and out:
        raise ConnectionFailed(url, f"the {encoding} body ends before its end")
    return bytes(out)


def retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds a ``Retry-After`` header asks to wait (a number or an HTTP date), or ``None``."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


# --- text ---------------------------------------------------------------------------------------

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"""\A(?:\xef\xbb\xbf)?\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""")
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def declared_charset(body: bytes, content_type: str) -> tuple[str | None, str]:
    """The character set a page declares and where (header, byte-order mark, meta tag, XML declaration)."""
    for bom, name in _BOMS:
        if body.startswith(bom):
            return name, "its byte-order mark"
    match = re.search(r"charset\s*=\s*\"?([A-Za-z0-9_.:-]+)", content_type, re.IGNORECASE)
    if match:
        return match.group(1), "its Content-Type header"
    head = body[:4096]
    for pattern, where in ((_XML_ENCODING, "its XML declaration"), (_META_CHARSET, "its meta tag")):
        found = pattern.search(head)
        if found:
            return found.group(1).decode("ascii"), where
    return None, ""


def decode(body: bytes, content_type: str, url: str) -> str:
    """A page's text in the character set it declares; undeclared, UTF-8 if it reads as such, else windows-1252
    (what browsers assume). Bytes invalid in the declared set are an ``UndecodablePage``, never replaced: a quote
    cut from a page must be the page's words."""
    charset, where = declared_charset(body, content_type)
    if charset is None:
        try:
            return body.decode("utf-8")
        except UnicodeDecodeError:
            charset, where = "windows-1252", "no declaration (read as windows-1252, as browsers do)"
    try:
        codec = codecs.lookup(charset)
    except LookupError as error:
        raise UndecodablePage(url, f"declares the unknown character set {charset!r} in {where}") from error
    # Browsers read a page labelled ISO-8859-1 or ASCII as windows-1252 (WHATWG Encoding): so do we.
    name = "cp1252" if codec.name in ("latin-1", "iso8859-1", "ascii") else codec.name
    try:
        return body.decode(name)
    except UnicodeDecodeError as error:
        bad = body[error.start:error.start + 1].hex()
        raise UndecodablePage(url, f"is not {charset} text as {where} says: byte 0x{bad} at position "
                                   f"{error.start} is not {charset}", details={"charset": charset}) from error


# --- the polite client --------------------------------------------------------------------------


class _Host:
    """One origin's politeness: a cap on requests in flight and the earliest start of the next one."""

    def __init__(self, cap: int) -> None:
        self.slots = threading.BoundedSemaphore(cap)
        self.lock = threading.Lock()
        self.next_start = 0.0
        self.delay: float | None = None  # a robots.txt Crawl-delay, once read


class Client:
    """Fetches with robots.txt, per-host delay and concurrency, retries with backoff and every bound above.

    One client serves a whole poll from many threads; ``requests`` counts what went out, per origin.
    """

    def __init__(self, policy: Policy, robots: RobotsMemory | None = None, *,
                 clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep) -> None:
        self.policy = policy
        self.memory = robots if robots is not None else InMemoryRobots()
        self._clock = clock
        self._sleep = sleep
        self._hosts: dict[str, _Host] = {}
        self._parsers: dict[str, urllib.robotparser.RobotFileParser] = {}
        self._lock = threading.Lock()
        self._robots_locks: dict[str, threading.Lock] = {}
        # Requests in flight in all: a thread waiting out a host's delay holds no slot, only one asking does.
        self._in_flight = threading.BoundedSemaphore(policy.workers)
        self.requests: dict[str, int] = {}

    def get(self, url: str, *, headers: Mapping[str, str] | None = None) -> Response:
        """GET ``url`` politely, following allowed redirects; a 304 is returned, any other non-2xx raised."""
        chain: list[str] = []
        current = url
        for _ in range(self.policy.max_redirects + 1):
            self._obey_robots(current)
            response = self._with_retries(current, headers)
            if response.status not in REDIRECTS:
                response.redirects = chain
                if response.status == 304 or 200 <= response.status < 300:
                    return response
                raise HttpStatusError(current, response.status,
                                      retry_after=retry_after(response.headers.get("retry-after")))
            location = response.headers.get("location")
            if not location:
                raise RedirectRefused(current, f"answered {response.status} without a Location to go to")
            target = urljoin(current, location.strip())
            self._check_redirect(url, current, target)
            chain.append(current)
            current = target
        raise RedirectRefused(url, f"redirected more than {self.policy.max_redirects} times "
                                   f"({' → '.join([*chain, current])})")

    def _check_redirect(self, first: str, current: str, target: str) -> None:
        try:
            check_url(target)
        except AddressRefused as error:
            raise RedirectRefused(first, f"redirected to {target!r}, which is not fetched: "
                                         f"{error.message.split(': ', 1)[-1]}") from error
        if (urlsplit(target).hostname or "").lower() != (urlsplit(current).hostname or "").lower() \
                and not self.policy.cross_host_redirects:
            raise RedirectRefused(first, f"redirects to another host ({target}); not followed "
                                         "(KG_FEEDS_CROSS_HOST_REDIRECTS=true follows such redirects)",
                                  details={"location": target})

    def _with_retries(self, url: str, headers: Mapping[str, str] | None) -> Response:
        attempt = 0
        while True:
            attempt += 1
            try:
                response = self._polite(url, headers)
            except FetchFailed as error:
                if not error.transient or attempt > self.policy.retries:
                    raise
                self._sleep(self.policy.backoff * 2 ** (attempt - 1))
                continue
            if response.status >= 500 and attempt <= self.policy.retries:
                wait = retry_after(response.headers.get("retry-after"))
                if wait is None or wait > RETRY_AFTER_MAX:
                    wait = self.policy.backoff * 2 ** (attempt - 1)
                self._sleep(wait)
                continue
            response.attempts = attempt
            return response

    def _host(self, origin: str) -> _Host:
        with self._lock:
            host = self._hosts.get(origin)
            if host is None:
                host = self._hosts[origin] = _Host(self.policy.host_concurrency)
            return host

    def _polite(self, url: str, headers: Mapping[str, str] | None, *, max_bytes: int | None = None) -> Response:
        origin = origin_of(url)
        host = self._host(origin)
        with host.slots:
            with host.lock:
                delay = max(self.policy.host_delay, host.delay or 0.0)
                now = self._clock()
                start = max(now, host.next_start)
                host.next_start = start + delay
            if start > now:
                self._sleep(start - now)
            with self._lock:
                self.requests[origin] = self.requests.get(origin, 0) + 1
            with self._in_flight:
                return request_once(url, self.policy, headers=headers, max_bytes=max_bytes)

    # --- robots.txt -----------------------------------------------------------------------------

    def _obey_robots(self, url: str) -> None:
        origin = origin_of(url)
        parser = self._robots(origin)
        agent = self.policy.user_agent
        if not parser.can_fetch(agent, url):
            if getattr(parser, "disallow_all", False):
                raise RobotsDisallowed(url, f"{origin}/robots.txt could not be read, which disallows every URL "
                                            "until it can (RFC 9309); asked again in ten minutes")
            raise RobotsDisallowed(url, f"{origin}/robots.txt disallows it for {agent.split('/', 1)[0]}")

    def _robots(self, origin: str) -> urllib.robotparser.RobotFileParser:
        with self._lock:
            lock = self._robots_locks.setdefault(origin, threading.Lock())
        with lock:  # one thread asks a host for its robots.txt; the others wait for its answer
            now = time.time()
            parser = self._parsers.get(origin)
            record = self.memory.robots(origin)
            if parser is not None and record is not None and record.fresh(now):
                return parser
            if record is None or not record.fresh(now):
                record = self._fetch_robots(origin, now)
                self.memory.remember_robots(origin, record)
            parser = _parser(record)
            self._host(origin).delay = crawl_delay(record.text, self.policy.user_agent) if record.status == 200 \
                else None
            self._parsers[origin] = parser
            return parser

    def _fetch_robots(self, origin: str, now: float) -> RobotsRecord:
        url = f"{origin}/robots.txt"
        current = url
        try:
            for _ in range(self.policy.max_redirects + 1):
                response = self._with_retries_robots(current)
                if response.status in REDIRECTS and response.headers.get("location"):
                    current = urljoin(current, response.headers["location"])
                    check_url(current)
                    continue
                if 200 <= response.status < 300:
                    return RobotsRecord(response.status, response.body.decode("utf-8", "replace"), now)
                return RobotsRecord(response.status, "", now)
        except ResponseTooLarge:
            return RobotsRecord(200, "", now)  # past 500 KiB a robots.txt has said nothing we can hold to
        except AddressRefused:
            raise
        except FetchFailed:
            return RobotsRecord(0, "", now)
        return RobotsRecord(0, "", now)

    def _with_retries_robots(self, url: str) -> Response:
        attempt = 0
        while True:
            attempt += 1
            try:
                response = self._polite(url, None, max_bytes=ROBOTS_MAX_BYTES)
            except FetchFailed as error:
                if not error.transient or attempt > self.policy.retries:
                    raise
                self._sleep(self.policy.backoff * 2 ** (attempt - 1))
                continue
            if response.status >= 500 and attempt <= self.policy.retries:
                self._sleep(self.policy.backoff * 2 ** (attempt - 1))
                continue
            return response


def crawl_delay(text: str, user_agent: str) -> float | None:
    """The ``Crawl-delay`` of the robots.txt group that applies to us (ours, else ``*``), in seconds, at most
    ``CRAWL_DELAY_MAX``: the standard library reads whole seconds only, and a hostile robots.txt must not stall a
    poll for hours."""
    token = user_agent.split("/", 1)[0].strip().lower()
    groups: list[tuple[list[str], float | None]] = []
    agents: list[str] = []
    rules_seen = False
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if ":" not in line:
            continue
        field_name, value = (part.strip() for part in line.split(":", 1))
        name = field_name.lower()
        if name == "user-agent":
            if rules_seen:
                agents, rules_seen = [], False
            if not agents:
                groups.append((agents, None))
            agents.append(value.lower())
        elif groups:
            rules_seen = True
            if name == "crawl-delay":
                try:
                    groups[-1] = (groups[-1][0], max(0.0, float(value)))
                except ValueError:
                    continue
    mine = next((delay for names, delay in groups if any(n != "*" and n in token for n in names)), None)
    if mine is None and not any(any(n != "*" and n in token for n in names) for names, _ in groups):
        mine = next((delay for names, delay in groups if "*" in names), None)
    return min(mine, CRAWL_DELAY_MAX) if mine is not None else None


def _parser(record: RobotsRecord) -> urllib.robotparser.RobotFileParser:
    """A parser for a robots.txt record: 2xx its rules, 4xx no rules (allow all), 5xx or none at all: disallow all."""
    parser = urllib.robotparser.RobotFileParser()
    if 200 <= record.status < 300:
        parser.parse(record.text.splitlines())
    elif 400 <= record.status < 500:
        # the parser's own flags, set here as its read() sets them for such answers
        parser.allow_all = True  # type: ignore[attr-defined]
    else:
        parser.disallow_all = True  # type: ignore[attr-defined]
    parser.modified()  # can_fetch answers False until the parser is marked read
    return parser
