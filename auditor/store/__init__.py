"""The history store: every run, its datasets, findings and scores, in SQLite or PostgreSQL.

A run is written in one transaction, so a run killed half-way leaves either nothing or a
``running`` marker that the next open turns into ``interrupted``: never half a run. The
report JSON of each run is kept whole, so any past report can be redrawn exactly; the
findings and scores are also kept as rows, for diffs and trends.
"""

from auditor.store.diff import Diff, diff_reports
from auditor.store.store import RunInfo, Store, StoreError, default_url

__all__ = ["Diff", "RunInfo", "Store", "StoreError", "default_url", "diff_reports"]
