"""notes on unknown cells, framework layers and relatives, rule situations, team-size cautions,
package health

Revision ID: b7c1d2e3f4a5
Revises: 45d28d05ab6d
Create Date: 2026-11-23 17:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "b7c1d2e3f4a5"
down_revision: str | None = "45d28d05ab6d"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("frameworks", sa.Column("builds_on", sa.String(length=64), nullable=True))
    op.create_foreign_key(
        op.f("fk_frameworks_builds_on_frameworks"),
        "frameworks",
        "frameworks",
        ["builds_on"],
        ["slug"],
    )
    op.add_column(
        "frameworks",
        sa.Column(
            "relatives",
            postgresql.JSONB(astext_type=sa.Text()),
            nullable=False,
            server_default="[]",
        ),
    )
    op.alter_column("frameworks", "relatives", server_default=None)
    op.add_column(
        "team_size_guidance",
        sa.Column("cautions", sa.ARRAY(sa.String(length=64)), nullable=False, server_default="{}"),
    )
    op.alter_column("team_size_guidance", "cautions", server_default=None)
    op.add_column("assessments", sa.Column("note", sa.Text(), nullable=True))
    op.add_column("feature_support", sa.Column("note", sa.Text(), nullable=True))
    op.add_column("rules", sa.Column("situation", sa.Text(), nullable=True))
    op.create_table(
        "packages",
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("health", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_packages")),
    )


def downgrade() -> None:
    op.drop_table("packages")
    op.drop_column("rules", "situation")
    op.drop_column("team_size_guidance", "cautions")
    op.drop_column("frameworks", "relatives")
    op.drop_column("feature_support", "note")
    op.drop_column("assessments", "note")
    op.drop_constraint(op.f("fk_frameworks_builds_on_frameworks"), "frameworks", type_="foreignkey")
    op.drop_column("frameworks", "builds_on")
