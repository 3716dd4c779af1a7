"""hot path indexes

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 17:20:00.000000

The panel page looks up the latest message of each invitation in a round
(`outbox_messages.invitation_id IN (...)`), and deleting an invitation sets
that column to NULL; both scanned the whole outbox without this index.
`tests/scale/test_query_plans.py` checks the plans on PostgreSQL.
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbox_messages_invitation_id'), ['invitation_id'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_messages_invitation_id'))
