"""The reload channel: what the server knows about the current build, the script injected
into HTML responses, and the error overlay.

`SiteState` is the one lock between the rebuild thread and the request threads: a request
waits until every change seen before it arrived has been built, and never reads the output
folder while a build is writing or swapping it.
"""

from __future__ import annotations

import html
import json
import logging
import re
import secrets
import threading
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

log = logging.getLogger(__name__)

EVENTS_PATH = "/__sitegen/events"
"""The Server-Sent Events endpoint; never a path a site can have (double underscore)."""

OVERLAY_ID = "sitegen-overlay"


class Stopping(Exception):
    """The server is shutting down; the request gets a 503."""


@dataclass(frozen=True)
class Change:
    """One thing the browser is told about."""

    version: int
    """Increases by one per change; pages carry the version they were served at."""
    kind: str
    """'html' (reload the page), 'css' (swap stylesheets), 'search' (only the search index
    changed: a page running a search reloads, since the files its index points to are
    gone) or 'none' (only the overlay changed)."""
    error: str | None
    """The failed build's message (file:line: stage: message lines), or None once it builds."""


def merge(changes: list[Change]) -> Change:
    """Several changes the browser missed, as one: reload if any needs it; the last error.
    A stylesheet and a search index change together are a reload (one kind per event)."""
    kinds = {c.kind for c in changes}
    if "html" in kinds or {"css", "search"} <= kinds:
        kind = "html"
    else:
        kind = next((k for k in ("css", "search") if k in kinds), "none")
    return Change(changes[-1].version, kind, changes[-1].error)


class SiteState:
    """Build sequencing shared by the rebuild thread, request threads and event streams."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._building = False
        self._readers = 0
        self._built = 0
        self._history: deque[Change] = deque(maxlen=256)
        self.version = 0
        """The latest change's version (0: nothing changed since the server started)."""
        self.error: str | None = None
        """The last build's error, or None when it succeeded."""
        self.stopping = False
        self.streams = 0
        """Event streams open right now (one per visible page)."""
        self.token = secrets.token_hex(4)
        """Tells this server's versions from a previous run's (a reconnecting browser)."""

    # --- the rebuild thread ---------------------------------------------------------------
    @contextmanager
    def building(self) -> Iterator[None]:
        """Hold off readers for the duration of a build (and wait out the current ones)."""
        with self._cond:
            self._building = True  # set first, so no new reader starts while we wait
            self._cond.wait_for(lambda: self._readers == 0)
        try:
            yield
        finally:
            with self._cond:
                self._building = False
                self._cond.notify_all()

    def built(self, seq: int, kind: str, error: str | None) -> Change | None:
        """Record that changes up to `seq` are built; returns the Change told to browsers
        (None when nothing visible changed: an identical rebuild with no error before)."""
        with self._cond:
            self._built = max(self._built, seq)
            change = None
            if kind != "none" or error != self.error:
                self.version += 1
                change = Change(self.version, kind, error)
                self._history.append(change)
            self.error = error
            self._cond.notify_all()
            return change

    # --- request threads ------------------------------------------------------------------
    @contextmanager
    def reading(self, seq: int, timeout: float = 60.0) -> Iterator[tuple[int, str | None]]:
        """Read the output folder once changes up to `seq` are built and no build runs.

        Yields (version, error) for the page being served. After `timeout` seconds of
        builds that never catch up, serves what is there (still never during a build).
        """
        with self._cond:
            ready = lambda: self.stopping or (not self._building and self._built >= seq)  # noqa: E731
            if not self._cond.wait_for(ready, timeout):
                log.warning("changes still unbuilt after %.0f s; serving the last build", timeout)
                self._cond.wait_for(lambda: self.stopping or not self._building)
            if self.stopping:
                raise Stopping
            self._readers += 1
            snapshot = (self.version, self.error)
        try:
            yield snapshot
        finally:
            with self._cond:
                self._readers -= 1
                if not self._readers:
                    self._cond.notify_all()

    def wait_change(self, token: str, version: int, timeout: float) -> Change | None:
        """Block until there is news for a browser at (token, version), or `timeout`.

        A browser from an earlier server run (other token) or too far behind is told to
        reload. Raises Stopping when the server shuts down.
        """
        with self._cond:
            if token != self.token:
                return Change(self.version, "html", self.error)
            self._cond.wait_for(lambda: self.stopping or self.version > version, timeout)
            if self.stopping:
                raise Stopping
            if self.version <= version:
                return None
            missed = [c for c in self._history if c.version > version]
            if not missed or missed[0].version != version + 1:
                return Change(self.version, "html", self.error)
            return merge(missed)

    def stream(self, delta: int) -> None:
        """Count an event stream opening (+1) or ending (-1)."""
        with self._cond:
            self.streams += delta
            self._cond.notify_all()

    def wait_streams(self, predicate: Callable[[int], bool], timeout: float) -> bool:
        """Wait until the number of open streams satisfies `predicate` (for tests and tools)."""
        with self._cond:
            return self._cond.wait_for(lambda: predicate(self.streams), timeout)

    def stop(self) -> None:
        """Wake every waiting request and event stream so they end."""
        with self._cond:
            self.stopping = True
            self._cond.notify_all()


