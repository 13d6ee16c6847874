"""docs/checks.md, generated: every check's docstring, then how records are read.

The reading rules (which field each fact comes from, in which order, and the frequency
vocabulary) are printed from the tables the mappers use, so the documentation cannot
drift from the code.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterable
from typing import Any

from auditor.frequency import EU_CODES, HDX_DAYS, VOCABULARY, every

READ_FIELDS = (
    ("language", "the language chosen where a field held several (`null` when none did)"),
    ("description.present / state / length", "`present`, `missing`, `title` (the title repeated) or "
     "`placeholder` (\"Notes\", \"TBD\"...); length after markup is removed"),
    ("licence.value / field / state / open / od_id", "the licence as written, where, and its Open Definition "
     "verdict (`open`, `not-open`, `unknown`, `unspecified`)"),
    ("frequency.raw / field / kind / period_days / words", "the declared schedule as written, where, and as read: "
     "`periodic` (with its period in days; `null` for faster than hourly with no fixed period), `irregular`, "
     "`static`, `unrecognisable` (a value that states no schedule) or `none`"),
    ("data_updated.date / field", "when the data (not its description) last changed, and the field that says so"),
    ("contact.email / url / name / field", "a way to reach the maintainer, and the field it came from"),
    ("department.value / field", "the owning department, and the field it came from"),
    ("columns.documented / count / described / documentation / field", "`all`, `some`, `none`, `n/a` (nothing "
     "tabular) or `unknown` (the data dictionary could not be read)"),
)


def checks_markdown(checks: Iterable[Any]) -> str:
    """The whole of docs/checks.md."""
    out = ["# Checks", "",
           "Generated from the check registry and the mappers' tables (`auditor checks --format markdown > "
           "docs/checks.md`); each check's docstring is its documentation.", ""]
    for cls in checks:
        doc = inspect.cleandoc(cls.__doc__ or "")
        # The file in the repository: auditor.checks.* is installed from the checks/ folder.
        path = "/".join(cls.__module__.split(".")[1:]) + ".py"
        out += [f"## `{cls.id}`", "",
                f"*Dimension*: {cls.dimension.value.replace('_', ' ')} · *default weight*: {cls.weight:g} · "
                f"*severity for `auditor validate`*: {cls.severity} · *file*: `{path}`", "",
                doc, "", f"**How to fix**: {cls.fix}", ""]
    return "\n".join([*out, *reading_markdown()]) + "\n"


def reading_markdown() -> list[str]:
    """What the auditor read, where each fact is read, and the frequency vocabulary."""
    from auditor.sources import ckan_map, socrata_map

    out = ["# What the auditor read", "",
           "Every dataset in `report.json` carries a `read` section: what the metadata checks read in the "
           "record and where from, so each verdict can be traced to a field.", "",
           "| key | meaning |", "|---|---|"]
    out += [f"| `{key}` | {text} |" for key, text in READ_FIELDS]
    out += ["", "## Where each fact is read", "",
            "Field names are compared without case and punctuation (`UpdateFrequency`, `update-frequency` and "
            "`update_frequency` are one name); CKAN `extras` count like top-level and scheming fields. The first "
            "field in each list that holds a value wins.", "",
            "### CKAN", "",
            "- **Declared frequency**: " + ", ".join(f"`{k}`" for k in ckan_map.FREQUENCY_FIELDS)
            + "; then any other field whose name says frequency or periodicity and not a date. "
              "`data_update_frequency` is HDX's count of days (-2 as needed, -1 never, 0 live).",
            "- **When the data changed**: " + " → ".join(f"`{k}`" for k in ckan_map.DATA_DATE_FIELDS)
            + ". `hdx:last_modified` is the package's `last_modified` on HDX (where `data_update_frequency` "
              "exists); `dataset-reference-date` is INSPIRE's list (the latest of its dates); resource `created` "
              "only when no resource has a `last_modified`. `metadata_modified` is never used: an edited "
              "description is not new data, and freshness then says the record gives no date for its data.",
            "- **Contact**: " + ", ".join(f"`{k}`" for k, _ in ckan_map.CONTACT_FIELDS)
            + ", then any other field named as an e-mail. Values may be e-mails, `mailto:` links, vCards "
              "(`hasEmail`, `fn`), `{name, email}` objects or lists of them, or JSON strings of those; a URL "
              "counts only in a field meant for contacts. A user id is not a name.",
            "- **Department**: " + ", ".join(f"`{k}`" for k in ckan_map.DEPARTMENT_FIELDS)
            + ", then the organisation's title (never its id).",
            "- **Licence**: `license_id`, `license_title`, then the resources' `license` or `rights` "
            "(opendata.swiss terms of use).",
            "- **Multilingual fields** (`{\"de\": ..., \"fr\": ...}`, also as a JSON string): the portal "
            "config's `language`, then the portal's own (`locale_default` of `status_show`), then English, "
            "German, French, Italian and the others, then the first present.",
            "- **Data dictionary**: DataStore fields (`datastore_search`, for resources whose "
            "`datastore_active` is true, also when sent as the string `\"True\"`); a resource named as a "
            "dictionary, codebook, readme or metadata documents every column. A failed `datastore_search` "
            "leaves the record readable and the dictionary `unknown`.", "",
            "### Socrata", "",
            "- **Declared frequency**: a custom field (in any fieldset, of the views record or the catalogue's "
            "`domain_metadata`) whose name says frequency, in the languages below; then one in a fieldset named "
            "for frequency; then one named for updates whose value reads as a schedule; a field whose name says "
            "date, last, time or automation never counts. A dataset's own schedule comes before a \"source\" one.",
            "- **When the data changed**: views `rowsUpdatedAt`, else the catalogue's `data_updated_at`; never "
            "`viewLastModified` or `updatedAt`.",
            "- **Contact**: the catalogue's `contact_email`, then custom fields named contact / e-mail (any "
            "language), then the publishing account's display name (an e-mail there reaches someone; a name "
            "alone earns half). The attribution link is the publisher's site, not a contact.",
            "- **Department**: custom fields naming, best first: "
            + "; ".join(f"`{p.pattern.split('|')[0]}`…" for p in socrata_map.OWNER_NAMES)
            + "; then the attribution. The domain category is a topic, never a department.",
            "- **Resources**: the export (or the file of a file asset), `accessPoints` and "
            "`additionalAccessPoints` links, and attachments; an attachment in a data format (zip, KMZ, "
            "GeoJSON, CSV...) is data, a PDF or a file named as a dictionary is documentation.", "",
            "## Declared frequency vocabulary", "",
            "Text is compared in lower case without accents; a \"no longer updated\" phrase wins, otherwise the "
            "phrase that starts first (\"Daily beginning 7/1/19; twice weekly previously\" is daily). "
            "\"Every N minutes / hours / days / weeks / months / years\" and \"N times a day / week / month / "
            "year\" are read in the same languages; ISO 8601 durations and repeating intervals (`P1D`, `R/P3M`, "
            "`R/PT15M`) and vocabulary URIs (EU authority table, Dublin Core `cld/freq`) too.", "",
            "| reads as | alternatives (regular expressions on folded text) |", "|---|---|"]
    for kind, days, alternatives in VOCABULARY:
        meaning = every(days) if kind == "periodic" and days else (
            "faster than hourly, no fixed period" if kind == "periodic" else kind)
        cells = ", ".join("`" + a.replace("|", "\\|") + "`" for a in alternatives)
        out.append(f"| {meaning} | {cells} |")
    out += ["", "EU frequency authority codes: " + ", ".join(
        f"`{code}` ({every(days) if days else kind})" for code, (kind, days) in EU_CODES.items()) + ".",
            "", "HDX `data_update_frequency`: " + ", ".join(
        f"`{n}` ({every(days) if days else ('live' if kind == 'periodic' else kind)})"
        for n, (kind, days) in HDX_DAYS.items()) + ", any other positive number: every that many days.", ""]
    return out
