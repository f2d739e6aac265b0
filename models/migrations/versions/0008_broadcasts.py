"""broadcasts

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23 23:40:00
"""
from alembic import op
import sqlalchemy as sa
import models.base


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('broadcasts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('texts', sa.JSON(), nullable=False),
    sa.Column('audience', sa.JSON(), nullable=False),
    sa.Column('unmatched', sa.JSON(), nullable=False),
    sa.Column('topic', sa.String(length=16), nullable=False),
    sa.Column('urgent', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('send_at', models.base.UtcDateTime(timezone=True), nullable=True),
    sa.Column('sent_at', models.base.UtcDateTime(timezone=True), nullable=True),
    sa.Column('queued', sa.Integer(), nullable=False),
    sa.Column('created_by_staff_id', sa.Integer(), nullable=True),
    sa.Column('created_at', models.base.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_staff_id'], ['staff_users.id'], name=op.f('fk_broadcasts_created_by_staff_id_staff_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_broadcasts'))
    )
    with op.batch_alter_table('broadcasts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_broadcasts_status'), ['status'], unique=False)

    op.create_table('broadcast_interests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('broadcast_id', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('said_at', models.base.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['broadcast_id'], ['broadcasts.id'], name=op.f('fk_broadcast_interests_broadcast_id_broadcasts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_broadcast_interests_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_broadcast_interests')),
    sa.UniqueConstraint('broadcast_id', 'tenant_id', name=op.f('uq_broadcast_interests_broadcast_id_tenant_id'))
    )
    with op.batch_alter_table('broadcast_interests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_broadcast_interests_broadcast_id'), ['broadcast_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_broadcast_interests_tenant_id'), ['tenant_id'], unique=False)

    for table in ('inbound_messages', 'outbound_messages'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('broadcast_id', sa.Integer(), nullable=True))
            batch_op.create_index(batch_op.f(f'ix_{table}_broadcast_id'), ['broadcast_id'], unique=False)
            batch_op.create_foreign_key(batch_op.f(f'fk_{table}_broadcast_id_broadcasts'), 'broadcasts', ['broadcast_id'], ['id'], ondelete='SET NULL')


def downgrade() -> None:
    for table in ('outbound_messages', 'inbound_messages'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f'fk_{table}_broadcast_id_broadcasts'), type_='foreignkey')
            batch_op.drop_index(batch_op.f(f'ix_{table}_broadcast_id'))
            batch_op.drop_column('broadcast_id')

    with op.batch_alter_table('broadcast_interests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_broadcast_interests_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_broadcast_interests_broadcast_id'))

    op.drop_table('broadcast_interests')
    with op.batch_alter_table('broadcasts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_broadcasts_status'))

    op.drop_table('broadcasts')
