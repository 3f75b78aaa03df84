"""Alembic migrations of the store, run by ``migrate.upgrade_database``."""
