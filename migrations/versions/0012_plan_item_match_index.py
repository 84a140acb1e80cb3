"""Plan items are found by year, target group and quarter, as cohorts are matched to them

Revision ID: 0012_plan_item_match_index
Revises: 0011_sent_report_due_day
Create Date: 2026-11-28 18:00:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0012_plan_item_match_index'
down_revision = '0011_sent_report_due_day'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('training_plan_item', schema=None) as batch_op:
        batch_op.drop_index('ix_training_plan_item_year')
        batch_op.create_index('ix_training_plan_item_year_group_quarter', ['year', 'target_group', 'quarter'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('training_plan_item', schema=None) as batch_op:
        batch_op.drop_index('ix_training_plan_item_year_group_quarter')
        batch_op.create_index('ix_training_plan_item_year', ['year'], unique=False)
