"""mystery shopping: monthly check-ins and staff alerts

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 18:32:00.710527
"""
from alembic import op
import sqlalchemy as sa
import models.base


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'mystery_shop_check_ins',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('tenant_id', sa.Integer(), nullable=True),
        sa.Column('month', sa.String(length=7), nullable=False),
        sa.Column('channel', sa.String(length=16), nullable=True),
        sa.Column('invited_at', models.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column('started_at', models.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column('finished_at', models.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column('service', sa.String(length=20), nullable=True),
        sa.Column('when_used', sa.String(length=20), nullable=True),
        sa.Column('ease', sa.Integer(), nullable=True),
        sa.Column('respect', sa.Integer(), nullable=True),
        sa.Column('sorted_out', sa.String(length=8), nullable=True),
        sa.Column('what_happened', sa.Text(), nullable=True),
        sa.Column('improve', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ['tenant_id'], ['tenants.id'],
            name=op.f('fk_mystery_shop_check_ins_tenant_id_tenants'), ondelete='SET NULL',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_mystery_shop_check_ins')),
        sa.UniqueConstraint(
            'tenant_id', 'month', name=op.f('uq_mystery_shop_check_ins_tenant_id_month')
        ),
    )
    with op.batch_alter_table('mystery_shop_check_ins', schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f('ix_mystery_shop_check_ins_month'), ['month'], unique=False
        )

    op.create_table(
        'staff_alerts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('created_at', models.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column('summary', sa.Text(), nullable=False),
        sa.Column('check_in_id', sa.Integer(), nullable=True),
        sa.Column('resolved', sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column('resolved_at', models.base.UtcDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ['check_in_id'], ['mystery_shop_check_ins.id'],
            name=op.f('fk_staff_alerts_check_in_id_mystery_shop_check_ins'), ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_alerts')),
    )
    with op.batch_alter_table('staff_alerts', schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f('ix_staff_alerts_check_in_id'), ['check_in_id'], unique=False
        )
        batch_op.create_index('ix_staff_alerts_open', ['resolved', 'created_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('staff_alerts', schema=None) as batch_op:
        batch_op.drop_index('ix_staff_alerts_open')
        batch_op.drop_index(batch_op.f('ix_staff_alerts_check_in_id'))
    op.drop_table('staff_alerts')

    with op.batch_alter_table('mystery_shop_check_ins', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mystery_shop_check_ins_month'))
    op.drop_table('mystery_shop_check_ins')
