"""curation: API keys, audit log, curated origins, and a version bump + NOTIFY on every edit

Revision ID: c3d4e5f6a7b8
Revises: b7c1d2e3f4a5
Create Date: 2026-11-23 18:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "c3d4e5f6a7b8"
down_revision: str | None = "b7c1d2e3f4a5"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: Every knowledge table: a statement on any of them moves the version and notifies listeners.
KNOWLEDGE_TABLES = (
    "sources",
    "criteria",
    "features",
    "frameworks",
    "assessments",
    "assessment_evidence",
    "feature_support",
    "feature_evidence",
    "benchmarks",
    "rules",
    "team_size_guidance",
    "migration_paths",
    "migration_evidence",
    "companions",
    "companion_evidence",
    "cost_figures",
    "packages",
)

# A direct SQL edit must reach /recommend too: without this it showed in the catalog but every
# worker kept scoring on its old snapshot under an unchanged version. The API's writes set a
# content version afterwards in the same transaction; this guarantees the version moves anyway.
KB_CHANGED_FUNCTION = """
CREATE FUNCTION kb_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE kb_meta
       SET version = left(md5(version || txid_current()::text || clock_timestamp()::text), 16);
    PERFORM pg_notify('kb_changed', '');
    RETURN NULL;
END
$$
"""


def upgrade() -> None:
    op.create_table(
        "api_keys",
        sa.Column("id", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("scope", sa.String(length=8), nullable=False),
        sa.Column("secret_hash", sa.Text(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("scope IN ('read', 'write', 'admin')", name=op.f("ck_api_keys_scope")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_keys")),
        sa.UniqueConstraint("name", name=op.f("uq_api_keys_name")),
    )
    op.create_table(
        "kb_curated",
        sa.Column("resource", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column(
            "curated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("resource", name=op.f("pk_kb_curated")),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.BigInteger(), sa.Identity(), nullable=False),
        sa.Column(
            "at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("key_name", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("resource", sa.Text(), nullable=False),
        sa.Column("before", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("after", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("request_id", sa.String(length=128), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index(op.f("ix_audit_log_at"), "audit_log", ["at"], unique=False)
    op.create_index("ix_audit_log_resource_at", "audit_log", ["resource", "at"], unique=False)
    op.add_column("kb_meta", sa.Column("bundle_version", sa.String(length=64), nullable=True))
    op.execute("UPDATE kb_meta SET bundle_version = version")
    op.execute(KB_CHANGED_FUNCTION)
    for table in KNOWLEDGE_TABLES:
        op.execute(
            f"CREATE TRIGGER kb_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION kb_changed()"
        )


def downgrade() -> None:
    for table in KNOWLEDGE_TABLES:
        op.execute(f"DROP TRIGGER kb_changed ON {table}")
    op.execute("DROP FUNCTION kb_changed()")
    op.drop_column("kb_meta", "bundle_version")
    op.drop_index("ix_audit_log_resource_at", table_name="audit_log")
    op.drop_index(op.f("ix_audit_log_at"), table_name="audit_log")
    op.drop_table("audit_log")
    op.drop_table("kb_curated")
    op.drop_table("api_keys")
