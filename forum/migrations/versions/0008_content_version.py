"""The content version: one row whose value changes with every committed write to what pages show, the key
of the page-fragment cache (forum/cache.py).

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


def downgrade():
    op.drop_table('content_version')
