"""A yearly report sent up keeps the day it was due then

Revision ID: 0011_sent_report_due_day
Revises: 0010_scheduled_report_reminders
Create Date: 2026-11-27 22:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011_sent_report_due_day'
down_revision = '0010_scheduled_report_reminders'
branch_labels = None
depends_on = None


def upgrade():
    # Reports sent before keep no day (NULL): they are judged by the day in force now, as they were.
    with op.batch_alter_table('sent_report', schema=None) as batch_op:
        batch_op.add_column(sa.Column('due_on', sa.Date(), nullable=True))


def downgrade():
    with op.batch_alter_table('sent_report', schema=None) as batch_op:
        batch_op.drop_column('due_on')
