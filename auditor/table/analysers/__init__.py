"""Content analysers, one per file, each beside (named after) the check it serves."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from auditor.table.analysers.completeness import Completeness
from auditor.table.analysers.coordinates_valid import Coordinates
from auditor.table.analysers.dates_plausible import Dates
from auditor.table.analysers.sample import Sample
from auditor.table.analysers.unique_identifier import Identifier
from auditor.table.arrow import Analyser
from auditor.table.options import ContentOptions

__all__ = ["Completeness", "Coordinates", "Dates", "Identifier", "Sample", "analysers"]


def analysers(options: ContentOptions, dataset_keys: Mapping[str, Sequence[str]] | None = None
              ) -> list[Analyser]:
    """A fresh set of analysers for one file."""
    th = options.thresholds
    chosen: list[Analyser] = [
        Completeness(),
        Identifier(),
        Coordinates(th.get("resource.coordinates-valid", {})),
        Dates(th.get("resource.dates-plausible", {}), options.now),
    ]
    if options.suites or options.keep_sample:
        chosen.append(Sample(options.sample_rows))
    return chosen
