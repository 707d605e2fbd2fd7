"""oversight: reminder policies and templates, reminder runs, digests and notices (the notice key is UNIQUE: what
makes sending idempotent), consequence rules and the licence flags they raise; and the covering indexes the
dashboard counts need on other features' tables (licences by status and expiry, current prerequisite documents by
expiry, violations by remedy date, inspections by kind/status/date and by id).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 09:33:33.859010

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('consequence_rules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=60), nullable=False),
    sa.Column('document_kind', sa.String(length=30), nullable=False),
    sa.Column('categories_json', sa.Text(), nullable=False),
    sa.Column('action', sa.Enum('flag', 'suspend', name='ruleaction', native_enum=False, create_constraint=True, length=10), nullable=False),
    sa.Column('notify', sa.Boolean(), nullable=False),
    sa.Column('description_vi', sa.Text(), nullable=False),
    sa.Column('description_en', sa.Text(), nullable=False),
    sa.Column('legal_basis', sa.Text(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consequence_rules')),
    sa.UniqueConstraint('code', name=op.f('uq_consequence_rules_code'))
    )
    op.create_table('reminder_policies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('thresholds_json', sa.Text(), nullable=False),
    sa.Column('notify_operator', sa.Boolean(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reminder_policies')),
    sa.UniqueConstraint('kind', name=op.f('uq_reminder_policies_kind'))
    )
    op.create_table('reminder_templates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('lang', sa.String(length=5), nullable=False),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('greeting', sa.Text(), nullable=False),
    sa.Column('intro', sa.Text(), nullable=False),
    sa.Column('closing', sa.Text(), nullable=False),
    sa.Column('signature', sa.Text(), nullable=False),
    sa.Column('letter_title', sa.String(length=300), nullable=False),
    sa.Column('texts_json', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reminder_templates')),
    sa.UniqueConstraint('lang', name=op.f('uq_reminder_templates_lang'))
    )
    op.create_table('licence_flags',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('licence_id', sa.Integer(), nullable=False),
    sa.Column('rule_id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=True),
    sa.Column('document_kind', sa.String(length=30), nullable=False),
    sa.Column('lapsed_on', sa.Date(), nullable=False),
    sa.Column('raised_on', sa.Date(), nullable=False),
    sa.Column('cleared_on', sa.Date(), nullable=True),
    sa.Column('cleared_by_document_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.Enum('flag', 'suspend', name='ruleaction', native_enum=False, create_constraint=True, length=10), nullable=False),
    sa.Column('sanction_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['cleared_by_document_id'], ['prerequisite_documents.id'], name=op.f('fk_licence_flags_cleared_by_document_id_prerequisite_documents')),
    sa.ForeignKeyConstraint(['document_id'], ['prerequisite_documents.id'], name=op.f('fk_licence_flags_document_id_prerequisite_documents')),
    sa.ForeignKeyConstraint(['licence_id'], ['licences.id'], name=op.f('fk_licence_flags_licence_id_licences'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['rule_id'], ['consequence_rules.id'], name=op.f('fk_licence_flags_rule_id_consequence_rules')),
    sa.ForeignKeyConstraint(['sanction_id'], ['sanctions.id'], name=op.f('fk_licence_flags_sanction_id_sanctions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_licence_flags'))
    )
    with op.batch_alter_table('licence_flags', schema=None) as batch_op:
        batch_op.create_index('ix_licence_flags_licence', ['licence_id', 'id'], unique=False)
        batch_op.create_index('ix_licence_flags_open_lapsed', ['lapsed_on', 'id'], unique=False, sqlite_where=sa.text('cleared_on IS NULL'), postgresql_where=sa.text('cleared_on IS NULL'))
        batch_op.create_index('uq_licence_flags_open', ['licence_id', 'rule_id'], unique=True, sqlite_where=sa.text('cleared_on IS NULL'), postgresql_where=sa.text('cleared_on IS NULL'))

    op.create_table('reminder_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('running', 'finished', 'aborted', name='runstatus', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('horizon_days', sa.Integer(), nullable=False),
    sa.Column('run_on', sa.Date(), nullable=False),
    sa.Column('trigger', sa.String(length=20), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('heartbeat_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('started_by_id', sa.Integer(), nullable=True),
    sa.Column('actor_label', sa.String(length=80), nullable=True),
    sa.Column('digests_sent', sa.Integer(), nullable=False),
    sa.Column('notices_sent', sa.Integer(), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('letters_document_id', sa.Integer(), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['letters_document_id'], ['issued_documents.id'], name=op.f('fk_reminder_runs_letters_document_id_issued_documents')),
    sa.ForeignKeyConstraint(['started_by_id'], ['users.id'], name=op.f('fk_reminder_runs_started_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reminder_runs'))
    )
    with op.batch_alter_table('reminder_runs', schema=None) as batch_op:
        batch_op.create_index('ix_reminder_runs_started', ['started_at', 'id'], unique=False)

    op.create_table('reminder_digests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('operator_id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.Enum('email', 'letter', name='deliverychannel', native_enum=False, create_constraint=True, length=10), nullable=False),
    sa.Column('recipient', sa.String(length=254), nullable=True),
    sa.Column('lang', sa.String(length=5), nullable=False),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('status', sa.Enum('claimed', 'sent', 'failed', name='noticestatus', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('message_id', sa.String(length=200), nullable=True),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('item_count', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['operator_id'], ['operators.id'], name=op.f('fk_reminder_digests_operator_id_operators')),
    sa.ForeignKeyConstraint(['run_id'], ['reminder_runs.id'], name=op.f('fk_reminder_digests_run_id_reminder_runs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reminder_digests'))
    )
    with op.batch_alter_table('reminder_digests', schema=None) as batch_op:
        batch_op.create_index('ix_reminder_digests_operator', ['operator_id', 'id'], unique=False)
        batch_op.create_index('ix_reminder_digests_run', ['run_id', 'id'], unique=False)

    op.create_table('reminder_notices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_kind', sa.String(length=40), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('threshold', sa.Integer(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('operator_id', sa.Integer(), nullable=False),
    sa.Column('venue_id', sa.Integer(), nullable=True),
    sa.Column('label', sa.String(length=300), nullable=False),
    sa.Column('status', sa.Enum('claimed', 'sent', 'failed', name='noticestatus', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('channel', sa.Enum('email', 'letter', name='deliverychannel', native_enum=False, create_constraint=True, length=10), nullable=True),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('digest_id', sa.Integer(), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['digest_id'], ['reminder_digests.id'], name=op.f('fk_reminder_notices_digest_id_reminder_digests')),
    sa.ForeignKeyConstraint(['operator_id'], ['operators.id'], name=op.f('fk_reminder_notices_operator_id_operators')),
    sa.ForeignKeyConstraint(['run_id'], ['reminder_runs.id'], name=op.f('fk_reminder_notices_run_id_reminder_runs')),
    sa.ForeignKeyConstraint(['venue_id'], ['venues.id'], name=op.f('fk_reminder_notices_venue_id_venues')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reminder_notices')),
    sa.UniqueConstraint('item_kind', 'item_id', 'threshold', 'due_on', name='uq_reminder_notices_key')
    )
    with op.batch_alter_table('reminder_notices', schema=None) as batch_op:
        batch_op.create_index('ix_reminder_notices_digest', ['digest_id'], unique=False)
        batch_op.create_index('ix_reminder_notices_operator', ['operator_id', 'id'], unique=False)
        batch_op.create_index('ix_reminder_notices_status', ['status', 'id'], unique=False)

    with op.batch_alter_table('inspections', schema=None) as batch_op:
        batch_op.create_index('ix_inspections_id_status', ['id', 'status', 'venue_id'], unique=False)
        batch_op.create_index('ix_inspections_kind_status_scheduled', ['kind', 'status', 'scheduled_on', 'id', 'venue_id'], unique=False)

    with op.batch_alter_table('licences', schema=None) as batch_op:
        batch_op.create_index('ix_licences_status_expires_cover', ['status', 'expires_on', 'venue_id', 'licence_type_id', 'id'], unique=False)

    with op.batch_alter_table('prerequisite_documents', schema=None) as batch_op:
        batch_op.create_index('ix_prerequisite_documents_current_expires', ['expires_on', 'id', 'venue_id', 'revoked', 'superseded_by_id'], unique=False, sqlite_where=sa.text('superseded_by_id IS NULL'), postgresql_where=sa.text('superseded_by_id IS NULL'))

    with op.batch_alter_table('violations', schema=None) as batch_op:
        batch_op.create_index('ix_violations_remedy_cover', ['remedy_due_on', 'id', 'item_id', 'inspection_id'], unique=False)



def downgrade():
    with op.batch_alter_table('violations', schema=None) as batch_op:
        batch_op.drop_index('ix_violations_remedy_cover')

    with op.batch_alter_table('prerequisite_documents', schema=None) as batch_op:
        batch_op.drop_index('ix_prerequisite_documents_current_expires', sqlite_where=sa.text('superseded_by_id IS NULL'), postgresql_where=sa.text('superseded_by_id IS NULL'))

    with op.batch_alter_table('licences', schema=None) as batch_op:
        batch_op.drop_index('ix_licences_status_expires_cover')

    with op.batch_alter_table('inspections', schema=None) as batch_op:
        batch_op.drop_index('ix_inspections_kind_status_scheduled')
        batch_op.drop_index('ix_inspections_id_status')

    with op.batch_alter_table('reminder_notices', schema=None) as batch_op:
        batch_op.drop_index('ix_reminder_notices_status')
        batch_op.drop_index('ix_reminder_notices_operator')
        batch_op.drop_index('ix_reminder_notices_digest')

    op.drop_table('reminder_notices')
    with op.batch_alter_table('reminder_digests', schema=None) as batch_op:
        batch_op.drop_index('ix_reminder_digests_run')
        batch_op.drop_index('ix_reminder_digests_operator')

    op.drop_table('reminder_digests')
    with op.batch_alter_table('reminder_runs', schema=None) as batch_op:
        batch_op.drop_index('ix_reminder_runs_started')

    op.drop_table('reminder_runs')
    with op.batch_alter_table('licence_flags', schema=None) as batch_op:
        batch_op.drop_index('uq_licence_flags_open', sqlite_where=sa.text('cleared_on IS NULL'), postgresql_where=sa.text('cleared_on IS NULL'))
        batch_op.drop_index('ix_licence_flags_open_lapsed', sqlite_where=sa.text('cleared_on IS NULL'), postgresql_where=sa.text('cleared_on IS NULL'))
        batch_op.drop_index('ix_licence_flags_licence')

    op.drop_table('licence_flags')
    op.drop_table('reminder_templates')
    op.drop_table('reminder_policies')
    op.drop_table('consequence_rules')