# --- what is injected into pages -------------------------------------------------------------
def overlay_html(error: str) -> str:
    """The error overlay: a panel at the bottom of the viewport (the page stays readable
    above it), every line escaped and laid out by its own direction (dir=auto), so an
    Arabic message and a file:line read right."""
    lines = "".join(
        f'<div dir="auto" style="unicode-bidi:plaintext;white-space:pre-wrap;margin:2px 0">'
        f"{html.escape(line)}</div>"
        for line in error.splitlines() or [""]
    )
    return (
        f'<div id="{OVERLAY_ID}" role="alert" dir="auto" style="all:initial;position:fixed;'
        "left:0;right:0;bottom:0;max-height:45vh;overflow:auto;z-index:2147483647;"
        "box-sizing:border-box;padding:12px 16px;background:rgba(24,24,27,.95);color:#fafafa;"
        "border-top:4px solid #e5484d;font:14px/1.6 ui-monospace,'DejaVu Sans Mono','Noto Sans Arabic',monospace;"
        'text-align:start;display:block">'
        '<div dir="ltr" style="font-weight:bold;margin-bottom:6px;color:#ff9592">'
        "sitegen: build failed; showing the last good build</div>"
        f"{lines}</div>"
    )


# Kept small and dependency-free; `%s` are the config (a JSON object) and the overlay's id.
# A hidden tab closes its stream (over HTTP/1.1 a browser keeps at most ~6 connections per
# host, and each open stream holds one) and reconnects when shown, with the version it has:
# the server then sends what it missed. After an error it reconnects the same way, so a
# restarted server (new token) makes the page reload.
_SCRIPT = """<script id="sitegen-live">(function(){
var C=%s,K="sitegen:scroll";
try{var s=JSON.parse(sessionStorage.getItem(K)||"null");
if(s&&s.p===location.pathname){sessionStorage.removeItem(K);
var go=function(){scrollTo(s.x,s.y)};
if(document.readyState==="complete")go();else addEventListener("load",go);}}catch(e){}
function key(h){return new URL(h,location.href).pathname.replace(/\\.[0-9a-f]{6,}(?=\\.css$)/,"");}
function swapCss(){fetch(location.href,{cache:"no-store"}).then(function(r){return r.text();}).then(function(t){
var d=new DOMParser().parseFromString(t,"text/html"),fresh={};
d.querySelectorAll('link[rel~="stylesheet"]').forEach(function(l){fresh[key(l.getAttribute("href"))]=new URL(l.getAttribute("href"),location.href).href;});
document.querySelectorAll('link[rel~="stylesheet"]').forEach(function(l){
var n=fresh[key(l.getAttribute("href"))];
if(!n||n===l.href){var u=new URL(l.href);u.searchParams.set("sitegen",Date.now());n=u.href;}
var c=l.cloneNode();c.href=n;c.onload=c.onerror=function(){l.remove();};l.after(c);});});}
function overlay(h){var o=document.getElementById("%s");if(o)o.remove();
if(h)document.body.insertAdjacentHTML("beforeend",h);}
var es=null,T=0;
function close(){if(es){es.close();es=null;}}
function connect(){if(es||document.hidden)return;
es=new EventSource(C.events+"?v="+encodeURIComponent(C.token+":"+C.version));
es.addEventListener("change",function(m){var d=JSON.parse(m.data);C.version=d.version;
if(d.kind==="html"||d.kind==="search"&&document.querySelector("[data-pagefind]")){close();
try{sessionStorage.setItem(K,JSON.stringify({p:location.pathname,x:scrollX,y:scrollY}));}catch(e){}
location.reload();return;}
if(d.kind==="css")swapCss();overlay(d.overlay);});
es.onerror=function(){close();clearTimeout(T);T=setTimeout(connect,1000);};}
document.addEventListener("visibilitychange",function(){if(document.hidden)close();else connect();});
connect();
})();</script>"""


def client_script(token: str, version: int) -> str:
    """The live-reload script for a page served at `version` of server run `token`."""
    config = json.dumps({"events": EVENTS_PATH, "token": token, "version": version})
    # A JSON string cannot contain '</script>' here (no user text), but keep it safe anyway.
    return _SCRIPT % (config.replace("</", "<\\/"), OVERLAY_ID)


_BODY_END = re.compile(rb"</body\s*>", re.IGNORECASE)


def inject(page: bytes, token: str, version: int, error: str | None) -> bytes:
    """An HTML page with the overlay (when the last build failed) and the reload script
    inserted before its last </body> (appended when it has none)."""
    extra = (overlay_html(error) if error is not None else "") + client_script(token, version)
    data = extra.encode("utf-8")
    ends = list(_BODY_END.finditer(page))
    if not ends:
        return page + data
    at = ends[-1].start()
    return page[:at] + data + page[at:]


def event_message(change: Change) -> bytes:
    """One Server-Sent Event for a change (the browser script reads `kind` and `overlay`)."""
    payload = json.dumps(
        {
            "version": change.version,
            "kind": change.kind,
            "overlay": overlay_html(change.error) if change.error is not None else None,
        },
        ensure_ascii=False,
    )
    return f"event: change\ndata: {payload}\n\n".encode("utf-8")
