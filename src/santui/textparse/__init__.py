"""Statement text -> structured fields, and the reference data it needs (gazetteer, sectors).

``santui.textparse.parse.parse_statement`` reads one statement (docs/textparse.md).

Pure Python: nothing here imports Django, so it can run in batch jobs and benchmarks alone.
"""
