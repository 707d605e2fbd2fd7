"""licence_public_pages: the public facts of a licence (venue, rooms, sports, hours) rendered once per language from
its frozen snapshot, so that a verification scan renders only the live status around them. Starts empty: pages are
written at issue, and a licence issued before this revision gets its page on its first scan.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-25 15:30:00

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'licence_public_pages',
        sa.Column('licence_id', sa.Integer(), nullable=False),
        sa.Column('lang', sa.String(length=8), nullable=False),
        sa.Column('template_key', sa.String(length=40), nullable=False),
        sa.Column('html', sa.Text(), nullable=False),
        sa.Column('rendered_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['licence_id'], ['licences.id'], name=op.f('fk_licence_public_pages_licence_id_licences'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('licence_id', 'lang', name=op.f('pk_licence_public_pages')),
    )


def downgrade():
    op.drop_table('licence_public_pages')
