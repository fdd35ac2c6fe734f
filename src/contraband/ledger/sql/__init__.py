"""The SQL store of the ledger: SQLAlchemy tables, Alembic migrations, the repository."""
