"""Partner matching: settings, related sectors, stored suggestions, their freshness, dismissals.

Revision ID: 7c1e5d2a9b40
Revises: 4b7adfa958f0
Create Date: 2026-11-27 15:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = '7c1e5d2a9b40'
down_revision = '4b7adfa958f0'
branch_labels = None
depends_on = None

_WEIGHTS = ('weight_complementarity', 'weight_sector', 'weight_cross_delegation', 'weight_language')


def upgrade():
    op.create_table('matching_settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cross_delegation', sa.String(length=16), nullable=False),
    *[sa.Column(name, sa.Float(), nullable=True) for name in _WEIGHTS],
    sa.Column('generation', sa.Integer(), nullable=False),
    sa.Column('computed_at', sa.DateTime(), nullable=True),
    sa.Column('computed_seconds', sa.Float(), nullable=True),
    *[sa.CheckConstraint(f'{name} IS NULL OR ({name} >= 0 AND {name} <= 10.0)',
                         name=op.f(f'ck_matching_settings_{name}_range')) for name in _WEIGHTS],
    sa.PrimaryKeyConstraint('id', name=op.f('pk_matching_settings'))
    )
    op.create_table('sector_affinity',
    sa.Column('sector_a_id', sa.Integer(), nullable=False),
    sa.Column('sector_b_id', sa.Integer(), nullable=False),
    sa.Column('strength', sa.Float(), nullable=False),
    sa.CheckConstraint('sector_a_id < sector_b_id', name=op.f('ck_sector_affinity_ordered_pair')),
    sa.CheckConstraint('strength > 0 AND strength <= 1', name=op.f('ck_sector_affinity_strength_range')),
    sa.ForeignKeyConstraint(['sector_a_id'], ['sector.id'], name=op.f('fk_sector_affinity_sector_a_id_sector'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['sector_b_id'], ['sector.id'], name=op.f('fk_sector_affinity_sector_b_id_sector'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('sector_a_id', 'sector_b_id', name=op.f('pk_sector_affinity'))
    )
    op.create_table('match_dismissal',
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('partner_id', sa.Integer(), nullable=False),
    sa.Column('dismissed_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['company.id'], name=op.f('fk_match_dismissal_company_id_company'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['dismissed_by_id'], ['user_account.id'], name=op.f('fk_match_dismissal_dismissed_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['partner_id'], ['company.id'], name=op.f('fk_match_dismissal_partner_id_company'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('company_id', 'partner_id', name=op.f('pk_match_dismissal'))
    )
    op.create_table('match_state',
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('profile_version', sa.Integer(), nullable=False),
    sa.Column('generation', sa.Integer(), nullable=False),
    sa.Column('computed_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['company.id'], name=op.f('fk_match_state_company_id_company'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('company_id', name=op.f('pk_match_state'))
    )
    op.create_table('match_suggestion',
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('partner_id', sa.Integer(), nullable=False),
    sa.Column('rank', sa.Integer(), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('reasons', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['company.id'], name=op.f('fk_match_suggestion_company_id_company'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['partner_id'], ['company.id'], name=op.f('fk_match_suggestion_partner_id_company'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('company_id', 'partner_id', name=op.f('pk_match_suggestion'))
    )
    with op.batch_alter_table('match_suggestion', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_match_suggestion_partner_id'), ['partner_id'], unique=False)

    settings = sa.table('matching_settings', sa.column('cross_delegation', sa.String),
                        sa.column('generation', sa.Integer))
    op.bulk_insert(settings, [{'cross_delegation': 'prefer', 'generation': 1}])

    # The starting value chains: a frozen copy of forum.matching.DEFAULT_AFFINITY (a migration must
    # keep meaning the same thing when the code moves on). Pairs of sector keys, with their strength.
    conn = op.get_bind()
    ids = dict(conn.execute(sa.text('SELECT key, id FROM sector')).all())
    affinity = sa.table('sector_affinity', sa.column('sector_a_id', sa.Integer),
                        sa.column('sector_b_id', sa.Integer), sa.column('strength', sa.Float))
    rows = []
    for a, b, strength in DEFAULT_AFFINITY:
        if a in ids and b in ids:
            low, high = sorted((ids[a], ids[b]))
            rows.append({'sector_a_id': low, 'sector_b_id': high, 'strength': strength})
    if rows:
        op.bulk_insert(affinity, rows)


DEFAULT_AFFINITY = [
    ('agriculture', 'fruit-vegetables', 0.8),
    ('agriculture', 'dairy', 0.7),
    ('agriculture', 'food-processing', 0.6),
    ('agriculture', 'technology', 0.6),
    ('agriculture', 'trade', 0.4),
    ('agriculture', 'textiles', 0.4),
    ('agriculture', 'energy', 0.3),
    ('agriculture', 'investment', 0.3),
    ('agriculture', 'logistics', 0.3),
    ('food-processing', 'fruit-vegetables', 0.7),
    ('fruit-vegetables', 'logistics', 0.6),
    ('fruit-vegetables', 'packaging', 0.6),
    ('fruit-vegetables', 'trade', 0.6),
    ('dairy', 'food-processing', 0.8),
    ('dairy', 'packaging', 0.6),
    ('dairy', 'technology', 0.4),
    ('dairy', 'logistics', 0.4),
    ('food-processing', 'packaging', 0.7),
    ('food-processing', 'trade', 0.5),
    ('food-processing', 'logistics', 0.4),
    ('food-processing', 'industry', 0.4),
    ('food-processing', 'investment', 0.4),
    ('industry', 'packaging', 0.6),
    ('packaging', 'trade', 0.3),
    ('textiles', 'trade', 0.6),
    ('industry', 'textiles', 0.5),
    ('textiles', 'tourism', 0.2),
    ('construction-materials', 'industry', 0.6),
    ('construction-materials', 'trade', 0.4),
    ('construction-materials', 'investment', 0.4),
    ('construction-materials', 'logistics', 0.3),
    ('construction-materials', 'energy', 0.3),
    ('energy', 'industry', 0.6),
    ('energy', 'investment', 0.5),
    ('energy', 'technology', 0.4),
    ('industry', 'investment', 0.5),
    ('investment', 'technology', 0.4),
    ('investment', 'tourism', 0.3),
    ('industry', 'technology', 0.4),
    ('industry', 'logistics', 0.3),
    ('logistics', 'trade', 0.6),
    ('logistics', 'tourism', 0.4),
    ('tourism', 'trade', 0.3),
]


def downgrade():
    with op.batch_alter_table('match_suggestion', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_match_suggestion_partner_id'))

    op.drop_table('match_suggestion')
    op.drop_table('match_state')
    op.drop_table('match_dismissal')
    op.drop_table('sector_affinity')
    op.drop_table('matching_settings')
