"""inspections

Visits, their team, checklist, photos, violations, attempts and amendments; complaints; the checklist
definitions, violation catalogue and settings loaded from the preset.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 09:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('checklist_definitions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=60), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('section', sa.String(length=30), nullable=False),
    sa.Column('venue_kinds_json', sa.Text(), nullable=False),
    sa.Column('inspection_kinds_json', sa.Text(), nullable=False),
    sa.Column('generator', sa.String(length=40), nullable=False),
    sa.Column('label_vi', sa.Text(), nullable=False),
    sa.Column('label_en', sa.Text(), nullable=False),
    sa.Column('legal_ref', sa.String(length=200), nullable=True),
    sa.Column('violation_codes_json', sa.Text(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_checklist_definitions')),
    sa.UniqueConstraint('code', name=op.f('uq_checklist_definitions_code'))
    )
    with op.batch_alter_table('checklist_definitions', schema=None) as batch_op:
        batch_op.create_index('ix_checklist_definitions_active_position', ['active', 'position', 'id'], unique=False)

    op.create_table('inspection_settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=60), nullable=False),
    sa.Column('value_json', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inspection_settings')),
    sa.UniqueConstraint('key', name=op.f('uq_inspection_settings_key'))
    )
    op.create_table('violation_types',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=60), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('domain', sa.String(length=20), nullable=False),
    sa.Column('decree', sa.String(length=60), nullable=False),
    sa.Column('article', sa.String(length=10), nullable=True),
    sa.Column('clause', sa.String(length=10), nullable=True),
    sa.Column('point', sa.String(length=10), nullable=True),
    sa.Column('description_vi', sa.Text(), nullable=False),
    sa.Column('description_en', sa.Text(), nullable=False),
    sa.Column('fine_min', sa.Integer(), nullable=True),
    sa.Column('fine_max', sa.Integer(), nullable=True),
    sa.Column('organisation_multiplier', sa.Integer(), nullable=False),
    sa.Column('warning_allowed', sa.Boolean(), nullable=False),
    sa.Column('remedy_vi', sa.Text(), nullable=False),
    sa.Column('remedy_en', sa.Text(), nullable=False),
    sa.Column('operating_duty', sa.Boolean(), nullable=False),
    sa.Column('venue_kinds_json', sa.Text(), nullable=False),
    sa.Column('amount_verified', sa.Boolean(), nullable=False),
    sa.Column('reference_verified', sa.Boolean(), nullable=False),
    sa.Column('source', sa.String(length=300), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.CheckConstraint('fine_max IS NULL OR fine_min IS NULL OR fine_max >= fine_min', name=op.f('ck_violation_types_fine_range')),
    sa.CheckConstraint('fine_min IS NULL OR fine_min >= 0', name=op.f('ck_violation_types_fine_min_nonnegative')),
    sa.CheckConstraint('organisation_multiplier >= 1', name=op.f('ck_violation_types_multiplier_positive')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_violation_types')),
    sa.UniqueConstraint('code', name=op.f('uq_violation_types_code'))
    )
    with op.batch_alter_table('violation_types', schema=None) as batch_op:
        batch_op.create_index('ix_violation_types_active_position', ['active', 'position', 'id'], unique=False)

    op.create_table('complaints',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('venue_id', sa.Integer(), nullable=False),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('source', sa.Enum('public', 'agency', 'police_report', 'fire_report', 'media', 'other_source', name='complaintsource', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('complainant', sa.String(length=200), nullable=True),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('status', sa.Enum('open', 'visit_planned', 'handled', name='complaintstatus', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('closed_note', sa.Text(), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_complaints_recorded_by_id_users')),
    sa.ForeignKeyConstraint(['venue_id'], ['venues.id'], name=op.f('fk_complaints_venue_id_venues')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_complaints'))
    )
    with op.batch_alter_table('complaints', schema=None) as batch_op:
        batch_op.create_index('ix_complaints_status_received', ['status', 'received_on', 'id'], unique=False)
        batch_op.create_index('ix_complaints_venue_received', ['venue_id', 'received_on'], unique=False)

    op.create_table('inspections',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('appraisal_visit', 'periodic', 'unannounced', 'interagency', 'complaint', 'follow_up', name='inspectionkind', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('status', sa.Enum('planned', 'in_progress', 'completed', 'cancelled', name='inspectionstatus', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('venue_id', sa.Integer(), nullable=False),
    sa.Column('operator_id', sa.Integer(), nullable=False),
    sa.Column('licence_id', sa.Integer(), nullable=True),
    sa.Column('application_id', sa.Integer(), nullable=True),
    sa.Column('complaint_id', sa.Integer(), nullable=True),
    sa.Column('original_id', sa.Integer(), nullable=True),
    sa.Column('scheduled_on', sa.Date(), nullable=False),
    sa.Column('window_from', sa.Time(), nullable=True),
    sa.Column('window_to', sa.Time(), nullable=True),
    sa.Column('lead_id', sa.Integer(), nullable=False),
    sa.Column('planned_by_id', sa.Integer(), nullable=True),
    sa.Column('decision_number', sa.String(length=80), nullable=True),
    sa.Column('purpose', sa.Text(), nullable=True),
    sa.Column('plan_override_reason', sa.Text(), nullable=True),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('start_latitude', sa.Numeric(precision=9, scale=6), nullable=True),
    sa.Column('start_longitude', sa.Numeric(precision=9, scale=6), nullable=True),
    sa.Column('start_accuracy_m', sa.Integer(), nullable=True),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('outcome', sa.Enum('compliant', 'violations', name='inspectionoutcome', native_enum=False, create_constraint=True, length=20), nullable=True),
    sa.Column('customers_count', sa.Integer(), nullable=True),
    sa.Column('staff_count', sa.Integer(), nullable=True),
    sa.Column('representative_name', sa.String(length=200), nullable=True),
    sa.Column('representative_role', sa.String(length=120), nullable=True),
    sa.Column('operator_statement', sa.Text(), nullable=True),
    sa.Column('witness_statement', sa.Text(), nullable=True),
    sa.Column('remarks', sa.Text(), nullable=True),
    sa.Column('refused_to_sign', sa.Boolean(), nullable=False),
    sa.Column('refusal_reason', sa.Text(), nullable=True),
    sa.Column('minutes_number', sa.String(length=60), nullable=True),
    sa.Column('minutes_document_id', sa.Integer(), nullable=True),
    sa.Column('cancelled_reason', sa.Text(), nullable=True),
    sa.Column('draft_saved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.CheckConstraint("status <> 'completed' OR (ended_at IS NOT NULL AND outcome IS NOT NULL AND started_at IS NOT NULL)", name=op.f('ck_inspections_completed_has_result')),
    sa.CheckConstraint('customers_count IS NULL OR customers_count >= 0', name=op.f('ck_inspections_customers_nonnegative')),
    sa.CheckConstraint('staff_count IS NULL OR staff_count >= 0', name=op.f('ck_inspections_staff_nonnegative')),
    sa.CheckConstraint('start_latitude IS NULL OR (start_latitude BETWEEN -90 AND 90)', name=op.f('ck_inspections_latitude_range')),
    sa.CheckConstraint('start_longitude IS NULL OR (start_longitude BETWEEN -180 AND 180)', name=op.f('ck_inspections_longitude_range')),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_inspections_application_id_applications')),
    sa.ForeignKeyConstraint(['complaint_id'], ['complaints.id'], name=op.f('fk_inspections_complaint_id_complaints')),
    sa.ForeignKeyConstraint(['lead_id'], ['users.id'], name=op.f('fk_inspections_lead_id_users')),
    sa.ForeignKeyConstraint(['licence_id'], ['licences.id'], name=op.f('fk_inspections_licence_id_licences')),
    sa.ForeignKeyConstraint(['minutes_document_id'], ['issued_documents.id'], name=op.f('fk_inspections_minutes_document_id_issued_documents')),
    sa.ForeignKeyConstraint(['operator_id'], ['operators.id'], name=op.f('fk_inspections_operator_id_operators')),
    sa.ForeignKeyConstraint(['original_id'], ['inspections.id'], name=op.f('fk_inspections_original_id_inspections')),
    sa.ForeignKeyConstraint(['planned_by_id'], ['users.id'], name=op.f('fk_inspections_planned_by_id_users')),
    sa.ForeignKeyConstraint(['venue_id'], ['venues.id'], name=op.f('fk_inspections_venue_id_venues')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inspections'))
    )
    with op.batch_alter_table('inspections', schema=None) as batch_op:
        batch_op.create_index('ix_inspections_lead_status', ['lead_id', 'status', 'scheduled_on'], unique=False)
        batch_op.create_index('ix_inspections_licence', ['licence_id'], unique=False)
        batch_op.create_index('ix_inspections_operator_kind', ['operator_id', 'kind', 'scheduled_on'], unique=False)
        batch_op.create_index('ix_inspections_original', ['original_id'], unique=False)
        batch_op.create_index('ix_inspections_status_scheduled', ['status', 'scheduled_on', 'id'], unique=False)
        batch_op.create_index('ix_inspections_venue', ['venue_id', 'scheduled_on'], unique=False)

    op.create_table('inspection_amendments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('inspection_id', sa.Integer(), nullable=False),
    sa.Column('amended_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('by_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('changes_json', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['by_id'], ['users.id'], name=op.f('fk_inspection_amendments_by_id_users')),
    sa.ForeignKeyConstraint(['inspection_id'], ['inspections.id'], name=op.f('fk_inspection_amendments_inspection_id_inspections'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inspection_amendments'))
    )
    with op.batch_alter_table('inspection_amendments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inspection_amendments_inspection_id'), ['inspection_id'], unique=False)

    op.create_table('inspection_attempts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('inspection_id', sa.Integer(), nullable=False),
    sa.Column('attempted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reason', sa.Enum('no_access', 'venue_closed', name='attemptreason', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('previous_date', sa.Date(), nullable=False),
    sa.Column('rescheduled_to', sa.Date(), nullable=False),
    sa.Column('by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['by_id'], ['users.id'], name=op.f('fk_inspection_attempts_by_id_users')),
    sa.ForeignKeyConstraint(['inspection_id'], ['inspections.id'], name=op.f('fk_inspection_attempts_inspection_id_inspections'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inspection_attempts'))
    )
    with op.batch_alter_table('inspection_attempts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inspection_attempts_inspection_id'), ['inspection_id'], unique=False)

    op.create_table('inspection_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('inspection_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=100), nullable=False),
    sa.Column('section', sa.String(length=30), nullable=False),
    sa.Column('label_vi', sa.Text(), nullable=False),
    sa.Column('label_en', sa.Text(), nullable=False),
    sa.Column('expected_vi', sa.Text(), nullable=True),
    sa.Column('expected_en', sa.Text(), nullable=True),
    sa.Column('legal_ref', sa.String(length=200), nullable=True),
    sa.Column('violation_code', sa.String(length=60), nullable=True),
    sa.Column('result', sa.Enum('pass', 'fail', 'na', name='itemresult', native_enum=False, create_constraint=True, length=10), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('origin_item_id', sa.Integer(), nullable=True),
    sa.Column('resolved_in_id', sa.Integer(), nullable=True),
    sa.Column('resolved_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['inspection_id'], ['inspections.id'], name=op.f('fk_inspection_items_inspection_id_inspections'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['origin_item_id'], ['inspection_items.id'], name=op.f('fk_inspection_items_origin_item_id_inspection_items')),
    sa.ForeignKeyConstraint(['resolved_in_id'], ['inspections.id'], name=op.f('fk_inspection_items_resolved_in_id_inspections')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inspection_items')),
    sa.UniqueConstraint('inspection_id', 'code', name='uq_inspection_items_code')
    )
    with op.batch_alter_table('inspection_items', schema=None) as batch_op:
        batch_op.create_index('ix_inspection_items_origin', ['origin_item_id'], unique=False)

    op.create_table('inspection_members',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('inspection_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('full_name', sa.String(length=200), nullable=False),
    sa.Column('agency', sa.Enum('culture', 'police', 'fire', 'construction', 'other_agency', name='agency', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('position', sa.String(length=120), nullable=True),
    sa.ForeignKeyConstraint(['inspection_id'], ['inspections.id'], name=op.f('fk_inspection_members_inspection_id_inspections'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_inspection_members_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inspection_members'))
    )
    with op.batch_alter_table('inspection_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inspection_members_inspection_id'), ['inspection_id'], unique=False)
        batch_op.create_index('ix_inspection_members_user', ['user_id', 'inspection_id'], unique=False)

    op.create_table('inspection_photos',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('inspection_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=True),
    sa.Column('stored_name', sa.String(length=80), nullable=False),
    sa.Column('content_type', sa.String(length=30), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('kept_location', sa.Boolean(), nullable=False),
    sa.Column('latitude', sa.Numeric(precision=9, scale=6), nullable=True),
    sa.Column('longitude', sa.Numeric(precision=9, scale=6), nullable=True),
    sa.Column('caption', sa.String(length=300), nullable=True),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['inspection_id'], ['inspections.id'], name=op.f('fk_inspection_photos_inspection_id_inspections'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['item_id'], ['inspection_items.id'], name=op.f('fk_inspection_photos_item_id_inspection_items')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_inspection_photos_uploaded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inspection_photos')),
    sa.UniqueConstraint('stored_name', name=op.f('uq_inspection_photos_stored_name'))
    )
    with op.batch_alter_table('inspection_photos', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inspection_photos_inspection_id'), ['inspection_id'], unique=False)

    op.create_table('violations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('inspection_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('violation_type_id', sa.Integer(), nullable=True),
    sa.Column('licence_id', sa.Integer(), nullable=True),
    sa.Column('code', sa.String(length=60), nullable=False),
    sa.Column('decree', sa.String(length=60), nullable=False),
    sa.Column('article', sa.String(length=10), nullable=True),
    sa.Column('clause', sa.String(length=10), nullable=True),
    sa.Column('point', sa.String(length=10), nullable=True),
    sa.Column('description_vi', sa.Text(), nullable=False),
    sa.Column('description_en', sa.Text(), nullable=False),
    sa.Column('operating_duty', sa.Boolean(), nullable=False),
    sa.Column('subject', sa.Enum('individual', 'organisation', name='subjectkind', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('fine_min', sa.Integer(), nullable=True),
    sa.Column('fine_max', sa.Integer(), nullable=True),
    sa.Column('amount', sa.Integer(), nullable=False),
    sa.Column('warning', sa.Boolean(), nullable=False),
    sa.Column('remedy', sa.Text(), nullable=True),
    sa.Column('remedy_due_on', sa.Date(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('amount >= 0', name=op.f('ck_violations_amount_nonnegative')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_violations_created_by_id_users')),
    sa.ForeignKeyConstraint(['inspection_id'], ['inspections.id'], name=op.f('fk_violations_inspection_id_inspections'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['item_id'], ['inspection_items.id'], name=op.f('fk_violations_item_id_inspection_items')),
    sa.ForeignKeyConstraint(['licence_id'], ['licences.id'], name=op.f('fk_violations_licence_id_licences')),
    sa.ForeignKeyConstraint(['violation_type_id'], ['violation_types.id'], name=op.f('fk_violations_violation_type_id_violation_types')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_violations'))
    )
    with op.batch_alter_table('violations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_violations_inspection_id'), ['inspection_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_violations_item_id'), ['item_id'], unique=False)
        batch_op.create_index('ix_violations_licence_duty', ['licence_id', 'operating_duty', 'inspection_id'], unique=False)
        batch_op.create_index('ix_violations_remedy_due', ['remedy_due_on', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('violations', schema=None) as batch_op:
        batch_op.drop_index('ix_violations_remedy_due')
        batch_op.drop_index('ix_violations_licence_duty')
        batch_op.drop_index(batch_op.f('ix_violations_item_id'))
        batch_op.drop_index(batch_op.f('ix_violations_inspection_id'))

    op.drop_table('violations')
    with op.batch_alter_table('inspection_photos', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inspection_photos_inspection_id'))

    op.drop_table('inspection_photos')
    with op.batch_alter_table('inspection_members', schema=None) as batch_op:
        batch_op.drop_index('ix_inspection_members_user')
        batch_op.drop_index(batch_op.f('ix_inspection_members_inspection_id'))

    op.drop_table('inspection_members')
    with op.batch_alter_table('inspection_items', schema=None) as batch_op:
        batch_op.drop_index('ix_inspection_items_origin')

    op.drop_table('inspection_items')
    with op.batch_alter_table('inspection_attempts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inspection_attempts_inspection_id'))

    op.drop_table('inspection_attempts')
    with op.batch_alter_table('inspection_amendments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inspection_amendments_inspection_id'))

    op.drop_table('inspection_amendments')
    with op.batch_alter_table('inspections', schema=None) as batch_op:
        batch_op.drop_index('ix_inspections_venue')
        batch_op.drop_index('ix_inspections_status_scheduled')
        batch_op.drop_index('ix_inspections_original')
        batch_op.drop_index('ix_inspections_operator_kind')
        batch_op.drop_index('ix_inspections_licence')
        batch_op.drop_index('ix_inspections_lead_status')

    op.drop_table('inspections')
    with op.batch_alter_table('complaints', schema=None) as batch_op:
        batch_op.drop_index('ix_complaints_venue_received')
        batch_op.drop_index('ix_complaints_status_received')

    op.drop_table('complaints')
    with op.batch_alter_table('violation_types', schema=None) as batch_op:
        batch_op.drop_index('ix_violation_types_active_position')

    op.drop_table('violation_types')
    op.drop_table('inspection_settings')
    with op.batch_alter_table('checklist_definitions', schema=None) as batch_op:
        batch_op.drop_index('ix_checklist_definitions_active_position')

    op.drop_table('checklist_definitions')

