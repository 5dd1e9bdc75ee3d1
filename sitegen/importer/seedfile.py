"""Reading a seed file safely and decoding it to text, mojibake repaired when it can be.

What holds:
- Only a regular file is read (a symlink is followed to one). A FIFO, a socket, a device
  (also behind a symlink, /dev/zero say) or a directory is refused with one line naming the
  file, before anything is read; the file is opened non-blocking and checked again on its
  descriptor, so a file swapped for a FIFO in between cannot block the import either.
- At most `max_bytes + 1` bytes are ever read: a file over the limit is refused even when its
  reported size is wrong (a device reports 0, a file may grow while it is read).
- Bytes → text: a UTF-8 or UTF-16 byte order mark is honoured, UTF-8 is the default, bytes
  that are not UTF-8 are read as Windows-1256 (the Arabic code page) only when that gives
  Arabic text; NUL bytes or other control characters mean a binary file. CRLF and CR line
  ends become LF.
- Mojibake (Arabic Windows-1256 or UTF-8 bytes that an earlier tool decoded as Windows-1252
  or Latin-1, e.g. "ÃÙåÑÊ") is repaired line by line, and only where the bytes go back and
  forth exactly: encoding with the wrong code page and decoding with the right one, both
  strict, must succeed and give mostly Arabic. Readable lines are left as they are. When a
  line still looks like mojibake after that, the seed is refused ("… the text is not
  readable Arabic (mojibake) …"): an importer must not publish what no reader can read.
"""

from __future__ import annotations

import errno
import logging
import os
import re
import stat
from collections.abc import Callable
from pathlib import Path

from sitegen.arabic import ARABIC_LETTER
from sitegen.errors import SourceError

log = logging.getLogger(__name__)

__all__ = ["decode_seed", "looks_like_mojibake", "read_seed_bytes", "read_seed_text", "repair_mojibake"]

_STAGE = "import"
_CHUNK = 1 << 16
# C0 controls other than tab, newline, vertical tab, form feed, carriage return: binary data.
_CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f]")


# --- Reading --------------------------------------------------------------------------------
def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    return "not a regular file"


def _size_text(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / 1024 / 1024:.1f} MiB"
    if n >= 1024:
        return f"{n / 1024:.1f} KiB"
    return f"{n} bytes"


def _refuse(display: str, message: str) -> SourceError:
    return SourceError(display, message, stage=_STAGE)


def read_seed_text(path: Path, display: str, max_bytes: int) -> tuple[str, bytes, list[str]]:
    """Read the seed at `path` (named `display` in messages): (text, raw bytes, warnings).

    Raises SourceError, one line naming the file, when it is not a regular file, cannot be
    read, holds more than `max_bytes` bytes, is binary or is not readable text (undecodable
    or unrepairable mojibake)."""
    raw = read_seed_bytes(path, display, max_bytes)
    text, warnings = decode_seed(raw, display)
    return text, raw, warnings


def read_seed_bytes(path: Path, display: str, max_bytes: int, kind: str = "seed") -> bytes:
    """The bytes of the file at `path`, read as safely as a seed (a saved page, a feed file:
    `kind` names it in the size message). Raises SourceError as read_seed_text does for a
    file that is not regular, cannot be read or holds more than `max_bytes` bytes."""
    try:
        st = os.stat(path)  # follows a symlink: what matters is what would be read
    except OSError as e:
        raise _refuse(display, f"cannot read: {e.strerror or e}") from None
    if not stat.S_ISREG(st.st_mode):
        raise _refuse(display, f"cannot read: {_kind(st.st_mode)}, not a regular file")
    if st.st_size > max_bytes:
        raise _too_big(display, st.st_size, max_bytes, kind)
    try:
        # O_NONBLOCK: if the path became a FIFO since the stat, opening it must not wait for
        # a writer. O_NOCTTY: a terminal device never becomes our controlling terminal.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
                     | getattr(os, "O_CLOEXEC", 0))
    except OSError as e:
        if e.errno in (errno.EACCES, errno.EPERM):
            raise _refuse(display, "cannot read: permission denied") from None
        raise _refuse(display, f"cannot read: {e.strerror or e}") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise _refuse(display, f"cannot read: {_kind(st.st_mode)}, not a regular file")
        chunks: list[bytes] = []
        total = 0
        while total <= max_bytes:
            try:
                chunk = os.read(fd, min(_CHUNK, max_bytes + 1 - total))
            except BlockingIOError:  # pragma: no cover - regular files never block
                break
            except OSError as e:
                raise _refuse(display, f"cannot read: {e.strerror or e}") from None
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        if total > max_bytes:
            raise _too_big(display, st.st_size, max_bytes, kind, at_least=st.st_size <= max_bytes)
        return b"".join(chunks)
    finally:
        os.close(fd)


