"""pv snapshot of signed minutes

Adds ``minutes_version.pv_snapshot``: what a signed PV showed that lives in tables which keep
changing after the signature (roster, attendance names, guests, letterhead, recommendations),
as JSON ``ccsdesk-pv-snapshot/1`` (``docs/formats/pv-snapshot.md``). The PV of a signed
version is re-rendered from it, so it keeps its text and its document identity.

The 0002 trigger ``minutes_version_signed_no_update`` already refuses any change to a signed
row, the new column included. ``SNAPSHOT_TRIGGERS`` add that the snapshot is written only by
the update that signs (adopted → signed) and never by an INSERT: a draft cannot carry one.
Adding a column is a plain ``ALTER TABLE`` (no table rebuild), so the 0002 triggers stay; the
downgrade drops them, rebuilds the table and creates them again.

Revision ID: 0007_pv_snapshot
Revises: 0006_step_decider
Create Date: 2026-11-23 03:52:26.040786
"""

import importlib

import sqlalchemy as sa
from alembic import op

revision = '0007_pv_snapshot'
down_revision = '0006_step_decider'
branch_labels = None
depends_on = None

ONLY_AT_SIGNING = "'a PV snapshot is written only when the minutes are signed'"
SNAPSHOT_TRIGGERS = (
    "CREATE TRIGGER minutes_version_snapshot_at_signing BEFORE UPDATE OF pv_snapshot "
    "ON minutes_version WHEN NEW.pv_snapshot IS NOT NULL "
    "AND NOT (OLD.state = 'adopted' AND NEW.state = 'signed') "
    f"BEGIN SELECT RAISE(ABORT, {ONLY_AT_SIGNING}); END",
    "CREATE TRIGGER minutes_version_snapshot_no_insert BEFORE INSERT ON minutes_version "
    f"WHEN NEW.pv_snapshot IS NOT NULL BEGIN SELECT RAISE(ABORT, {ONLY_AT_SIGNING}); END",
)
_TRIGGER_NAMES = ("minutes_version_snapshot_at_signing", "minutes_version_snapshot_no_insert")


def upgrade() -> None:
    with op.batch_alter_table('minutes_version', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pv_snapshot', sa.Text(), nullable=True))
    if op.get_bind().dialect.name == "sqlite":
        for statement in SNAPSHOT_TRIGGERS:
            op.execute(statement)


def downgrade() -> None:
    # Dropping the column rebuilds minutes_version. The 0002 triggers go first: those on
    # minutes_item name minutes_version, and SQLite refuses the rebuild's rename under them.
    sessions = importlib.import_module(
        "ccsdesk.core.storage.migrations.versions.0002_sessions_sessions_attendance_minutes_")
    frozen = [statement.split()[2] for statement in sessions.FREEZE_TRIGGERS]  # CREATE TRIGGER x
    for name in (*_TRIGGER_NAMES, *frozen):
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    with op.batch_alter_table('minutes_version', schema=None) as batch_op:
        batch_op.drop_column('pv_snapshot')
    if op.get_bind().dialect.name == "sqlite":
        for statement in sessions.FREEZE_TRIGGERS:
            op.execute(statement)
