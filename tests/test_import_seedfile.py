"""Reading seeds safely (sitegen.importer.seedfile): files that are not regular files are
refused without blocking or reading forever, the size limit holds while reading, bytes decode
as before, and mojibake is repaired exactly or refused. Our own sentences are turned into
mojibake here by encoding them with one code page and decoding with another."""

from __future__ import annotations

import os
import socket
import stat
from pathlib import Path

import pytest

from sitegen.errors import SourceError
from sitegen.importer import seedfile
from sitegen.importer.seedfile import decode_seed, looks_like_mojibake, read_seed_text, repair_mojibake

SENTENCE = "افتتحت البلدية مكتبة عامة جديدة في وسط المدينة، وتضم آلاف الكتب للأطفال."
TITLE = "مكتبة جديدة للأطفال"
MIB = 1024 * 1024


def mojibake(text: str, right: str = "cp1256", wrong: str = "cp1252") -> str:
    """`text` as a tool that decoded its `right` bytes with the `wrong` code page shows it."""
    return text.encode(right).decode(wrong)


def read(path: Path, max_bytes: int = MIB) -> tuple[str, bytes, list[str]]:
    return read_seed_text(path, "seeds/x.txt", max_bytes)


# --- files that are not regular files ---------------------------------------------------------
def test_a_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "x.txt"
    os.mkfifo(fifo)
    with pytest.raises(SourceError, match=r"^seeds/x.txt: import: cannot read: a FIFO \(named pipe\), not a regular file$"):
        read(fifo)


