"""tombstones: erased tenants' provider ids, so a replay stores nothing

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 20:30:00
"""
from alembic import op
import sqlalchemy as sa
import models.base


revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'tombstones',
        sa.Column('fingerprint', sa.String(length=64), nullable=False),
        sa.Column('erased_at', models.base.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('fingerprint', name=op.f('pk_tombstones')),
    )


def downgrade() -> None:
    op.drop_table('tombstones')
