"""Alembic migrations of the store, run by ``recommender.store.migrate.upgrade_database``."""
