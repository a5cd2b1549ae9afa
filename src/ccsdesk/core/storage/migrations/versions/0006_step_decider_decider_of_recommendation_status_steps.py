"""decider of recommendation status steps

Revision ID: 0006_step_decider
Revises: 0005_journal_segments
Create Date: 2026-11-23 00:09:01.215866
"""

import sqlalchemy as sa
from alembic import op

revision = '0006_step_decider'
down_revision = '0005_journal_segments'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('recommendation_status', schema=None) as batch_op:
        batch_op.add_column(sa.Column('committee_uid', sa.String(length=36), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('committee_name', sa.String(length=200), nullable=False,
                                      server_default=''))


def downgrade() -> None:
    with op.batch_alter_table('recommendation_status', schema=None) as batch_op:
        batch_op.drop_column('committee_name')
        batch_op.drop_column('committee_uid')
