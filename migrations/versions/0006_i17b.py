"""panel edits, withdrawals, account mail and set-password links (issue 17, items 2-4)

Revision ID: 0006_i17b
Revises: 0005_i17a
Create Date: 2026-12-07 12:50:00.000000

- experts.number: each expert's number in the study (pseudonym E001…), filled
  for existing panels in the order experts joined, so every pseudonym stays
  what it was; removing an expert later renames no one.
- experts.withdrawn_at / withdrawn_reason, and the response status
  'withdrawn': a withdrawn expert's answers are kept but count nowhere.
- outbox_messages.study_id may be NULL (account e-mails belong to no study)
  and three account kinds join invitation and reminder.
- account_tokens: single-use, expiring set-password links (team invitations,
  "Forgot password").
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0006_i17b'
down_revision = '0005_i17a'
branch_labels = None
depends_on = None

MAIL_KINDS = "kind IN ('invitation', 'reminder', 'account_invite', 'team_added', 'password_reset')"


def _without_sqlite_foreign_keys(change):
    """Run `change` with SQLite's foreign keys off, then check them.

    Batch mode rebuilds a table (copy, DROP, rename); with foreign keys on, the
    DROP of a table others reference would delete their rows (ON DELETE
    CASCADE). The pragma only takes effect outside a transaction.
    """
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        change()
        return
    op.execute("COMMIT")
    op.execute("PRAGMA foreign_keys = OFF")
    op.execute("BEGIN")
    change()
    broken = bind.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        raise RuntimeError(f"foreign keys broken by the migration: {broken[:5]}")
    op.execute("COMMIT")
    op.execute("PRAGMA foreign_keys = ON")
    op.execute("BEGIN")


def _response_statuses(values):
    def change():
        with op.batch_alter_table('responses', schema=None) as batch_op:
            batch_op.drop_constraint(op.f('ck_responses_status_known'), type_='check')
            batch_op.create_check_constraint('status_known', f"status IN ({values})")
    _without_sqlite_foreign_keys(change)


def upgrade():
    # Added columns only (ALTER TABLE ADD COLUMN): no rebuild of this referenced table.
    with op.batch_alter_table('experts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('number', sa.Integer(), nullable=False,
                                      server_default='0'))
        batch_op.add_column(sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('withdrawn_reason', sa.String(length=500), nullable=False,
                                      server_default=''))
    # The pseudonyms existing exports show: rank by id within the study.
    op.execute("UPDATE experts SET number = (SELECT COUNT(*) FROM experts AS e2 "
               "WHERE e2.study_id = experts.study_id AND e2.id <= experts.id)")
    if op.get_bind().dialect.name != "sqlite":
        op.alter_column('experts', 'number', server_default=None)
    op.create_index('ix_experts_study_id_number', 'experts', ['study_id', 'number'],
                    unique=True)

    _response_statuses("'draft', 'submitted', 'withdrawn'")

    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.alter_column('study_id', existing_type=sa.Integer(), nullable=True)
        batch_op.drop_constraint(op.f('ck_outbox_messages_kind_known'), type_='check')
        batch_op.create_check_constraint('kind_known', MAIL_KINDS)

    op.create_table(
        'account_tokens',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('purpose', sa.String(length=10), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("purpose IN ('invite', 'reset')",
                           name=op.f('ck_account_tokens_purpose_known')),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                                name=op.f('fk_account_tokens_user_id_users'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_account_tokens')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_account_tokens_token_hash')),
    )
    with op.batch_alter_table('account_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_account_tokens_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('account_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_account_tokens_user_id'))
    op.drop_table('account_tokens')
    op.execute("DELETE FROM outbox_messages WHERE study_id IS NULL "
               "OR kind NOT IN ('invitation', 'reminder')")
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_outbox_messages_kind_known'), type_='check')
        batch_op.create_check_constraint('kind_known', "kind IN ('invitation', 'reminder')")
        batch_op.alter_column('study_id', existing_type=sa.Integer(), nullable=False)
    # A withdrawal cannot be undone by a schema downgrade: those answers become drafts,
    # which no analysis reads either.
    op.execute("UPDATE responses SET status = 'draft' WHERE status = 'withdrawn'")
    _response_statuses("'draft', 'submitted'")
    op.drop_index('ix_experts_study_id_number', table_name='experts')

    def drop_expert_columns():
        with op.batch_alter_table('experts', schema=None) as batch_op:
            batch_op.drop_column('withdrawn_reason')
            batch_op.drop_column('withdrawn_at')
            batch_op.drop_column('number')
    _without_sqlite_foreign_keys(drop_expert_columns)
