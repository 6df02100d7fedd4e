"""The whole history, recounted on Dask distributed (`santui history recount`).

``partitions`` holds what a worker runs (reads by primary-key range over its own database
connection, small partial sums back); ``recount`` what the client runs (the plan, the cluster,
the sums and the comparison). docs/operations.md says how to run it over several machines.
"""
