"""wording changes made by staff

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-24 02:10:00
"""
from alembic import op
import sqlalchemy as sa
import models.base


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('wording_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=16), nullable=False),
    sa.Column('key', sa.String(length=120), nullable=False),
    sa.Column('text', sa.Text(), nullable=True),
    sa.Column('staff_id', sa.Integer(), nullable=True),
    sa.Column('changed_at', models.base.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['staff_id'], ['staff_users.id'], name=op.f('fk_wording_changes_staff_id_staff_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_wording_changes')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('wording_changes', schema=None) as batch_op:
        batch_op.create_index('ix_wording_changes_language_key', ['language', 'key', 'id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('wording_changes', schema=None) as batch_op:
        batch_op.drop_index('ix_wording_changes_language_key')
    op.drop_table('wording_changes')
