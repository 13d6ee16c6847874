"""Look at a file before parsing it: what it is, its text encoding, its CSV dialect.

Frictionless guesses the encoding from the first 10,000 bytes, so a Windows-1252 file whose
first accented byte comes later is read as UTF-8 and fails half-way (frictionless issues
824, 1376, 1755). Here the whole file is checked in one streaming pass that also hashes
it, so the verdict holds for every byte, and a non-UTF-8 file is reported once, as an
encoding finding, instead of as a flood of row errors.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import statistics
from dataclasses import dataclass, field
from pathlib import Path

CHUNK = 1 << 20
HEAD_BYTES = 64 * 1024
DELIMITERS = (",", ";", "\t", "|")
# Cells that mean "no value" to a person reading the table.
EMPTY_MARKERS = frozenset({"", "null", "NULL", "None", "N/A", "n/a", "#N/A", "NaN"})

_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"PK\x03\x04", "zip"),
    (b"\x1f\x8b", "gzip"),
    (b"%PDF", "pdf"),
    (b"\x89PNG", "png"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"\xd0\xcf\x11\xe0", "ole2"),  # legacy .xls / .doc
)


@dataclass(frozen=True)
class TextInfo:
    """What one pass over the raw bytes learned."""

    size: int
    sha256: str
    kind: str  # text | empty | binary | html | json | zip | gzip | pdf | ...
    encoding: str = "utf-8"  # Python codec to read it with
    label: str = "UTF-8"  # what a person calls it
    bom: bool = False
    first_non_utf8: int | None = None  # byte offset of the first byte that is not UTF-8
    first_non_utf8_line: int | None = None

    @property
    def is_utf8(self) -> bool:
        """True when the file is UTF-8 (with or without BOM) or plain ASCII."""
        return self.encoding in ("utf-8", "utf-8-sig")

    def details(self) -> dict[str, object]:
        """JSON-safe evidence."""
        out: dict[str, object] = {"encoding": self.label, "bytes": self.size, "sha256": self.sha256}
        if self.first_non_utf8 is not None:
            out["first_non_utf8_byte"] = self.first_non_utf8
            out["first_non_utf8_line"] = self.first_non_utf8_line
        return out


@dataclass(frozen=True)
class Dialect:
    """How the table is laid out in text."""

    delimiter: str = ","
    header_row: int = 0  # 0-based record index of the header; rows above it are titles or notes
    line_ending: str = "LF"  # LF | CRLF | CR
    title_rows: tuple[str, ...] = field(default_factory=tuple)  # short previews of skipped rows

    def details(self) -> dict[str, object]:
        """JSON-safe evidence."""
        names = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
        out: dict[str, object] = {"delimiter": names.get(self.delimiter, self.delimiter),
                                  "line_ending": self.line_ending, "header_row": self.header_row + 1}
        if self.title_rows:
            out["rows_above_header"] = list(self.title_rows)
        return out


def kind_of(head: bytes) -> str:
    """What the first bytes say the file is, before any text decoding."""
    if not head:
        return "empty"
    for magic, kind in _SIGNATURES:
        if head.startswith(magic):
            return kind
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or _utf16_without_bom(head):
        return "text"
    if b"\x00" in head[:4096]:
        return "binary"
    stripped = head.lstrip(codecs.BOM_UTF8).lstrip()[:512].lower()
    if stripped.startswith((b"<!doctype html", b"<html", b"<head", b"<body")) or (
        stripped.startswith(b"<") and b"<html" in head[:4096].lower()
    ):
        return "html"
    if stripped.startswith((b"<?xml", b"<")):
        return "xml"
    if stripped.startswith((b"[", b"{")):
        return "json"
    return "text"


def _utf16_without_bom(head: bytes) -> str | None:
    sample = head[:4096]
    if len(sample) < 8:
        return None
    even_nuls = sample[0::2].count(0)
    odd_nuls = sample[1::2].count(0)
    half = len(sample) // 2
    if odd_nuls > 0.4 * half and even_nuls < 0.05 * half:
        return "utf-16-le"
    if even_nuls > 0.4 * half and odd_nuls < 0.05 * half:
        return "utf-16-be"
    return None


def hash_file(path: Path) -> tuple[int, str]:
    """(size, SHA-256) of a file, streamed. hashlib releases the GIL, so this can run in a
    thread while the table is parsed."""
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as fh:
        # Large reads: each one is a GIL release and re-acquisition, so fewer is better.
        while chunk := fh.read(16 * CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


def inspect_file(path: Path, *, full_utf8_check: bool = True, digest: tuple[int, str] | None = None) -> TextInfo:
    """What the file is and its encoding; hashed unless ``digest`` is given.

    With ``full_utf8_check=False`` a file with no BOM and no UTF-16 pattern is taken as
    UTF-8 without decoding it here: the parsing pass validates UTF-8 anyway (pyarrow
    refuses invalid bytes in string columns), and :func:`locate_non_utf8` then finds the
    first bad byte. That saves a second decode of every byte of every good file.
    """
    with open(path, "rb") as fh:
        head = fh.read(HEAD_BYTES)
    size, sha = digest if digest is not None else hash_file(path)
    kind = kind_of(head)
    if kind != "text" and kind not in ("html", "xml", "json"):
        return TextInfo(size=size, sha256=sha, kind=kind, encoding="", label="")
    if head.startswith(codecs.BOM_UTF16_LE):
        return TextInfo(size, sha, kind, "utf-16", "UTF-16LE with BOM", bom=True, first_non_utf8=0,
                        first_non_utf8_line=1)
    if head.startswith(codecs.BOM_UTF16_BE):
        return TextInfo(size, sha, kind, "utf-16", "UTF-16BE with BOM", bom=True, first_non_utf8=0,
                        first_non_utf8_line=1)
    utf16 = _utf16_without_bom(head)
    if utf16:
        return TextInfo(size, sha, kind, utf16, utf16.upper().replace("UTF-16-", "UTF-16"),
                        first_non_utf8=0, first_non_utf8_line=1)
    bad = locate_non_utf8(path) if full_utf8_check else None
    return with_utf8_verdict(TextInfo(size, sha, kind, "utf-8", "UTF-8"), path, bad, head)


def with_utf8_verdict(info: TextInfo, path: Path, bad: tuple[int, int] | None, head: bytes | None = None) -> TextInfo:
    """``info`` completed with whether the file is UTF-8, and if not, what it is."""
    if head is None:
        with open(path, "rb") as fh:
            head = fh.read(4)
    if bad is None:
        if head.startswith(codecs.BOM_UTF8):
            return TextInfo(info.size, info.sha256, info.kind, "utf-8-sig", "UTF-8 with BOM", bom=True)
        return TextInfo(info.size, info.sha256, info.kind, "utf-8", "UTF-8")
    encoding = "cp1252" if _decodes(path, "cp1252") else "latin-1"
    label = "Windows-1252" if encoding == "cp1252" else "ISO-8859-1"
    return TextInfo(info.size, info.sha256, info.kind, encoding, label, first_non_utf8=bad[0],
                    first_non_utf8_line=bad[1])


def locate_non_utf8(path: Path) -> tuple[int, int] | None:
    """(byte offset, line) of the first byte that is not UTF-8, or None for a UTF-8 file."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    size = 0
    newlines = 0
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            if not chunk.isascii():
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError as exc:
                    return size + exc.start, newlines + chunk.count(b"\n", 0, exc.start) + 1
            elif decoder.getstate()[0]:
                try:  # a multi-byte character cut at the previous chunk boundary
                    decoder.decode(chunk)
                except UnicodeDecodeError as exc:
                    return size + exc.start, newlines + chunk.count(b"\n", 0, exc.start) + 1
            newlines += chunk.count(b"\n")
            size += len(chunk)
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return size, newlines + 1  # cut off inside a multi-byte character
    return None


