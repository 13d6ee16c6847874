"""Reading what is inside a tabular file: encoding, dialect, structure and content.

``analyse_file`` is the one entry point: it reads a local file once (a streaming hash and
encoding pass, then one parsing pass that feeds every analyser) and returns a
:class:`TableAnalysis` that the ``resource.*`` content checks read their findings from.
"""

from auditor.table.analyse import ContentOptions, TableAnalysis, analyse_file

__all__ = ["ContentOptions", "TableAnalysis", "analyse_file"]
