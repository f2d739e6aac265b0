"""phone calls: notices to landlines by call, voice notes, landlines' voice identities

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-24 03:00:00
"""
from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa
import models.base


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('broadcasts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('call_landlines', sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table('inspections', schema=None) as batch_op:
        batch_op.add_column(sa.Column('call_landlines', sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('call_landlines', sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table('issue_reports', schema=None) as batch_op:
        batch_op.add_column(sa.Column('voice_note', sa.String(length=300), nullable=True))
    # A landline-only tenant can now be phoned: give each its voice identity.
    tenants = sa.table(
        'tenants',
        sa.column('id', sa.Integer()),
        sa.column('phone', sa.String()),
        sa.column('landline_only', sa.Boolean()),
    )
    identities = sa.table(
        'identities',
        sa.column('tenant_id', sa.Integer()),
        sa.column('channel', sa.String()),
        sa.column('address', sa.String()),
        sa.column('reachable', sa.Boolean()),
        sa.column('created_at', models.base.UtcDateTime(timezone=True)),
    )
    connection = op.get_bind()
    taken = set(connection.scalars(sa.select(identities.c.address).where(identities.c.channel == 'voice')))
    now = datetime.now(timezone.utc)
    rows = [
        {'tenant_id': id_, 'channel': 'voice', 'address': phone, 'reachable': True, 'created_at': now}
        for id_, phone in connection.execute(sa.select(tenants.c.id, tenants.c.phone).where(tenants.c.phone.is_not(None), tenants.c.landline_only))
        if phone not in taken
    ]
    if rows:
        op.bulk_insert(identities, rows)


def downgrade() -> None:
    op.execute("DELETE FROM identities WHERE channel = 'voice'")
    with op.batch_alter_table('issue_reports', schema=None) as batch_op:
        batch_op.drop_column('voice_note')
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_column('call_landlines')
    with op.batch_alter_table('inspections', schema=None) as batch_op:
        batch_op.drop_column('call_landlines')
    with op.batch_alter_table('broadcasts', schema=None) as batch_op:
        batch_op.drop_column('call_landlines')
