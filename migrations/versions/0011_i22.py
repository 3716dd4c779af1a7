"""rationale themes: organizer reviews and what experts see

Revision ID: 0011_i22
Revises: 0008_i18
Create Date: 2026-12-07 13:00:00.000000

`theme_results` keeps each round's computed themes (so that every web
process sees what a job computed), `theme_reviews` each option's themes of a round as the organizer
approved them (labels, merges, hidden quotes); `theme_settings` whether the
experts of a study see them in the next round (absent: they do not). Both
tables are new: existing studies are untouched and keep showing the flat list
of rationales.
"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0011_i22'
down_revision = '0008_i18'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'theme_settings',
        sa.Column('study_id', sa.Integer(), nullable=False),
        sa.Column('experts_see', sa.String(length=10), nullable=False),
        sa.CheckConstraint("experts_see IN ('off', 'beside', 'instead')",
                           name=op.f('ck_theme_settings_experts_see_known')),
        sa.ForeignKeyConstraint(['study_id'], ['studies.id'],
                                name=op.f('fk_theme_settings_study_id_studies'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('study_id', name=op.f('pk_theme_settings')),
    )
    op.create_table(
        'theme_results',
        sa.Column('round_id', sa.Integer(), nullable=False),
        sa.Column('data_version', sa.Integer(), nullable=False),
        sa.Column('result', sa.JSON(), nullable=False),
        sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['round_id'], ['rounds.id'],
                                name=op.f('fk_theme_results_round_id_rounds'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('round_id', name=op.f('pk_theme_results')),
    )
    op.create_table(
        'theme_reviews',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('round_id', sa.Integer(), nullable=False),
        sa.Column('option_id', sa.Integer(), nullable=False),
        sa.Column('themes', sa.JSON(), nullable=False),
        sa.Column('data_version', sa.Integer(), nullable=False),
        sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
        sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['option_id'], ['options.id'],
                                name=op.f('fk_theme_reviews_option_id_options'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['reviewed_by_id'], ['users.id'],
                                name=op.f('fk_theme_reviews_reviewed_by_id_users'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['round_id'], ['rounds.id'],
                                name=op.f('fk_theme_reviews_round_id_rounds'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_theme_reviews')),
        sa.UniqueConstraint('round_id', 'option_id',
                            name=op.f('uq_theme_reviews_round_id_option_id')),
    )
    with op.batch_alter_table('theme_reviews', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_theme_reviews_round_id'), ['round_id'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('theme_reviews', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_theme_reviews_round_id'))
    op.drop_table('theme_reviews')
    op.drop_table('theme_results')
    op.drop_table('theme_settings')
