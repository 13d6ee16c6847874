"""What a ZIP archive on a server holds, read from its central directory alone.

A ZIP keeps its table of contents at its end, so the names of its members come from one
ranged request for the last 64 KB, however large the archive: a zipped shapefile or a ZIP of
CSV files is judged by what it holds, without downloading it.
"""

from __future__ import annotations

import struct
from typing import TYPE_CHECKING

from auditor.errors import FetchError
from auditor.formats import normalise_format

if TYPE_CHECKING:
    from auditor.http import HttpClient

TAIL = 64 * 1024
_ENTRY = b"PK\x01\x02"
#: Member formats that are documentation or sidecars, not the data: they do not decide.
_SIDECARS = {"TXT", "PDF", "DOC", "DOCX", "HTML", "XML", "RTF", "", "PNG", "JPG"}
_SHAPEFILE = {".shp", ".shx", ".dbf", ".prj", ".cpg", ".sbn", ".sbx", ".qix", ".xml"}


def member_names(tail: bytes) -> list[str]:
    """File names in the central directory records found in ``tail``."""
    names = []
    start = tail.find(_ENTRY)
    while start != -1 and start + 46 <= len(tail):
        name_len, extra_len, comment_len = struct.unpack("<HHH", tail[start + 28:start + 34])
        name = tail[start + 46:start + 46 + name_len]
        if len(name) == name_len:
            names.append(name.decode("utf-8", "replace"))
        start = tail.find(_ENTRY, start + 46 + name_len + extra_len + comment_len)
    return names


def fetch_members(http: HttpClient, url: str) -> list[str] | None:
    """The member names of the archive at ``url``; None when the server cannot say (no
    ranges, an error): then the archive is judged as a ZIP."""
    try:
        with http.stream("GET", url, headers={"Range": f"bytes=-{TAIL}"}) as resp:
            if resp.status_code != 206:
                return None
            body = b""
            for chunk in http.chunks(resp, deadline=http.settings.timeout):
                body += chunk
                if len(body) > TAIL:
                    break
    except (FetchError, OSError, ValueError):
        return None
    return member_names(body)


def contents_format(names: list[str]) -> tuple[str, str]:
    """(format, words) the members amount to: a shapefile, or the data format most members
    share ("a ZIP of 12 CSV files"); ("", ...) when nothing in it is data."""
    files = [n for n in names if not n.endswith("/")]
    lower = [n.lower() for n in files]
    if any(n.endswith(".shp") for n in lower) and all("." + n.rsplit(".", 1)[-1] in _SHAPEFILE for n in lower
                                                      if "." in n):
        return "SHP", "a zipped shapefile"
    formats = [normalise_format("", "", n) for n in files]
    data = [f for f in formats if f not in _SIDECARS]
    if not data:
        return "", "a ZIP with no data file in it"
    best = max(sorted(set(data)), key=data.count)
    count = data.count(best)
    return best, f"a ZIP of {count} {best} file{'s' if count != 1 else ''}"
