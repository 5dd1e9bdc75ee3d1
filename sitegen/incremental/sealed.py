"""Cache files that say when they are damaged: every file the build cache writes is MAGIC,
a checksum of the rest, then the payload (`seal`); a file whose checksum does not match is a
miss with a warning (`unseal`), never output."""

from __future__ import annotations

import logging
import zlib
from pathlib import Path
from typing import BinaryIO

log = logging.getLogger(__name__)

MAGIC = b"sitegen-cache\0"
"""The first bytes of every cache file, before the checksum of the rest."""
SUM = 4
"""Bytes of a checksum: CRC-32, which finds every change of up to 32 bits in a row (a byte
changed, a file cut short) and random bytes but for one chance in four billion. It guards
against damage, not an attacker (who could write the checksum too), and is cheap enough to
check over every body a full re-render reads."""


def checksum(data: bytes | memoryview) -> bytes:
    """The checksum of `data`, as cache files hold it."""
    return _stored(zlib.crc32(data))


def _stored(crc: int) -> bytes:
    """A CRC-32 as cache files hold it."""
    return crc.to_bytes(SUM, "little")


def seal(payload: bytes | memoryview) -> bytes:
    """`payload` as a cache file holds it: MAGIC, a checksum, the payload."""
    return MAGIC + checksum(payload) + payload


class SealedFile:
    """A cache file being written as `seal` would make it, without its payload in memory:
    MAGIC and room for the checksum first, then each `write` of the payload goes to the
    file, the checksum taken as it passes, and `close` puts the checksum in its room."""

    def __init__(self, f: BinaryIO) -> None:
        self.f = f
        self.f.write(MAGIC + bytes(SUM))
        self.crc = 0

    def write(self, data: bytes | memoryview) -> int:
        self.crc = zlib.crc32(data, self.crc)
        return self.f.write(data)

    def restart(self) -> None:
        """Drop the payload written so far."""
        self.f.seek(len(MAGIC) + SUM)
        self.f.truncate()
        self.crc = 0

    def close(self) -> None:
        """Write the checksum of the payload in its place (the file stays open)."""
        self.f.seek(len(MAGIC))
        self.f.write(_stored(self.crc))


def unseal(data: bytes, path: Path) -> bytes | None:
    """The payload `seal` put in `data` (the bytes of the cache file `path`), or None, with
    a warning, when the file is damaged: truncated, overwritten, or any byte changed."""
    head = len(MAGIC) + SUM
    if (len(data) >= head and data.startswith(MAGIC)
            and checksum(memoryview(data)[head:]) == data[len(MAGIC):head]):
        return data[head:]
    log.warning("%s: damaged build cache file (checksum), ignored: what it held is made again", path)
    return None


class CacheDamaged(Exception):
    """A body's HTML in the pack does not match its checksum: found while rendering, so the
    build (`sitegen.build.build`) starts again without the cache. Not a SitegenError: the
    stages must let it through to the build, not report it as their own error."""

    def __init__(self, path: Path) -> None:
        self.path = path
        super().__init__(f"{path}: damaged build cache file (checksum), ignored: "
                         "the site is built again from scratch")