def test_a_fifo_swapped_in_after_the_check_does_not_block(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The path is a regular file when checked and a FIFO when opened: the non-blocking open
    returns at once and the descriptor's own check refuses it."""
    regular = tmp_path / "regular.txt"
    regular.write_text(SENTENCE, encoding="utf-8")
    fifo = tmp_path / "x.txt"
    os.mkfifo(fifo)

    class Swapped:
        def __getattr__(self, name: str) -> object:
            return getattr(os, name)

        def stat(self, p: Path) -> os.stat_result:
            return os.stat(regular)

    monkeypatch.setattr(seedfile, "os", Swapped())
    with pytest.raises(SourceError, match="FIFO"):
        read(fifo)


def test_permission_denied_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "x.txt"
    path.write_text(SENTENCE, encoding="utf-8")

    class Denied:
        def __getattr__(self, name: str) -> object:
            return getattr(os, name)

        def open(self, *args: object, **kwargs: object) -> int:
            raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(seedfile, "os", Denied())
    with pytest.raises(SourceError, match=r"^seeds/x.txt: import: cannot read: permission denied$"):
        read(path)


def test_a_symlink_to_a_fifo_is_refused(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe")
    (tmp_path / "x.txt").symlink_to(tmp_path / "pipe")
    with pytest.raises(SourceError, match="FIFO"):
        read(tmp_path / "x.txt")


def test_a_directory_named_like_a_seed_is_refused(tmp_path: Path) -> None:
    (tmp_path / "x.txt").mkdir()
    with pytest.raises(SourceError, match=r"^seeds/x.txt: import: cannot read: a directory, not a regular file$"):
        read(tmp_path / "x.txt")


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/null", "/dev/urandom"])
def test_a_symlink_to_a_device_is_refused(tmp_path: Path, device: str) -> None:
    if not os.path.exists(device):
        pytest.skip(f"no {device}")
    (tmp_path / "x.txt").symlink_to(device)
    with pytest.raises(SourceError, match="character device, not a regular file"):
        read(tmp_path / "x.txt")


def test_a_socket_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.txt"
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(path))
        with pytest.raises(SourceError, match="socket, not a regular file"):
            read(path)


def test_missing_file_and_dangling_symlink(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match=r"^seeds/x.txt: import: cannot read: No such file"):
        read(tmp_path / "missing.txt")
    (tmp_path / "x.txt").symlink_to(tmp_path / "gone")
    with pytest.raises(SourceError, match="cannot read: No such file"):
        read(tmp_path / "x.txt")


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_an_unreadable_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.txt"
    path.write_text(SENTENCE, encoding="utf-8")
    path.chmod(0)
    try:
        with pytest.raises(SourceError, match=r"^seeds/x.txt: import: cannot read: permission denied$"):
            read(path)
    finally:
        path.chmod(stat.S_IRUSR | stat.S_IWUSR)


# --- size -----------------------------------------------------------------------------------
def test_size_limit(tmp_path: Path) -> None:
    path = tmp_path / "x.txt"
    path.write_bytes(("أ" * 600 + "\n").encode("utf-8"))  # 1201 bytes
    assert read(path, max_bytes=1201)[1] == path.read_bytes()
    with pytest.raises(SourceError, match=r"^seeds/x.txt: import: file is 1.2 KiB, over the limit of 1.2 KiB$"):
        read(path, max_bytes=1200)
    big = tmp_path / "big.txt"
    with big.open("wb") as f:
        f.truncate(3 * MIB)
    with pytest.raises(SourceError, match=r"file is 3.0 MiB, over max_seed_mb = 2 \(raise it in config.toml"):
        read(big, max_bytes=2 * MIB)


def test_the_limit_holds_while_reading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file whose reported size is below the limit but that holds more (it grew, or the
    file system reports no size) is stopped after max_bytes + 1 bytes."""
    path = tmp_path / "x.txt"
    path.write_bytes(b"a" * 5000)
    asked: list[int] = []

    def no_size(st: os.stat_result) -> os.stat_result:
        return os.stat_result((*st[:6], 0, *st[7:10]))

    class SizeUnknown:
        """The os module, reporting size 0 and counting the bytes asked for."""

        def __getattr__(self, name: str) -> object:
            return getattr(os, name)

        def stat(self, p: Path) -> os.stat_result:
            return no_size(os.stat(p))

        def fstat(self, fd: int) -> os.stat_result:
            return no_size(os.fstat(fd))

        def read(self, fd: int, n: int) -> bytes:
            asked.append(n)
            return os.read(fd, n)

    monkeypatch.setattr(seedfile, "os", SizeUnknown())
    with pytest.raises(SourceError, match="file is more than 1000 bytes, over the limit of 1000 bytes"):
        read(path, max_bytes=1000)
    assert 0 < sum(asked) <= 1001


# --- decoding (today's behaviour kept) --------------------------------------------------------
def test_utf8_with_bom_and_crlf(tmp_path: Path) -> None:
    path = tmp_path / "x.txt"
    path.write_bytes(b"\xef\xbb\xbf" + f"{TITLE}\r\n\r\n{SENTENCE}\r".encode("utf-8"))
    text, raw, warnings = read(path)
    assert text == f"{TITLE}\n\n{SENTENCE}\n" and raw == path.read_bytes() and warnings == []


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_with_byte_order_mark(tmp_path: Path, codec: str) -> None:
    bom = {"utf-16": b"", "utf-16-le": b"\xff\xfe", "utf-16-be": b"\xfe\xff"}[codec]
    path = tmp_path / "x.txt"
    path.write_bytes(bom + f"{TITLE}\n{SENTENCE}".encode(codec))
    assert read(path)[0] == f"{TITLE}\n{SENTENCE}"


def test_windows_1256_file_is_read_with_a_warning() -> None:
    text, warnings = decode_seed(f"{TITLE}\n{SENTENCE}".encode("cp1256"), "seeds/x.txt")
    assert text == f"{TITLE}\n{SENTENCE}"
    assert len(warnings) == 1 and "seeds/x.txt: byte 0: import: not valid UTF-8" in warnings[0]


@pytest.mark.parametrize("data, message", [
    (b"", r"^seeds/x.txt: import: empty file"),
    (b" \n\t\n", r"^seeds/x.txt: import: empty file"),
    (b"abc\x00def", r"^seeds/x.txt: byte 3: import: binary file \(NUL byte\)"),
    ("سطر\n\x07جرس".encode(), r"^seeds/x.txt:2: import: binary file \(control character U\+0007\)"),
    (b"\xff\xfe\x00\xd8", r"^seeds/x.txt: byte \d+: import: starts with a UTF-16 byte order mark"),
    ("Élève à l'école".encode("latin-1"), r"^seeds/x.txt: byte 0: import: not valid UTF-8 \(byte 0xc9\) and not Arabic"),
])
def test_undecodable_input_is_refused(data: bytes, message: str) -> None:
    with pytest.raises(SourceError, match=message):
        decode_seed(data, "seeds/x.txt")


# --- mojibake -------------------------------------------------------------------------------
@pytest.mark.parametrize("right, wrong", [
    ("cp1256", "cp1252"), ("cp1256", "latin-1"), ("utf-8", "latin-1"),
])
def test_repair_round_trips_exactly(right: str, wrong: str) -> None:
    garbled = mojibake(SENTENCE, right, wrong)
    assert garbled != SENTENCE and looks_like_mojibake(garbled)
    assert repair_mojibake(garbled) == SENTENCE


def test_repair_of_utf8_read_as_windows_1252_by_a_browser() -> None:
    """Browsers decode windows-1252 with the five undefined bytes as C1 controls: "ف" is
    bytes D9 81 in UTF-8, 0x81 being one of them."""
    text = "في الصيف يفتح الفندق أبوابه للزوار."
    garbled = "".join(chr(b) if b in (0x81, 0x8D, 0x8F, 0x90, 0x9D) else bytes([b]).decode("cp1252")
                      for b in text.encode("utf-8"))
    assert repair_mojibake(garbled) == text


def test_repair_inside_a_line_with_readable_arabic() -> None:
    line = "نشر الخبر: " + mojibake(SENTENCE)
    assert looks_like_mojibake(line)
    assert repair_mojibake(line) == "نشر الخبر: " + SENTENCE


@pytest.mark.parametrize("text", [
    SENTENCE,  # already Arabic
    "The council opened a new library.",  # ASCII: nothing to repair
    "Élève à l'école, café crème et thé glacé à Genève.",  # real French
    "ÃÙåÑÊ ÏÑÇÓÉ \ufffd",  # a replacement character: the bytes are gone
    "€€€ ™™™ ‰‰‰",  # cp1252 symbols that decode to no Arabic
])
def test_repair_refuses_what_does_not_round_trip_to_arabic(text: str) -> None:
    assert repair_mojibake(text) is None


@pytest.mark.parametrize("text", [
    "Société Générale à Paris, réunion prévue à 14h.",
    "Ça a été",  # short, and most of its letters accented
    "Ñoño años",
    "Français",
    SENTENCE,
])
def test_accented_latin_and_arabic_are_not_mojibake(text: str) -> None:
    assert not looks_like_mojibake(text)


def test_a_page_with_a_french_line_is_read_unchanged() -> None:
    page = f"{TITLE}\nÇa a été\n{SENTENCE}\n"
    assert decode_seed(page.encode("utf-8"), "seeds/x.txt") == (page, [])


def test_a_page_with_readable_lines_and_a_mojibake_body_is_repaired() -> None:
    data = "\n".join([TITLE, "نشر بتاريخ: ٢٩ أيار ٢٠٢٥", mojibake(SENTENCE), mojibake("وأضاف أن المكتبة تفتح كل يوم."), ""])
    text, warnings = decode_seed(data.encode("utf-8"), "seeds/x.txt")
    assert text.split("\n") == [TITLE, "نشر بتاريخ: ٢٩ أيار ٢٠٢٥", SENTENCE, "وأضاف أن المكتبة تفتح كل يوم.", ""]
    assert warnings == ["seeds/x.txt: import: repaired mojibake on 2 line(s) (3-4): Arabic text that "
                        "had been read with a Western code page"]


def test_unrepairable_mojibake_is_refused(tmp_path: Path) -> None:
    broken = mojibake(SENTENCE)[:20] + "\ufffd" + mojibake(SENTENCE)[21:]
    path = tmp_path / "x.txt"
    path.write_text(f"{TITLE}\n{broken}\n", encoding="utf-8")
    with pytest.raises(SourceError, match=r"^seeds/x.txt:2: import: the text is not readable Arabic \(mojibake"):
        read(path)
