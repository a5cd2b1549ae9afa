"""Alembic migrations of the CCS Desk schema (applied when a data folder is opened)."""
