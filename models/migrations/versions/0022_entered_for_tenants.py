"""event RSVPs, estate reports and mystery-shop check-ins staff entered for a tenant

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-08 00:40:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None

TABLES = {
    'event_rsvps': 'fk_event_rsvps_entered_by_staff_id_staff_users',
    'issue_reports': 'fk_issue_reports_entered_by_staff_id_staff_users',
    'mystery_shop_check_ins': 'fk_mystery_shop_check_ins_entered_by_staff_id_staff_users',
}


def upgrade() -> None:
    for table, key in TABLES.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('entered_by_staff_id', sa.Integer(), nullable=True))
            batch_op.create_foreign_key(
                batch_op.f(key), 'staff_users', ['entered_by_staff_id'], ['id'], ondelete='SET NULL'
            )


def downgrade() -> None:
    for table, key in TABLES.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(key), type_='foreignkey')
            batch_op.drop_column('entered_by_staff_id')
