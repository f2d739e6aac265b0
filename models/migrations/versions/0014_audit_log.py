"""audit log: an append-only record of staff actions

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 20:30:00
"""
from alembic import op
import sqlalchemy as sa
import models.base
from models.audit import APPEND_ONLY_TRIGGERS, DROP_APPEND_ONLY_TRIGGERS


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'audit_log',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('at', models.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column('staff_id', sa.Integer(), nullable=True),
        sa.Column('action', sa.String(length=40), nullable=False),
        sa.Column('via', sa.String(length=10), nullable=False),
        sa.Column('tenant_id', sa.Integer(), nullable=True),
        sa.Column('detail', sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(['staff_id'], ['staff_users.id'], name=op.f('fk_audit_log_staff_id_staff_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log')),
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index('ix_audit_log_at', ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_log_action'), ['action'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_log_staff_id'), ['staff_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_log_tenant_id'), ['tenant_id'], unique=False)
    for statement in APPEND_ONLY_TRIGGERS[op.get_bind().dialect.name]:
        op.execute(statement)


def downgrade() -> None:
    for statement in DROP_APPEND_ONLY_TRIGGERS[op.get_bind().dialect.name]:
        op.execute(statement)
    op.drop_table('audit_log')
