"""inbox and danger: who opened an inbox item and when; urgent messages and reports

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-08 10:00:00
"""
from alembic import op
import sqlalchemy as sa
import models.base


revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('inbound_messages', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('urgent', sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column('opened_by_staff_id', sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column('opened_at', models.base.UtcDateTime(timezone=True), nullable=True)
        )
        batch_op.create_foreign_key(
            batch_op.f('fk_inbound_messages_opened_by_staff_id_staff_users'),
            'staff_users',
            ['opened_by_staff_id'],
            ['id'],
            ondelete='SET NULL',
        )
    with op.batch_alter_table('issue_reports', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('urgent', sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table('issue_reports', schema=None) as batch_op:
        batch_op.drop_column('urgent')
    with op.batch_alter_table('inbound_messages', schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f('fk_inbound_messages_opened_by_staff_id_staff_users'), type_='foreignkey'
        )
        batch_op.drop_column('opened_at')
        batch_op.drop_column('opened_by_staff_id')
        batch_op.drop_column('urgent')
