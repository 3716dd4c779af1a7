"""hostile input (issue 18): ended sessions

Revision ID: 0008_i18
Revises: 0007_i17c
Create Date: 2026-12-07 12:50:00.000000

`ended_sessions` lists the browser sessions signed out with *Sign out*
(SHA-256 of the session key), so a copied session cookie stops working at
sign-out instead of at its expiry.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0008_i18'
down_revision = '0007_i17c'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'ended_sessions',
        sa.Column('key_hash', sa.String(length=64), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('ended_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('key_hash', name=op.f('pk_ended_sessions')),
    )
    op.create_index('ix_ended_sessions_ended_at', 'ended_sessions', ['ended_at'])


def downgrade():
    op.drop_index('ix_ended_sessions_ended_at', table_name='ended_sessions')
    op.drop_table('ended_sessions')
