"""The one-line status a long build shows on a terminal: which stage runs, how far it got.

It is drawn only when the stream is a terminal (a pipe, a file or CI log gets nothing
extra), overwritten in place (carriage return and erase-line), and erased before any log
line is written and when the build ends, so it never mixes with what the build says.
"""

from __future__ import annotations

import logging
import time
from typing import TextIO

_ERASE = "\r\x1b[K"

UNITS = {"render": "pages", "postprocess": "files", "write": "files", "search": "files"}
"""What a stage's items are called in the status line."""


class Progress(logging.Filter):
    """Call it as `progress(stage, count)`: `count` None when `stage` starts, else how many
    more items it finished. Also a logging filter: add it to the handler writing to the
    same stream, so that the status is erased before each log line."""

    def __init__(self, stream: TextIO, *, interval: float = 0.1) -> None:
        super().__init__()
        self.stream = stream
        self.enabled = _is_terminal(stream)
        """False when the stream is no terminal: then nothing is ever written."""
        self.interval = interval
        """Least seconds between two redraws of the same stage (a stage change redraws)."""
        self._shown = ""
        self._stage = ""
        self._counts: dict[str, int] = {}
        self._drawn_at = 0.0

    def __call__(self, stage: str, count: int | None = None) -> None:
        if not self.enabled:
            return
        if count is not None:
            self._counts[stage] = self._counts.get(stage, 0) + count
        now = time.monotonic()
        if stage == self._stage and now - self._drawn_at < self.interval:
            return
        self._stage, self._drawn_at = stage, now
        done = self._counts.get(stage)
        text = f"{stage} {done:,} {UNITS.get(stage, 'items')}…" if done else f"{stage}…"
        if text != self._shown:
            self.stream.write(_ERASE + text)
            self.stream.flush()
            self._shown = text

    def clear(self) -> None:
        """Erase the status line, if one is shown."""
        if self._shown:
            self.stream.write(_ERASE)
            self.stream.flush()
            self._shown = ""

    def filter(self, record: logging.LogRecord) -> bool:  # noqa: A003 - logging's name
        self.clear()
        self._stage = ""  # redraw at the next call: the line was erased
        return True

    def __enter__(self) -> "Progress":
        return self

    def __exit__(self, *exc: object) -> None:
        self.clear()


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # no such method, or a closed stream
        return False
