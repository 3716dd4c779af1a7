"""bilingual content and stored briefing HTML

Revision ID: 0005_i17a
Revises: 0004
Create Date: 2026-12-07 12:45:00.000000

Every expert-facing text gets a version per study language: a `translations`
JSON object on studies, options, criteria and seed questions (the main
language stays in the existing columns, so existing studies keep every text
as it was). Studies gain their own consent text; criteria a help text. The
briefing and consent text are stored as sanitized HTML too, rendered once
when saved: existing briefings are rendered here.
"""
import sqlalchemy as sa
from alembic import op

from elicit import richtext

# revision identifiers, used by Alembic.
revision = '0005_i17a'
down_revision = '0004'
branch_labels = None
depends_on = None

TRANSLATED_TABLES = ('studies', 'options', 'criteria', 'seed_questions')


def _without_sqlite_foreign_keys(change):
    """Run `change` with SQLite's foreign keys off, then check them.

    Batch mode rebuilds a table (copy, DROP, rename); with foreign keys on, the
    DROP of a table others reference would delete their rows (ON DELETE
    CASCADE) or fail. The pragma only takes effect outside a transaction.
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


def upgrade():
    _without_sqlite_foreign_keys(_add_columns)
    studies = sa.table('studies', sa.column('id', sa.Integer), sa.column('briefing', sa.Text),
                       sa.column('briefing_html', sa.Text))
    conn = op.get_bind()
    for study_id, briefing in conn.execute(sa.select(studies.c.id, studies.c.briefing)).all():
        conn.execute(studies.update().where(studies.c.id == study_id)
                     .values(briefing_html=richtext.render(briefing)))


def _add_columns():
    with op.batch_alter_table('studies', schema=None) as batch_op:
        batch_op.add_column(sa.Column('briefing_html', sa.Text(), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('consent_text', sa.Text(), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('consent_html', sa.Text(), nullable=False,
                                      server_default=''))
    with op.batch_alter_table('criteria', schema=None) as batch_op:
        batch_op.add_column(sa.Column('help', sa.Text(), nullable=False, server_default=''))
    for table in TRANSLATED_TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('translations', sa.JSON(), nullable=False,
                                          server_default='{}'))


def downgrade():
    _without_sqlite_foreign_keys(_drop_columns)


def _drop_columns():
    for table in TRANSLATED_TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('translations')
    with op.batch_alter_table('criteria', schema=None) as batch_op:
        batch_op.drop_column('help')
    with op.batch_alter_table('studies', schema=None) as batch_op:
        batch_op.drop_column('consent_html')
        batch_op.drop_column('consent_text')
        batch_op.drop_column('briefing_html')