def _too_big(display: str, size: int, max_bytes: int, kind: str = "seed", *,
             at_least: bool = False) -> SourceError:
    """The size refusal; `at_least` when reading stopped at the limit (the full size unknown)."""
    mib = 1024 * 1024
    limit = (f"max_seed_mb = {max_bytes // mib} (raise it in config.toml to import this {kind})"
             if max_bytes and max_bytes % mib == 0 else f"the limit of {_size_text(max_bytes)}")
    shown = f"more than {_size_text(max_bytes)}" if at_least else _size_text(size)
    return _refuse(display, f"file is {shown}, over {limit}")


# --- Decoding -------------------------------------------------------------------------------
def decode_seed(data: bytes, display: str) -> tuple[str, list[str]]:
    """Seed bytes → (text with LF line ends, warnings). Raises SourceError for empty, binary,
    undecodable or unrepairable-mojibake input, naming the byte offset or line."""
    warnings: list[str] = []
    text = _bytes_to_text(data, display, warnings)
    controls = _CONTROL.search(text)
    if controls:
        raise SourceError(display, f"binary file (control character U+{ord(controls.group()):04X}), "
                          "not a text page", line=text.count("\n", 0, controls.start()) + 1, stage=_STAGE)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise _refuse(display, "empty file: no text to import")
    return _repair_lines(text, display, warnings), warnings


def _bytes_to_text(data: bytes, display: str, warnings: list[str]) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        # UTF-16 with its byte order mark (what Windows tools write as "Unicode").
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as e:
            raise SourceError(display, "starts with a UTF-16 byte order mark but is not valid UTF-16",
                              offset=e.start, stage=_STAGE) from None
    if not data.strip():
        raise _refuse(display, "empty file: no text to import")
    nul = data.find(b"\0")
    if nul >= 0:
        raise SourceError(display, "binary file (NUL byte), not a text page", offset=nul, stage=_STAGE)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        text = data.decode("cp1256", errors="replace")
        # cp1256 maps nearly every byte, so it "decodes" anything: accept it only when the
        # result reads as Arabic, the case it exists for.
        if not _mostly_arabic(text):
            raise SourceError(display, f"not valid UTF-8 (byte 0x{data[e.start]:02x}) and not "
                              "Arabic Windows-1256 text either", offset=e.start, stage=_STAGE) from None
        warnings.append(str(SourceError(display, f"not valid UTF-8 (byte 0x{data[e.start]:02x}); "
                                        "read as Windows-1256 (cp1256)", offset=e.start, stage=_STAGE)))
        return text


# --- Mojibake -------------------------------------------------------------------------------
# The characters Windows-1252 gives bytes 0x80-0x9F (its letters and punctuation there).
_CP1252_HIGH = set(bytes(range(0x80, 0xA0)).decode("cp1252", errors="ignore"))
# WHATWG "windows-1252" (what browsers and many scrapers use) maps the five bytes cp1252
# leaves undefined to the C1 controls of the same value; such text round-trips through this.
_WEB_UNDEFINED = {chr(b): b for b in (0x81, 0x8D, 0x8F, 0x90, 0x9D)}


def _encode_web1252(text: str) -> bytes:
    out = bytearray()
    for char in text:
        if char in _WEB_UNDEFINED:
            out.append(_WEB_UNDEFINED[char])
        else:
            out += char.encode("cp1252")  # raises UnicodeEncodeError for anything else
    return bytes(out)


# (how to encode the text back to the bytes it was wrongly decoded from, the right decoding);
# UTF-8 first: its strict decoding is a strong check, while cp1256 maps almost any byte.
_REPAIRS: tuple[tuple[Callable[[str], bytes], str], ...] = (
    (_encode_web1252, "utf-8"),
    (lambda s: s.encode("latin-1"), "utf-8"),
    (_encode_web1252, "cp1256"),
    (lambda s: s.encode("latin-1"), "cp1256"),
)


