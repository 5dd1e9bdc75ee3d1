"""The HTTP request handler: files from the current output folder, the reload script
injected into HTML, and the Server-Sent Events stream."""

from __future__ import annotations

import ipaddress
import logging
import select
import socket
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlsplit

from sitegen.serve.paths import content_type, resolve
from sitegen.serve.reload import EVENTS_PATH, Stopping, event_message, inject

if TYPE_CHECKING:
    from sitegen.serve.server import DevHTTPServer

log = logging.getLogger(__name__)

KEEPALIVE_SECONDS = 10.0
"""An SSE comment this often, so a closed browser tab is noticed and its thread ends."""


def is_loopback(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and 'localhost'."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class Handler(BaseHTTPRequestHandler):
    """One request. HTTP/1.0 (one request per connection): no idle keep-alive threads to
    wait for at shutdown; on localhost a new connection costs nothing."""

    server: "DevHTTPServer"
    server_version = "sitegen-serve"
    timeout = 30  # a client that connects and never sends a request lets go eventually

    def setup(self) -> None:
        super().setup()
        self.server.track(self.connection)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.untrack(self.connection)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (stdlib name)
        log.debug("%s %s", self.address_string(), format % args)

    def _host_allowed(self) -> bool:
        """On a loopback address, only loopback names may be asked for: a web page whose
        domain an attacker re-points at 127.0.0.1 (DNS rebinding) gets a 403."""
        if not self.server.loopback:
            return True
        host = self.headers.get("Host")
        if host is None:
            return True
        name = urlsplit(f"//{host}").hostname or ""
        return name.endswith(".localhost") or is_loopback(name)

    def do_HEAD(self) -> None:  # noqa: N802 (stdlib naming)
        if not self._host_allowed():
            self._plain(HTTPStatus.FORBIDDEN, "unknown Host\n", True)
            return
        self._serve(head=True)

    def do_GET(self) -> None:  # noqa: N802
        if not self._host_allowed():
            self._plain(HTTPStatus.FORBIDDEN, "unknown Host: open the URL sitegen serve printed\n", False)
            return
        if urlsplit(self.path).path == EVENTS_PATH:
            self._events()
        else:
            self._serve(head=False)

    # --- files ----------------------------------------------------------------------------
    def _serve(self, *, head: bool) -> None:
        dev = self.server.dev
        seq = dev.changes_seen()
        try:
            with dev.state.reading(seq) as (version, error):
                root = dev.output_dir
                found = resolve(root, self.path, dev.base_path)
                body = b""
                status = found.status
                ctype = "text/plain; charset=utf-8"
                if found.status == 200 and found.file is not None:
                    body = found.file.read_bytes()
                    ctype = content_type(found.file)
                elif found.status in (403, 404):
                    body, ctype = self._error_page(root, found.status)
        except Stopping:
            self._plain(HTTPStatus.SERVICE_UNAVAILABLE, "the server is stopping\n", head)
            return
        except OSError as e:  # vanished between resolve and read: a build we did not see
            log.debug("read failed: %s", e)
            self._plain(HTTPStatus.NOT_FOUND, "not found\n", head)
            return
        if status == 301:
            self.send_response(301)
            self.send_header("Location", found.location)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if ctype.startswith("text/html"):
            body = inject(body, dev.state.token, version, error)
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        # Always fresh while editing: a reload must never show a cached old page.
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        if not head:
            self._write(body)

    def _error_page(self, root: Path, status: int) -> tuple[bytes, str]:
        """The site's own 404.html (for refusals too: no hint what exists outside)."""
        page = resolve(root, "/404.html")
        if page.status == 200 and page.file is not None:
            return page.file.read_bytes(), "text/html; charset=utf-8"
        text = "Not found" if status == 404 else "Forbidden"
        return (
            f"<!doctype html><html><head><meta charset=utf-8><title>{status}</title></head>"
            f"<body><h1>{status} {text}</h1></body></html>"
        ).encode(), "text/html; charset=utf-8"

    def _plain(self, status: HTTPStatus, text: str, head: bool) -> None:
        body = text.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head:
            self._write(body)

    def _write(self, data: bytes) -> bool:
        try:
            self.wfile.write(data)
            self.wfile.flush()
            return True
        except (BrokenPipeError, ConnectionResetError, socket.timeout, OSError):
            return False

    def _peer_closed(self) -> bool:
        """True once the browser has closed the stream (it never sends anything on it)."""
        try:
            readable, _, _ = select.select([self.connection], [], [], 0)
            return bool(readable) and not self.connection.recv(1, socket.MSG_PEEK)
        except OSError:
            return True

    # --- the event stream -----------------------------------------------------------------
    def _events(self) -> None:
        dev = self.server.dev
        query = parse_qs(urlsplit(self.path).query)
        token, _, version = (query.get("v") or [""])[0].partition(":")
        try:
            seen = int(version)
        except ValueError:
            token, seen = "", 0
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.connection.settimeout(None)  # the stream is long-lived; keepalives find dead peers
        dev.state.stream(+1)
        try:
            self._stream(token, seen)
        finally:
            dev.state.stream(-1)

    def _stream(self, token: str, seen: int) -> None:
        state = self.server.dev.state
        if not self._write(b"retry: 1000\n\n"):
            return
        quiet_since = time.monotonic()
        while True:
            try:
                change = state.wait_change(token, seen, 1.0)
            except Stopping:
                return
            if change is None:
                if self._peer_closed():
                    return
                if time.monotonic() - quiet_since >= KEEPALIVE_SECONDS:
                    if not self._write(b": keepalive\n\n"):
                        return
                    quiet_since = time.monotonic()
                continue
            quiet_since = time.monotonic()
            token, seen = state.token, change.version
            if not self._write(event_message(change)):
                return
