"""What leaves the process: secrets masked, text safe for a terminal.

Secrets (app tokens, SMTP and database passwords) never leave the process.
A portal can echo the token it was sent back in an error message, a description or a
redirect URL; a library can put a password in an exception. So secrets are registered
when they are read, and every way out of the process (reports, the history store, site
pages, e-mails, log lines, error messages) passes through :func:`redact`.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from typing import IO, Any

MASK = "[redacted]"
#: Shorter values are not secrets worth masking, and masking them would garble text.
MIN_LENGTH = 6

_lock = threading.Lock()
_secrets: tuple[str, ...] = ()


#: C1 controls and bidirectional overrides survive ``ensure_ascii=False``; a terminal that
#: shows the JSON would obey them, so they are written as \\u escapes (still the same JSON).
_UNSAFE = re.compile("[\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]")


def _escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def json_text(data: Any) -> str:
    """Indented, readable JSON that is also safe to print to a terminal."""
    return _UNSAFE.sub(_escape, json.dumps(data, indent=2, ensure_ascii=False))


def dump_json(data: Any, fh: IO[str]) -> None:
    """Terminal-safe JSON written piece by piece: a 10,000-dataset report is never one string.

    A report's ``datasets`` are written one per line (compact, by the C encoder: an indented
    encoding runs in Python and cost a millisecond per dataset); everything else is indented.
    """
    rows = data.get("datasets") if isinstance(data, dict) else None
    if not isinstance(rows, list) or not rows:
        fh.write(json_text(data) + "\n")
        return
    head = {k: v for k, v in data.items() if k != "datasets"}
    fh.write("{\n")
    for key, value in head.items():
        text = json_text(value).replace("\n", "\n  ")
        fh.write(f"  {json_text(key)}: {text},\n")
    fh.write('  "datasets": [\n')
    last = len(rows) - 1
    for i, row in enumerate(rows):
        line = json.dumps(row, ensure_ascii=False)
        fh.write("    " + _UNSAFE.sub(_escape, line) + (",\n" if i < last else "\n"))
    fh.write("  ]\n}\n")


#: C0/C1 controls (escape sequences) and the invisible bidirectional overrides that make a
#: terminal show text in another order than it is written.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]")


def printable(text: str) -> str:
    """``text`` with lone surrogates (a file name in another encoding, decoded by the OS
    layer) as U+FFFD: no terminal, pipe or JSON file can take them."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def clean(text: str, width: int) -> str:
    """Portal text made safe for a terminal (no control sequences), secrets masked, cut to width."""
    text = printable(redact(_CONTROL.sub(" ", text or "")).strip())
    return text if len(text) <= width else text[: max(0, width - 1)] + "…"


def remember(*values: str | None) -> None:
    """Register secret values for the rest of the process."""
    global _secrets
    with _lock:
        known = set(_secrets)
        known.update(v for v in values if v and len(v) >= MIN_LENGTH)
        # Longest first, so a secret containing another is masked whole.
        _secrets = tuple(sorted(known, key=lambda v: (-len(v), v)))


def forget_all() -> None:
    """Clear the registry (tests)."""
    global _secrets
    with _lock:
        _secrets = ()


def redact(text: str) -> str:
    """``text`` with every registered secret masked."""
    for secret in _secrets:
        if secret in text:
            text = text.replace(secret, MASK)
    return text


def redact_data(value: Any) -> Any:
    """A JSON-like structure with every string (keys included) redacted."""
    if not _secrets:
        return value
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {redact_data(k): redact_data(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [redact_data(v) for v in value]
    return value


class RedactingFilter(logging.Filter):
    """A logging filter that masks secrets in the formatted message and its arguments."""

    def filter(self, record: logging.LogRecord) -> bool:
        if _secrets:
            record.msg = redact(record.getMessage())
            record.args = None
            if record.exc_info and record.exc_info[1] is not None:
                record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
                record.exc_info = None
        return True


def install_logging_filter() -> None:
    """Mask secrets in every handler of the root logger."""
    root = logging.getLogger()
    for handler in root.handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter())
