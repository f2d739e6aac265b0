"""events and rsvps

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23 23:40:00
"""
from alembic import op
import sqlalchemy as sa
import models.base


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=60), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('audience_json', sa.JSON(), nullable=False),
    sa.Column('starts_at', models.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('ends_at', models.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('venue', sa.String(length=80), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=True),
    sa.Column('rsvp_by', models.base.UtcDateTime(timezone=True), nullable=True),
    sa.Column('most_per_party', sa.Integer(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('series_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('invited_at', models.base.UtcDateTime(timezone=True), nullable=True),
    sa.Column('cancelled_at', models.base.UtcDateTime(timezone=True), nullable=True),
    sa.Column('created_by_staff_id', sa.Integer(), nullable=True),
    sa.Column('created_at', models.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', models.base.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_staff_id'], ['staff_users.id'], name=op.f('fk_events_created_by_staff_id_staff_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_events'))
    )
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_events_series_id'), ['series_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_events_starts_at'), ['starts_at'], unique=False)

    op.create_table('event_recipients',
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('told_at', models.base.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_event_recipients_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_event_recipients_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('event_id', 'tenant_id', name=op.f('pk_event_recipients'))
    )
    with op.batch_alter_table('event_recipients', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_event_recipients_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('event_rsvps',
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('answer', sa.String(length=8), nullable=False),
    sa.Column('party', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('answered_at', models.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('waiting_since', models.base.UtcDateTime(timezone=True), nullable=True),
    sa.Column('attended', sa.Boolean(), nullable=True),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_event_rsvps_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_event_rsvps_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('event_id', 'tenant_id', name=op.f('pk_event_rsvps'))
    )
    with op.batch_alter_table('event_rsvps', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_event_rsvps_tenant_id'), ['tenant_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('event_rsvps', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_event_rsvps_tenant_id'))

    op.drop_table('event_rsvps')
    with op.batch_alter_table('event_recipients', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_event_recipients_tenant_id'))

    op.drop_table('event_recipients')
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_events_starts_at'))
        batch_op.drop_index(batch_op.f('ix_events_series_id'))

    op.drop_table('events')
