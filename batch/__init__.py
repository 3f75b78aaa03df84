"""Batch scoring: every firm row of a data directory against its year's programmes.

Two engines with the same function and arguments, chosen by ``recommender score
--engine``: :func:`batch.local.score` (one process, a CSV file) and
:func:`batch.dask.score` (a Dask cluster, a directory of Parquet part files). Both
write the contract's score output -- ``firm_id, year, programme_id, eligible, score,
rank`` -- through :meth:`recommender.recommend.Recommender.score`, optionally with a
``reasons`` column for each firm row's top programmes, and both publish their output
only once all of it is written.
"""
