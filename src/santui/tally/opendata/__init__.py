"""Open data: the public figures and the published statements as files (docs/open-data.md).

``schemas`` defines every dataset and its columns once: the files, the Data Package descriptor
and the /data/ page all read them. ``datasets`` reads the rows from one integrated state
(rollups, the public stats document and santui.statements.public), ``writers`` encodes them
(CSV, JSON, JSON Lines, Parquet) as a stream of bytes, ``package`` names the files and builds
``datapackage.json``, and ``export`` writes them all to a directory (`santui export DIR`).

The bytes of a file depend only on the integrated state (no "now" inside), so /data/<file> and
`santui export` give the same bytes for the same state.
"""
