"""Alembic migrations of the store, run by ``recommender.adapters.store.migrate.upgrade_database``."""
