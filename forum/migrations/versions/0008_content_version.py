"""The content version: one row whose value changes with every committed write to what pages show, the key
of the page-fragment cache (forum/cache.py). The outbox keeps each message's delivery tries and when to
try again, and indexes the pending messages. Existing messages start with no tries.

Revision ID: 0b7c2f9d4e11
Revises: c6016f2726b5
Create Date: 2026-11-28 08:35:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0b7c2f9d4e11'
down_revision = 'c6016f2726b5'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('content_version',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('value', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_content_version'))
    )
    op.execute("INSERT INTO content_version (id, value) VALUES (1, 1)")
    with op.batch_alter_table('outbox_email', schema=None) as batch_op:
        batch_op.add_column(sa.Column('attempts', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('next_attempt_at', sa.DateTime(), nullable=True))
        batch_op.create_index('ix_outbox_email_pending', ['id'], unique=False,
                              sqlite_where=sa.text("sent_at IS NULL AND error = ''"),
                              postgresql_where=sa.text("sent_at IS NULL AND error = ''"))


def downgrade():
    with op.batch_alter_table('outbox_email', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_email_pending', sqlite_where=sa.text("sent_at IS NULL AND error = ''"),
                            postgresql_where=sa.text("sent_at IS NULL AND error = ''"))
        batch_op.drop_column('next_attempt_at')
        batch_op.drop_column('attempts')
    op.drop_table('content_version')
