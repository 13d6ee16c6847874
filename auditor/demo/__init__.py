"""The bundled demo: a loopback emulator of a Socrata and a CKAN portal (see data/PROVENANCE.md)."""
