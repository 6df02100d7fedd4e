"""Statement text -> structured fields, and the reference data it needs (gazetteer, sectors).

Pure Python: nothing here imports Django, so it can run in batch jobs and benchmarks alone.
"""
