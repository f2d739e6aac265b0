"""media: the files tenants send, kept in the database; a report's map pin

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-08 09:00:00
"""
from alembic import op
import sqlalchemy as sa
import models.base


revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'media',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('message_id', sa.Integer(), nullable=False),
        sa.Column('report_id', sa.Integer(), nullable=True),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('source', sa.String(length=512), nullable=False),
        sa.Column('content_type', sa.String(length=100), nullable=False),
        sa.Column('size', sa.BigInteger(), nullable=True),
        sa.Column('content', sa.LargeBinary(), nullable=True),
        sa.Column('filename', sa.String(length=200), nullable=True),
        sa.Column('emoji', sa.String(length=16), nullable=True),
        sa.Column('status', sa.String(length=12), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('next_attempt_at', models.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column('error', sa.String(length=200), nullable=True),
        sa.Column('created_at', models.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column('fetched_at', models.base.UtcDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ['message_id'], ['inbound_messages.id'],
            name=op.f('fk_media_message_id_inbound_messages'), ondelete='CASCADE',
        ),
        sa.ForeignKeyConstraint(
            ['report_id'], ['issue_reports.id'],
            name=op.f('fk_media_report_id_issue_reports'), ondelete='SET NULL',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_media')),
    )
    op.create_index('ix_media_due', 'media', ['status', 'next_attempt_at'], unique=False)
    op.create_index(op.f('ix_media_message_id'), 'media', ['message_id'], unique=False)
    op.create_index(op.f('ix_media_report_id'), 'media', ['report_id'], unique=False)
    with op.batch_alter_table('issue_reports') as batch:
        batch.add_column(sa.Column('latitude', sa.Double(), nullable=True))
        batch.add_column(sa.Column('longitude', sa.Double(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('issue_reports') as batch:
        batch.drop_column('longitude')
        batch.drop_column('latitude')
    op.drop_index(op.f('ix_media_report_id'), table_name='media')
    op.drop_index(op.f('ix_media_message_id'), table_name='media')
    op.drop_index('ix_media_due', table_name='media')
    op.drop_table('media')