def _decodes(path: Path, encoding: str) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)()
    with open(path, "rb") as fh:
        try:
            while chunk := fh.read(CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return False
    return True


def read_head_text(path: Path, info: TextInfo, limit: int = HEAD_BYTES) -> str:
    """The first ``limit`` bytes decoded, cut at the last line break."""
    with open(path, "rb") as fh:
        raw = fh.read(limit)
    text = raw.decode(info.encoding or "utf-8", errors="replace")
    if len(raw) == limit:
        cut = max(text.rfind("\n"), text.rfind("\r"))
        if cut > 0:
            text = text[: cut + 1]
    return text.lstrip("\ufeff")


def _records(text: str, delimiter: str, limit: int = 60) -> list[list[str]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    out: list[list[str]] = []
    try:
        for row in reader:
            out.append(row)
            if len(out) >= limit:
                break
    except csv.Error:
        pass
    return out


def sniff_dialect(head: str) -> Dialect:
    """Delimiter, line ending and header row from the head of the file."""
    if "\r\n" in head:
        ending = "CRLF"
    elif "\r" in head and "\n" not in head:
        ending = "CR"
    else:
        ending = "LF"
    delimiter = _pick_delimiter(head)
    records = _records(head, delimiter)
    header = _header_row(records)
    titles = tuple(_preview(r) for r in records[:header])
    return Dialect(delimiter=delimiter, header_row=header, line_ending=ending, title_rows=titles)


def _pick_delimiter(head: str) -> str:
    best, best_score = ",", -1.0
    for delimiter in DELIMITERS:
        rows = [r for r in _records(head, delimiter, limit=40) if any(c.strip() for c in r)]
        if not rows:
            continue
        widths = [len(r) for r in rows]
        mode = statistics.mode(widths)
        if mode < 2:
            continue
        # Consistent width across rows is what tells a delimiter from a character in the text.
        score = sum(1 for w in widths if w == mode) / len(widths) * min(mode, 50)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _nonempty(row: list[str]) -> int:
    return sum(1 for c in row if c.strip())


def _header_row(records: list[list[str]]) -> int:
    """Index of the header: the first row as full as the data below it.

    Title lines, notes and blank lines above a table have one or two filled cells; a
    header names (nearly) every column. Only the first 20 rows are considered.
    """
    filled = [_nonempty(r) for r in records]
    body = [n for n in filled[len(filled) // 2:] if n] or [n for n in filled if n]
    if not body:
        return 0
    target = statistics.median(body)
    need = max(2.0, 0.8 * target) if target >= 2 else 1.0
    if filled and filled[0] >= need:
        return 0
    for i, n in enumerate(filled[:20]):
        if n >= need:
            return i
    return 0


def _preview(row: list[str], limit: int = 60) -> str:
    text = " | ".join(c.strip() for c in row if c.strip())
    return text if len(text) <= limit else text[: limit - 1] + "…"
