"""remedy_pending on violations: the remedies still awaited (the visit is closed and no follow-up has found the item
resolved) kept on the row, with a partial index by remedy date, so the dashboard counts and pages them from one
index instead of checking each violation's checklist item and visit. Existing rows are backfilled.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25 12:10:00

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('violations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('remedy_pending', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.execute(
        "UPDATE violations SET remedy_pending = TRUE"
        " WHERE remedy_due_on IS NOT NULL"
        " AND EXISTS (SELECT 1 FROM inspection_items i WHERE i.id = violations.item_id AND i.resolved_in_id IS NULL)"
        " AND EXISTS (SELECT 1 FROM inspections v WHERE v.id = violations.inspection_id AND v.status = 'completed')")
    with op.batch_alter_table('violations', schema=None) as batch_op:
        batch_op.create_index('ix_violations_remedy_pending', ['remedy_due_on', 'id', 'inspection_id', 'remedy_pending'], unique=False,
                              sqlite_where=sa.text('remedy_pending = 1'), postgresql_where=sa.text('remedy_pending'))


def downgrade():
    with op.batch_alter_table('violations', schema=None) as batch_op:
        batch_op.drop_index('ix_violations_remedy_pending', sqlite_where=sa.text('remedy_pending = 1'),
                            postgresql_where=sa.text('remedy_pending'))
        batch_op.drop_column('remedy_pending')
