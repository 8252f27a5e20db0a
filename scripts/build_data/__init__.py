"""Build the shipped evidence tables in ``data/`` from the public reference data.

One module per source (``sources/``), curated maps as TOML data files with a source per
entry (``curated/``), the orchestration, validation and writing in :mod:`build_data.build`.
Run ``.venv/bin/python scripts/build_data --help``; derivations are documented in
``data/SOURCES.md``.
"""