def _mojibake_char(char: str) -> bool:
    code = ord(char)
    return 0xC0 <= code <= 0xFF or char in _CP1252_HIGH or 0x80 <= code <= 0x9F or char in "¡¢£¤¥¦§¨©ª«¬®¯°±²³´µ¶·¸¹º»¼½¾¿"


_ARABIC_RUN = re.compile("([\u0600-\u06ff\ufb50-\ufdff\ufe70-\ufeff][\u0600-\u06ff\ufb50-\ufdff\ufe70-\ufeff\\s\\d]*)")


def looks_like_mojibake(text: str) -> bool:
    """True when `text`, or a stretch of it between readable Arabic words, reads like Arabic
    bytes decoded with a Western code page: at least three characters from the
    Latin-1/Windows-1252 upper half, making up at least half of its letters and symbols,
    that read as Arabic with the Arabic code page (French or Spanish text has accented
    letters too, but they do not turn into Arabic)."""
    return any(_mojibake_run(run) for run in _ARABIC_RUN.split(text)[::2])


def _mojibake_run(text: str) -> bool:
    signs = [c for c in text if not c.isascii() or c.isalpha()]
    odd = sum(1 for c in signs if _mojibake_char(c))
    if odd < 3 or odd * 2 < len(signs):
        return False
    # Accented Latin text ("Ça a été") has the same letters; only Arabic bytes read with a
    # Western code page give Arabic back when read with the Arabic one, if only roughly.
    rough = text.encode("cp1252", errors="replace").decode("cp1256", errors="replace")
    return _mostly_arabic(rough)


def _mostly_arabic(text: str) -> bool:
    arabic = len(ARABIC_LETTER.findall(text))
    other = sum(1 for c in text if c.isalpha() and not ARABIC_LETTER.match(c))
    return arabic >= 3 and arabic >= 2 * other


def repair_mojibake(text: str) -> str | None:
    """`text` with its mojibake undone, or None when there is nothing to repair or it cannot
    be repaired exactly. The runs of `text` without Arabic letters that look like mojibake are
    each encoded back with Windows-1252 (or Latin-1) and decoded as UTF-8 (or Windows-1256),
    both strictly; every such run must convert and the result must be mostly Arabic."""
    runs = _ARABIC_RUN.split(text)
    changed = False
    out: list[str] = []
    for i, run in enumerate(runs):
        if i % 2 == 1 or not _mojibake_run(run):
            out.append(run)
            continue
        fixed = _repair_run(run)
        if fixed is None:
            return None
        out.append(fixed)
        changed = True
    if not changed:
        return None
    result = "".join(out)
    return result if _mostly_arabic(result) else None


def _repair_run(run: str) -> str | None:
    for encode, right in _REPAIRS:  # the first exact conversion to Arabic wins
        try:
            fixed = encode(run).decode(right)
        except (UnicodeEncodeError, UnicodeDecodeError):
            continue
        if _mostly_arabic(fixed) and not _CONTROL.search(fixed):
            return fixed
    return None


def _repair_lines(text: str, display: str, warnings: list[str]) -> str:
    """Repair the mojibake lines of `text`; refuse the seed when one cannot be repaired."""
    lines = text.split("\n")
    repaired: list[int] = []
    for no, line in enumerate(lines, start=1):
        if not looks_like_mojibake(line):
            continue
        fixed = repair_mojibake(line)
        if fixed is None:
            raise SourceError(display, "the text is not readable Arabic (mojibake: Arabic bytes read "
                              "with a Western code page, and they do not convert back exactly)",
                              line=no, stage=_STAGE)
        lines[no - 1] = fixed
        repaired.append(no)
    if repaired:
        warnings.append(str(SourceError(
            display, f"repaired mojibake on {len(repaired)} line(s) ({_ranges(repaired)}): Arabic "
            "text that had been read with a Western code page", stage=_STAGE)))
        log.info("%s: repaired mojibake on lines %s", display, _ranges(repaired))
    return "\n".join(lines)


def _ranges(numbers: list[int]) -> str:
    """[4, 5, 6, 9] → "4-6, 9"."""
    parts: list[str] = []
    start = prev = numbers[0]
    for n in numbers[1:] + [0]:
        if n == prev + 1:
            prev = n
            continue
        parts.append(f"{start}-{prev}" if prev > start else f"{start}")
        start = prev = n
    return ", ".join(parts)
