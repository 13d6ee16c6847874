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
import re
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
    #: Legacy encodings that decoded every byte, most plausible first (when not UTF-8).
    candidates: tuple[str, ...] = ()

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
        if self.candidates:
            out["encoding_candidates"] = list(self.candidates)
        return out


@dataclass(frozen=True)
class Dialect:
    """How the table is laid out in text."""

    delimiter: str = ","
    header_row: int = 0  # 0-based record index of the header; rows above it are titles or notes
    line_ending: str = "LF"  # LF | CRLF | CR
    title_rows: tuple[str, ...] = field(default_factory=tuple)  # short previews of skipped rows
    #: Physical lines up to and including the header: a quoted label may hold a line break,
    #: so records and lines differ, and a line-based reader must skip this many.
    header_lines: int = 1
    #: Cells written as ``, "value"``: the space after the delimiter is not part of the value.
    skip_initial_space: bool = False

    def details(self) -> dict[str, object]:
        """JSON-safe evidence."""
        names = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
        out: dict[str, object] = {"delimiter": names.get(self.delimiter, self.delimiter),
                                  "line_ending": self.line_ending, "header_row": self.header_row + 1}
        if self.skip_initial_space:
            out["space_after_delimiter"] = True
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
    if _looks_binary(head[:4096]):
        return "binary"
    stripped = head.lstrip(codecs.BOM_UTF8).lstrip()[:512].lower()
    if stripped.startswith((b"<!doctype html", b"<html", b"<head", b"<body")) or (
        stripped.startswith(b"<") and b"<html" in head[:4096].lower()
    ):
        return "html"
    if stripped.startswith((b"<?xml", b"<")):
        return "xml"
    if stripped.startswith((b"[", b"{")) and _parses_as_json(head):
        return "json"
    return "text"


_CONTROL = bytes(b for b in range(32) if b not in (9, 10, 12, 13))


def _looks_binary(sample: bytes) -> bool:
    """Binary data has NUL and control bytes throughout; a stray NUL in a cell of a text
    table does not make it binary (it is judged the same wherever it stands)."""
    if not sample:
        return False
    controls = len(sample) - len(sample.translate(None, _CONTROL))
    return sample.count(0) > max(2, 0.01 * len(sample)) or controls > max(8, 0.1 * len(sample))


def _parses_as_json(head: bytes) -> bool:
    """Whether text that opens with ``[`` or ``{`` is JSON: it parses, or fails only where the
    head is cut off (``[id],name`` is a CSV header, not JSON)."""
    import json

    text = head.lstrip(codecs.BOM_UTF8).decode("utf-8", "replace").strip()
    try:
        json.JSONDecoder().raw_decode(text)
    except RecursionError:
        return True  # nested deeper than Python parses: not a table either way
    except ValueError as exc:
        # A head shorter than the sample is the whole file: it must parse. A longer one may
        # be cut anywhere, so only an error where it is cut is forgiven.
        cut = len(head) >= HEAD_BYTES
        return cut and getattr(exc, "pos", 0) >= len(text) - 16
    return True


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
    from auditor.table.legacy import guess_legacy

    guess = guess_legacy(path)
    return TextInfo(info.size, info.sha256, info.kind, guess.codec, guess.label, first_non_utf8=bad[0],
                    first_non_utf8_line=bad[1], candidates=tuple(label for label, _ in guess.scores))


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


def _records(text: str, delimiter: str, limit: int = 60, *, skip_space: bool = False) -> list[list[str]]:
    return _read_records(text, delimiter, limit, skip_space=skip_space)[0]


def _read_records(text: str, delimiter: str, limit: int = 60, *,
                  skip_space: bool = False) -> tuple[list[list[str]], list[int]]:
    """Records of the text, and the physical line each ends on (quoted line breaks included)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, skipinitialspace=skip_space)
    out: list[list[str]] = []
    ends: list[int] = []
    try:
        for row in reader:
            out.append(row)
            ends.append(reader.line_num)
            if len(out) >= limit:
                break
    except csv.Error:
        pass
    return out, ends


def sniff_dialect(head: str) -> Dialect:
    """Delimiter, line ending, header row and quoting habits from the head of the file."""
    if "\r\n" in head:
        ending = "CRLF"
    elif "\r" in head and "\n" not in head:
        ending = "CR"
    else:
        ending = "LF"
    delimiter = _pick_delimiter(head)
    skip_space = _space_before_quotes(head, delimiter)
    records, ends = _read_records(head, delimiter, skip_space=skip_space)
    header = _header_row(records)
    titles = tuple(_preview(r) for r in records[:header])
    lines = ends[header] if header < len(ends) else header + 1
    return Dialect(delimiter=delimiter, header_row=header, line_ending=ending, title_rows=titles,
                   header_lines=lines, skip_initial_space=skip_space)


def _space_before_quotes(head: str, delimiter: str) -> bool:
    """Whether quoted cells are written after a space (``"1", "2.3"``): then the space is
    layout, as frictionless' ``skipInitialSpace`` reads it, not part of the value."""
    lines = [line for line in head.splitlines()[:50] if line.strip()]
    spaced = sum(1 for line in lines if f'{delimiter} "' in line)
    tight = sum(1 for line in lines if f'{delimiter}"' in line)
    return spaced > 0 and spaced >= 0.5 * len(lines) and spaced > tight


def _pick_delimiter(head: str) -> str:
    best, best_score = ",", -1.0
    for delimiter in DELIMITERS:
        rows = [r for r in _records(head, delimiter, limit=40, skip_space=True) if any(c.strip() for c in r)]
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


_NUMBER = re.compile(r"^[-+]?(\d[\d,.' ]*|\.\d+)([eE][-+]?\d+)?%?$")
_DATE = re.compile(r"^\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}")


def _is_data_row(row: list[str]) -> bool:
    """A row with a number or a date in it reads as data, not as column names."""
    return any(_NUMBER.match(c.strip()) or _DATE.match(c.strip()) for c in row if c.strip())


def _header_row(records: list[list[str]]) -> int:
    """Index of the header: the first row as full as the data below it.

    Title lines, notes and blank lines above a table have one or two filled cells; a
    header names (nearly) every column. A row as wide as the table that names two or more
    columns, holds no numbers and is followed by a data row is the header even with blank
    labels (``id,,age``): a title is never followed directly by data. Only the first 20 rows
    are considered.
    """
    filled = [_nonempty(r) for r in records]
    # Titles and notes stand at the top: the table's own fill is the most common one below
    # the first third (a stray wide row at the end of a small file is not it); between
    # equally common ones, the fuller.
    body = [n for n in filled[len(filled) // 3:] if n] or [n for n in filled if n]
    if not body:
        return 0
    target = max(statistics.multimode(body))
    need = max(2.0, 0.8 * target) if target >= 2 else 1.0
    if filled and filled[0] >= need:
        return 0
    width = max(statistics.multimode([len(r) for r in records if any(c.strip() for c in r)]))
    first_full = next((i for i, n in enumerate(filled[:20]) if n >= need), 0)
    for j in range(first_full):
        row = records[j]
        if (filled[j] >= 2 and len(row) >= width and not _is_data_row(row) and j + 1 < len(records)
                and _is_data_row(records[j + 1])):
            return j
    return first_full


def _preview(row: list[str], limit: int = 60) -> str:
    text = " | ".join(c.strip() for c in row if c.strip())
    return text if len(text) <= limit else text[: limit - 1] + "…"
