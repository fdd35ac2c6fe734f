"""Alembic environment: runs on the connection `contraband.ledger.sql.store.migrate` passes."""

from alembic import context

from contraband.ledger.sql.tables import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
