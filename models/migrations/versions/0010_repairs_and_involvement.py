"""repair surveys and involvement requests

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-23 23:40:00
"""
from alembic import op
import sqlalchemy as sa
import models.base


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('repairs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=True),
    sa.Column('job_reference', sa.String(length=40), nullable=False),
    sa.Column('job_type', sa.String(length=30), nullable=False),
    sa.Column('completed_at', models.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('registered_at', models.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('survey_sent_at', models.base.UtcDateTime(timezone=True), nullable=True),
    sa.Column('channel', sa.String(length=16), nullable=True),
    sa.Column('satisfaction', sa.Integer(), nullable=True),
    sa.Column('right_first_time', sa.Boolean(), nullable=True),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('answered_at', models.base.UtcDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_repairs_tenant_id_tenants'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_repairs')),
    sa.UniqueConstraint('job_reference', name=op.f('uq_repairs_job_reference'))
    )
    with op.batch_alter_table('repairs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_repairs_job_type'), ['job_type'], unique=False)
        batch_op.create_index(batch_op.f('ix_repairs_month'), ['month'], unique=False)
        batch_op.create_index(batch_op.f('ix_repairs_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('repair_outcomes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('job_type', sa.String(length=30), nullable=False),
    sa.Column('first_month', sa.String(length=7), nullable=False),
    sa.Column('last_month', sa.String(length=7), nullable=False),
    sa.Column('outcome', sa.Text(), nullable=False),
    sa.Column('created_at', models.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('published_at', models.base.UtcDateTime(timezone=True), nullable=True),
    sa.Column('told', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_repair_outcomes'))
    )

    op.create_table('involvement_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=40), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('requested_at', models.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('decided_at', models.base.UtcDateTime(timezone=True), nullable=True),
    sa.Column('decided_by_staff_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['decided_by_staff_id'], ['staff_users.id'], name=op.f('fk_involvement_requests_decided_by_staff_id_staff_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_involvement_requests_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_involvement_requests'))
    )
    with op.batch_alter_table('involvement_requests', schema=None) as batch_op:
        batch_op.create_index('ix_involvement_requests_status', ['status', 'requested_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_involvement_requests_tenant_id'), ['tenant_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('involvement_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_involvement_requests_tenant_id'))
        batch_op.drop_index('ix_involvement_requests_status')
    op.drop_table('involvement_requests')
    op.drop_table('repair_outcomes')
    with op.batch_alter_table('repairs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_repairs_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_repairs_month'))
        batch_op.drop_index(batch_op.f('ix_repairs_job_type'))
    op.drop_table('repairs')
