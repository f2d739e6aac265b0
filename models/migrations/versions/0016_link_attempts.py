"""telegram linking: one live code per tenant, attempts limited

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 20:30:00
"""
from alembic import op
import sqlalchemy as sa
import models.base


revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Codes live 30 minutes and a tenant may have held several: they go, and TELEGRAM
    # gives a new one, so the one-a-tenant rule holds from the start.
    op.execute('DELETE FROM link_codes')
    with op.batch_alter_table('link_codes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('issued_at', models.base.UtcDateTime(timezone=True), nullable=False))
        batch_op.create_unique_constraint(batch_op.f('uq_link_codes_tenant_id'), ['tenant_id'])

    op.create_table('link_attempts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('chat_hash', sa.String(length=64), nullable=False),
    sa.Column('at', models.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('succeeded', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_link_attempts'))
    )
    with op.batch_alter_table('link_attempts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_link_attempts_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_link_attempts_chat_hash'), ['chat_hash'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('link_attempts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_link_attempts_chat_hash'))
        batch_op.drop_index(batch_op.f('ix_link_attempts_at'))
    op.drop_table('link_attempts')

    with op.batch_alter_table('link_codes', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_link_codes_tenant_id'), type_='unique')
        batch_op.drop_column('issued_at')
