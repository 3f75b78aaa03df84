"""Training: one procedure, two engines, and the evaluation around it.

``training.local.train_version`` (one process) and ``training.dask.train_version`` (a
Dask cluster) take the same arguments and share every rule (:mod:`training.rules`), the
manifest metadata and writing (:mod:`training.version`) and the data fingerprint
(:mod:`training.fingerprint`). :mod:`training.evaluate` compares the procedure with the
baselines on time and firm splits; :mod:`training.report` writes the model report.
"""
