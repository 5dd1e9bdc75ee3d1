"""Giving freed memory back to the system between build stages.

CPython hands an object's memory back to the C allocator, which keeps it for the process's
next allocations: a large table dropped part-way through a build (the articles' Markdown
text, once converted) still counts in the process's resident size though no object uses it,
and the Pagefind processes that run beside the build's last stage cannot have it. glibc's
`malloc_trim` returns such free pages to the system."""

from __future__ import annotations

import ctypes
import logging
import sys

log = logging.getLogger(__name__)


def release() -> None:
    """Return the C allocator's free pages to the system: glibc's `malloc_trim(0)` on Linux;
    nothing where there is no such call (another C library, another system)."""
    if not sys.platform.startswith("linux"):
        return
    try:
        trim = ctypes.CDLL(None).malloc_trim  # the C library this process runs on
    except (OSError, AttributeError):  # musl and others have no malloc_trim
        return
    trim(0)
