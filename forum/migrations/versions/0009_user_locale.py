"""The interface language a person chose (``user_account.locale``: NULL follows the browser, as every
existing account does after this migration) and the one they last logged in with (``last_locale``, for
e-mails to people who never chose).

Revision ID: 5e3a9c1d7b20
Revises: 0b7c2f9d4e11
Create Date: 2026-11-28 11:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5e3a9c1d7b20'
down_revision = '0b7c2f9d4e11'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('locale', sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column('last_locale', sa.String(length=8), nullable=True))


def downgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('last_locale')
        batch_op.drop_column('locale')
