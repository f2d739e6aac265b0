"""waiting-list numbers given under the event's lock; what the last import said of each tenant

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07 23:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None

# Those already waiting keep the order they had: by the time they joined, then tenant id.
NUMBER_THE_WAITING = """
UPDATE event_rsvps SET waiting_number = (
    SELECT count(*) FROM event_rsvps AS ahead
    WHERE ahead.event_id = event_rsvps.event_id
      AND ahead.answer = 'waiting'
      AND (ahead.waiting_since < event_rsvps.waiting_since
           OR (ahead.waiting_since = event_rsvps.waiting_since
               AND ahead.tenant_id <= event_rsvps.tenant_id))
)
WHERE answer = 'waiting'
"""


def upgrade() -> None:
    with op.batch_alter_table('event_rsvps', schema=None) as batch_op:
        batch_op.add_column(sa.Column('waiting_number', sa.Integer(), nullable=True))
    op.execute(NUMBER_THE_WAITING)
    # The default is a plain string, not an expression, so SQLite adds the column in place:
    # copying the tenants table would drop the old one, and with foreign keys on that
    # deletes every row that cascades from a tenant.
    with op.batch_alter_table('tenants', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('last_imported', sa.JSON(), nullable=False, server_default='{}')
        )


def downgrade() -> None:
    with op.batch_alter_table('tenants', schema=None) as batch_op:
        batch_op.drop_column('last_imported')
    with op.batch_alter_table('event_rsvps', schema=None) as batch_op:
        batch_op.drop_column('waiting_number')
