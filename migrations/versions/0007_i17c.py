"""expert drafts, previous answers pre-filled, consent carried over

Revision ID: 0007_i17c
Revises: 0006_i17b
Create Date: 2026-12-07 12:40:00.000000

- `studies.prefill_previous`: in round 2 and later the form starts with the
  expert's own previous answers (default on; existing studies get it on).
- `responses.draft`: what a draft could not store in the answer rows: the
  answers typed but refused (kept as typed, with their message), and a
  revision saved as a draft after a submission (the submitted rows stay as
  submitted until the expert submits again).
- `responses.consent_digest`: a fingerprint of the consent text the expert
  agreed to, so later rounds ask again only when that text changed. Existing
  consents are left empty, which means "the text before this revision".
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0007_i17c'
down_revision = '0006_i17b'
branch_labels = None
depends_on = None


def upgrade():
    # Plain ADD COLUMN (no batch copy): on SQLite a batch would rebuild `studies`, which
    # rows of other tables point at.
    op.add_column('studies', sa.Column('prefill_previous', sa.Boolean(), nullable=False,
                                       server_default=sa.true()))
    op.add_column('responses', sa.Column('draft', sa.JSON(), nullable=True))
    op.add_column('responses', sa.Column('consent_digest', sa.String(length=64),
                                         nullable=True))


def downgrade():
    # Plain DROP COLUMN (SQLite 3.35+), for the same reason as above.
    op.drop_column('responses', 'consent_digest')
    op.drop_column('responses', 'draft')
    op.drop_column('studies', 'prefill_previous')
