"""job runner

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 20:10:00.000000

`jobs.runner` names the process whose thread pool holds a job of the thread
backend (host, pid and the pid's start time), so that a job left queued or
running by a process that has since stopped (a restart, a crash) is seen as
lost at once instead of after JOBS_STALE_AFTER.
"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('runner', sa.String(length=200), nullable=True))


def downgrade():
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.drop_column('runner')
