"""The bundled configuration, installed as ``auditor.defaults``: the scoring rubric
(``rubric.yaml``) and the example portal configs (``portals/*.yaml``). Data only."""
