"""Alembic environment: always run in-process on the connection the program hands over."""

from alembic import context

from ccsdesk.core.storage.migrate import include_object
from ccsdesk.core.storage.models import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,
    compare_type=True,
    include_object=include_object,
)
with context.begin_transaction():
    context.run_migrations()
