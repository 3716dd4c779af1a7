"""round reminders (scheduler)

Revision ID: 0012_i17d
Revises: 0011_i22
Create Date: 2026-12-07 12:40:00.000000

Reminders an organizer plans for a round (days before its deadline), each
claimed once by the scheduler. Existing rounds get none: nothing to migrate.
"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0012_i17d'
down_revision = '0011_i22'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'round_reminders',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('round_id', sa.Integer(), nullable=False),
        sa.Column('days_before', sa.Integer(), nullable=False),
        sa.Column('due_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('done_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('outcome', sa.String(length=10), nullable=True),
        sa.Column('queued', sa.Integer(), nullable=False, server_default='0'),
        sa.CheckConstraint('days_before BETWEEN 1 AND 60',
                           name=op.f('ck_round_reminders_days_range')),
        sa.CheckConstraint("outcome IS NULL OR outcome IN ('sent', 'skipped')",
                           name=op.f('ck_round_reminders_outcome_known')),
        sa.ForeignKeyConstraint(['round_id'], ['rounds.id'],
                                name=op.f('fk_round_reminders_round_id_rounds'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_round_reminders')),
        sa.UniqueConstraint('round_id', 'days_before',
                            name=op.f('uq_round_reminders_round_id_days_before')),
    )
    with op.batch_alter_table('round_reminders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_round_reminders_round_id'), ['round_id'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('round_reminders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_round_reminders_round_id'))
    op.drop_table('round_reminders')
