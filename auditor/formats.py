"""File formats: how open and machine-readable they are, and what the first bytes say.

Openness levels follow the ckanext-qa five-star table, reduced to what a resident feels:
1.0 open and machine-readable (CSV, JSON, GeoJSON, XML...), 0.5 machine-readable but
proprietary (XLSX, shapefile), 0.25 a document a person can read but a program cannot
(PDF, Word), 0.0 not data at all (an HTML page, an executable, a picture). OGC services
(WMS, WMTS, WFS) are open standards; a ZIP is judged by what it holds (auditor.zipinfo).
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

OPENNESS: dict[str, float] = {
    **dict.fromkeys(
        ["CSV", "TSV", "JSON", "GEOJSON", "XML", "KML", "GML", "GPX", "RDF", "TTL", "N3",
         "JSONLD", "ODS", "PARQUET", "GPKG", "WFS", "WMS", "WMTS", "API", "NDJSON", "TXT-TABLE", "TOPOJSON",
         "SPARQL", "OGC API"],
        1.0,
    ),
    **dict.fromkeys(
        ["XLSX", "XLS", "SHP", "KMZ", "DBF", "MDB", "ESRI REST", "ARCGIS",
         "DWG", "DXF", "GDB", "ZIP", "INTERLIS", "ITF", "XTF"],
        0.5,
    ),
    **dict.fromkeys(["PDF", "DOC", "DOCX", "ODT", "TXT", "RTF", "PPT", "PPTX"], 0.25),
    **dict.fromkeys(["HTML", "EXE", "PNG", "JPG", "JPEG", "GIF", "TIFF", "TIF", "MP4"], 0.0),
}
SERVICES = frozenset({"WMS", "WMTS", "WFS", "API", "ESRI REST", "ARCGIS", "SPARQL", "OGC API"})
#: OGC services answer a capabilities request; a bare GET without parameters gets a 400.
OGC_SERVICES = frozenset({"WMS", "WMTS", "WFS"})


def capabilities_url(url: str, fmt: str) -> str:
    """The URL that asks an OGC service what it offers (GetCapabilities), unless ``url``
    already asks something."""
    if fmt not in OGC_SERVICES or "request=" in url.lower():
        return url
    sep = "&" if "?" in url else "?"
    return f"{url}{sep}SERVICE={fmt}&REQUEST=GetCapabilities"

_ALIASES = {
    "TEXT/CSV": "CSV", "APPLICATION/CSV": "CSV", "TEXT/TAB-SEPARATED-VALUES": "TSV",
    "APPLICATION/JSON": "JSON", "APPLICATION/GEO+JSON": "GEOJSON", "APPLICATION/VND.GEO+JSON": "GEOJSON",
    "TEXT/XML": "XML", "APPLICATION/XML": "XML", "APPLICATION/RDF+XML": "RDF",
    "APPLICATION/VND.GOOGLE-EARTH.KML+XML": "KML", "APPLICATION/VND.GOOGLE-EARTH.KMZ": "KMZ",
    "APPLICATION/VND.OPENXMLFORMATS-OFFICEDOCUMENT.SPREADSHEETML.SHEET": "XLSX",
    "APPLICATION/VND.MS-EXCEL": "XLS", "APPLICATION/PDF": "PDF", "APPLICATION/ZIP": "ZIP",
    "APPLICATION/X-ZIP-COMPRESSED": "ZIP", "TEXT/HTML": "HTML", "APPLICATION/MSWORD": "DOC",
    "APPLICATION/VND.OASIS.OPENDOCUMENT.SPREADSHEET": "ODS", "TEXT/PLAIN": "TXT",
    "ESRI SHAPEFILE": "SHP", "SHAPEFILE": "SHP", "SHAPE": "SHP", "ZIPPED SHAPEFILE": "SHP",
    "GEO JSON": "GEOJSON", "JSON-LD": "JSONLD", "EXCEL": "XLSX", "MS EXCEL": "XLS",
    "GEOPACKAGE": "GPKG", "WEB PAGE": "HTML", "HTM": "HTML", "ARCGIS REST": "ESRI REST",
    "ESRI REST API": "ESRI REST", "ARCGIS GEOSERVICES REST API": "ESRI REST",
    "OGC WMS": "WMS", "OGC WFS": "WFS", "WMS SERVICE": "WMS", "WFS SERVICE": "WFS",
    "TURTLE": "TTL", "JPEG IMAGE": "JPG", "WORD": "DOC", "TAB": "TSV",
}
_EXTENSIONS = {
    "csv": "CSV", "tsv": "TSV", "json": "JSON", "geojson": "GEOJSON", "xml": "XML", "kml": "KML",
    "kmz": "KMZ", "gml": "GML", "xlsx": "XLSX", "xls": "XLS", "ods": "ODS", "pdf": "PDF",
    "zip": "ZIP", "shp": "SHP", "doc": "DOC", "docx": "DOCX", "html": "HTML", "htm": "HTML",
    "rdf": "RDF", "ttl": "TTL", "parquet": "PARQUET", "gpkg": "GPKG", "txt": "TXT",
    "jsonld": "JSONLD", "png": "PNG", "jpg": "JPG", "jpeg": "JPG",
}


def normalise_format(declared: str = "", media_type: str = "", url: str = "") -> str:
    """A canonical upper-case format name from the declared format, media type or URL."""
    for text in (declared, media_type):
        name = (text or "").split(";")[0].strip().upper().lstrip(".")
        if not name:
            continue
        name = _ALIASES.get(name, name)
        if name in OPENNESS:
            return name
        token = re.split(r"[\s/(,]+", name)[0]
        if token in OPENNESS:
            return token
        return name
    path = urlsplit(url).path.lower() if url else ""
    ext = path.rsplit(".", 1)[-1] if "." in path.rsplit("/", 1)[-1] else ""
    return _EXTENSIONS.get(ext, "")


def sniff(head: bytes, content_type: str = "") -> str:
    """What the first bytes of a response look like.

    One of: empty, html, json, xml, pdf, zip, gzip, ole (XLS/DOC), image, text, binary.
    """
    data = head.lstrip(b"\xef\xbb\xbf").lstrip()
    if not data:
        return "empty"
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return "text"  # UTF-16 text with a BOM: real city CSVs come like this
    lowered = data[:512].lower()
    if lowered.startswith((b"<!doctype html", b"<html")) or b"<html" in lowered[:256]:
        return "html"
    if lowered.startswith((b"<?xml", b"<")):
        return "html" if b"<body" in lowered or b"<head" in lowered else "xml"
    if data[:1] in (b"{", b"["):
        return "json"
    if data.startswith(b"%PDF"):
        return "pdf"
    if data.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return "zip"
    if data.startswith(b"\x1f\x8b"):
        return "gzip"
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        return "ole"
    if data.startswith((b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"II*\x00", b"MM\x00*")):
        return "image"
    sample = data[:4096]
    if b"\x00" in sample:
        return "binary"
    controls = sum(1 for b in sample if b < 9 or 13 < b < 32)
    return "binary" if controls > len(sample) * 0.05 else "text"


# Which sniffed kinds are acceptable for a declared format.
_EXPECTED: dict[str, frozenset[str]] = {
    "CSV": frozenset({"text"}), "TSV": frozenset({"text"}), "TXT": frozenset({"text"}),
    "JSON": frozenset({"json"}), "GEOJSON": frozenset({"json"}), "TOPOJSON": frozenset({"json"}),
    "JSONLD": frozenset({"json"}), "NDJSON": frozenset({"json"}),
    "XML": frozenset({"xml"}), "KML": frozenset({"xml"}), "GML": frozenset({"xml"}),
    "RDF": frozenset({"xml"}), "GPX": frozenset({"xml"}),
    "XLSX": frozenset({"zip"}), "ODS": frozenset({"zip"}), "DOCX": frozenset({"zip"}),
    "KMZ": frozenset({"zip"}), "ZIP": frozenset({"zip", "gzip"}), "SHP": frozenset({"zip", "binary"}),
    "GPKG": frozenset({"binary"}), "PARQUET": frozenset({"binary"}),
    "XLS": frozenset({"ole", "xml", "text"}), "DOC": frozenset({"ole"}),
    "PDF": frozenset({"pdf"}), "HTML": frozenset({"html", "xml"}),
    "PNG": frozenset({"image"}), "JPG": frozenset({"image"}),
}


def expected_kinds(fmt: str) -> frozenset[str] | None:
    """The sniffed kinds a declared format may have, or None if we cannot judge it."""
    return _EXPECTED.get(fmt)
