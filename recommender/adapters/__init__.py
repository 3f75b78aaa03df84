"""Adapters: everything that touches the world outside the pure core.

Files (CSV / Parquet data directories), the SQL store, the model registry on disk and
the Bizinfo feed. The core (``recommender`` minus this package and ``settings``) never
imports them; ``api``, ``training``, ``batch`` and ``cli`` compose them with the core.
"""
