"""Which legacy single-byte encoding a non-UTF-8 text file is in, chosen by evidence.

Windows-1252 is the usual answer for a city's CSV that is not UTF-8, but Greek, Cyrillic
and Central European files come as Windows-1250/1251/1253 or ISO-8859-2/5/7 too, and read
as Windows-1252 their names become accented gibberish ("Áèçíá" for "Αθήνα"). Each
candidate that decodes the file's non-ASCII lines is scored on the words it produces:

* a word whose letters come from two scripts (Latin and Greek, Greek and Cyrillic), with
  a symbol against a letter ("¶γιος", "£ódŸ"), or an accented letter against a digit
  ("Ł250" for "£250") is implausible;
* a word of three or more letters, none of them ASCII, in Latin script is implausible:
  Latin-script languages use accents on some letters, never on a whole word;
* any other word with a non-ASCII letter is plausible.

The highest score wins; a tie goes to the candidate listed first (the more common). The
finding names the candidates that decoded the file and the one chosen.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

#: (Python codec, what people call it), most common first: ties go to the earlier one.
CANDIDATES: tuple[tuple[str, str], ...] = (
    ("cp1252", "Windows-1252"), ("cp1250", "Windows-1250"), ("cp1251", "Windows-1251"),
    ("cp1253", "Windows-1253"), ("iso8859_7", "ISO-8859-7"), ("iso8859_2", "ISO-8859-2"),
    ("iso8859_5", "ISO-8859-5"), ("cp1254", "Windows-1254"), ("cp1257", "Windows-1257"),
    ("iso8859_15", "ISO-8859-15"), ("latin_1", "ISO-8859-1"),
)
SAMPLE_BYTES = 256 * 1024
#: What separates words in a table's text: space, delimiters, quotes, brackets, punctuation.
_SEPARATORS = re.compile(r"[\s,;|\"'()\[\]{}<>=/\\:.!?*+&#%@~^`$-]+")


@dataclass(frozen=True)
class Guess:
    """The chosen encoding and every candidate that decoded the file, with its score."""

    codec: str
    label: str
    scores: tuple[tuple[str, int], ...]


def _script(ch: str) -> str:
    if ch.isascii():
        return "LATIN"
    name = unicodedata.name(ch, "")
    return name.split(" ", 1)[0] if name else "?"


def plausibility(text: str) -> int:
    """Plausible minus twice the implausible words with a non-ASCII character."""
    score = 0
    for word in _SEPARATORS.split(text):
        # A lone character says nothing ("£" alone is "Ł" alone in Windows-1250).
        if word.isascii() or len(word) < 2 or not any(ch.isalpha() for ch in word):
            continue
        score += -2 if _implausible(word) else 1
    return score


def _implausible(word: str) -> bool:
    letters = [ch for ch in word if ch.isalpha()]
    for a, b in zip(word, word[1:], strict=False):
        pair = (a, b)
        if any(not c.isalpha() and not c.isascii() for c in pair) and any(c.isalpha() for c in pair):
            return True  # a symbol against a letter: "¶γιος", "£ódŸ"
        if any(c.isalpha() and not c.isascii() for c in pair) and any(c.isdigit() for c in pair):
            return True  # an accented letter against a digit: "Ł250" is "£250" misread
    scripts = {_script(ch) for ch in letters}
    if len(scripts) > 1:
        return True
    if scripts == {"LATIN"} and len(letters) >= 3 and not any(ch.isascii() for ch in letters):
        return True  # a whole word of accented letters: "Áèçíá"
    # Capitals do not follow small letters inside a word: "mÙnchen".
    return any(a.islower() and b.isupper() for a, b in zip(letters, letters[1:], strict=False))


def non_ascii_sample(path: Path, limit: int = SAMPLE_BYTES) -> bytes:
    """The lines of the file that hold non-ASCII bytes, up to ``limit`` bytes."""
    out = bytearray()
    with open(path, "rb") as fh:
        for line in fh:
            if not line.isascii():
                out += line
                if len(out) >= limit:
                    break
    return bytes(out)


def guess_legacy(path: Path) -> Guess:
    """The best-scoring candidate that decodes every byte of the file."""
    sample = non_ascii_sample(path)
    scored: list[tuple[int, int, str, str]] = []
    for rank, (codec, label) in enumerate(CANDIDATES):
        try:
            text = sample.decode(codec)
        except UnicodeDecodeError:
            continue
        scored.append((plausibility(text), -rank, codec, label))
    scored.sort(reverse=True)
    for _, _, codec, label in scored:
        if _decodes_whole(path, codec):
            return Guess(codec, label, tuple((lab, s) for s, _, _, lab in scored))
    return Guess("latin_1", "ISO-8859-1", tuple((lab, s) for s, _, _, lab in scored))


def _decodes_whole(path: Path, codec: str) -> bool:
    import codecs

    decoder = codecs.getincrementaldecoder(codec)()
    with open(path, "rb") as fh:
        try:
            while chunk := fh.read(1 << 20):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return False
    return True
