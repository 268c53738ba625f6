"""SQLAlchemy tables for the knowledge base.

Natural keys throughout (slugs, and ``position`` for ordered lists) so that loading the same bundle
twice produces byte-identical rows and an upsert can address every row.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    ARRAY,
    BigInteger,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Identity,
    Index,
    Integer,
    String,
    Text,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import Base

SLUG = String(64)


def _source_fk() -> Mapped[str]:
    return mapped_column(SLUG, ForeignKey("sources.id", ondelete="RESTRICT"))


def _framework_fk(primary_key: bool = False) -> Mapped[str]:
    return mapped_column(
        SLUG, ForeignKey("frameworks.slug", ondelete="CASCADE"), primary_key=primary_key
    )


class Source(Base):
    __tablename__ = "sources"
    id: Mapped[str] = mapped_column(SLUG, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(Text)
    author: Mapped[str | None] = mapped_column(Text)
    publisher: Mapped[str | None] = mapped_column(Text)
    published: Mapped[str | None] = mapped_column(String(10))
    url: Mapped[str | None] = mapped_column(Text)
    accessed: Mapped[str | None] = mapped_column(String(10))
    seed_file: Mapped[str | None] = mapped_column(Text)


class Criterion(Base):
    __tablename__ = "criteria"
    slug: Mapped[str] = mapped_column(SLUG, primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text)
    scale: Mapped[str] = mapped_column(Text)


class Feature(Base):
    __tablename__ = "features"
    slug: Mapped[str] = mapped_column(SLUG, primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text)


class Framework(Base):
    __tablename__ = "frameworks"
    slug: Mapped[str] = mapped_column(SLUG, primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    summary: Mapped[str] = mapped_column(Text)
    first_release: Mapped[int | None] = mapped_column(Integer)
    homepage: Mapped[str | None] = mapped_column(Text)
    pypi: Mapped[str] = mapped_column(Text)
    builds_on: Mapped[str | None] = mapped_column(SLUG, ForeignKey("frameworks.slug"))
    relatives: Mapped[list[dict[str, Any]]] = mapped_column(JSONB)


class Assessment(Base):
    __tablename__ = "assessments"
    __table_args__ = (
        CheckConstraint("value IS NULL OR (value >= 0 AND value <= 1)", name="value_range"),
    )
    framework: Mapped[str] = _framework_fk(primary_key=True)
    criterion: Mapped[str] = mapped_column(
        SLUG, ForeignKey("criteria.slug", ondelete="CASCADE"), primary_key=True
    )
    value: Mapped[float | None] = mapped_column(Float)
    raw: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)


class AssessmentEvidence(Base):
    __tablename__ = "assessment_evidence"
    __table_args__ = (
        ForeignKeyConstraint(
            ["framework", "criterion"],
            ["assessments.framework", "assessments.criterion"],
            ondelete="CASCADE",
        ),
    )
    framework: Mapped[str] = mapped_column(SLUG, primary_key=True)
    criterion: Mapped[str] = mapped_column(SLUG, primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = _source_fk()
    claim: Mapped[str] = mapped_column(Text)


class FeatureSupport(Base):
    __tablename__ = "feature_support"
    __table_args__ = (
        CheckConstraint("support IN ('builtin', 'addon', 'none', 'unknown')", name="support"),
    )
    framework: Mapped[str] = _framework_fk(primary_key=True)
    feature: Mapped[str] = mapped_column(
        SLUG, ForeignKey("features.slug", ondelete="CASCADE"), primary_key=True
    )
    support: Mapped[str] = mapped_column(String(16))
    packages: Mapped[list[str]] = mapped_column(ARRAY(Text))
    note: Mapped[str | None] = mapped_column(Text)


class FeatureEvidence(Base):
    __tablename__ = "feature_evidence"
    __table_args__ = (
        ForeignKeyConstraint(
            ["framework", "feature"],
            ["feature_support.framework", "feature_support.feature"],
            ondelete="CASCADE",
        ),
    )
    framework: Mapped[str] = mapped_column(SLUG, primary_key=True)
    feature: Mapped[str] = mapped_column(SLUG, primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = _source_fk()
    claim: Mapped[str] = mapped_column(Text)


class Benchmark(Base):
    __tablename__ = "benchmarks"
    framework: Mapped[str] = _framework_fk(primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    workload: Mapped[str] = mapped_column(Text)
    metric: Mapped[str] = mapped_column(Text)
    low: Mapped[float | None] = mapped_column(Float)
    high: Mapped[float | None] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(Text)
    setup: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = _source_fk()
    claim: Mapped[str] = mapped_column(Text)


class Rule(Base):
    __tablename__ = "rules"
    id: Mapped[str] = mapped_column(SLUG, primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = _source_fk()
    kind: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)
    situation: Mapped[str | None] = mapped_column(Text)
    condition: Mapped[list[dict[str, Any]]] = mapped_column(JSONB)
    primary: Mapped[list[str]] = mapped_column(ARRAY(SLUG))
    alternative: Mapped[list[str]] = mapped_column(ARRAY(SLUG))
    avoid: Mapped[list[str]] = mapped_column(ARRAY(SLUG))


class TeamSizeGuidance(Base):
    __tablename__ = "team_size_guidance"
    label: Mapped[str] = mapped_column(SLUG, primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    min_size: Mapped[int] = mapped_column(Integer)
    max_size: Mapped[int | None] = mapped_column(Integer)
    verdicts: Mapped[dict[str, str]] = mapped_column(JSONB)
    cautions: Mapped[list[str]] = mapped_column(ARRAY(SLUG))
    winner: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = _source_fk()


class MigrationPath(Base):
    __tablename__ = "migration_paths"
    from_framework: Mapped[str] = _framework_fk(primary_key=True)
    to_framework: Mapped[str] = mapped_column(
        SLUG, ForeignKey("frameworks.slug", ondelete="CASCADE"), primary_key=True
    )
    difficulty: Mapped[str | None] = mapped_column(Text)
    estimate: Mapped[str | None] = mapped_column(Text)
    transfers: Mapped[list[str]] = mapped_column(ARRAY(Text))
    to_learn: Mapped[list[str]] = mapped_column(ARRAY(Text))
    approach: Mapped[str | None] = mapped_column(Text)


class MigrationEvidence(Base):
    __tablename__ = "migration_evidence"
    __table_args__ = (
        ForeignKeyConstraint(
            ["from_framework", "to_framework"],
            ["migration_paths.from_framework", "migration_paths.to_framework"],
            ondelete="CASCADE",
        ),
    )
    from_framework: Mapped[str] = mapped_column(SLUG, primary_key=True)
    to_framework: Mapped[str] = mapped_column(SLUG, primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = _source_fk()
    claim: Mapped[str] = mapped_column(Text)


class Companion(Base):
    __tablename__ = "companions"
    framework: Mapped[str] = _framework_fk(primary_key=True)
    need: Mapped[str] = mapped_column(String(64), primary_key=True)
    package: Mapped[str] = mapped_column(String(128), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(Text)


class CompanionEvidence(Base):
    __tablename__ = "companion_evidence"
    __table_args__ = (
        ForeignKeyConstraint(
            ["framework", "need", "package"],
            ["companions.framework", "companions.need", "companions.package"],
            ondelete="CASCADE",
        ),
    )
    framework: Mapped[str] = mapped_column(SLUG, primary_key=True)
    need: Mapped[str] = mapped_column(String(64), primary_key=True)
    package: Mapped[str] = mapped_column(String(128), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = _source_fk()
    claim: Mapped[str] = mapped_column(Text)


class CostFigure(Base):
    __tablename__ = "cost_figures"
    framework: Mapped[str] = _framework_fk(primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(64))
    value: Mapped[float] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(Text)
    setup: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = _source_fk()
    claim: Mapped[str] = mapped_column(Text)


class Package(Base):
    """A PyPI distribution the knowledge base names, with its release activity (JSON, or null)."""

    __tablename__ = "packages"
    name: Mapped[str] = mapped_column(String(128), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    health: Mapped[dict[str, Any] | None] = mapped_column(JSONB)


class KnowledgeBaseMeta(Base):
    """One row: which content version is loaded, and when."""

    __tablename__ = "kb_meta"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, default=1)
    version: Mapped[str] = mapped_column(String(64))
    #: The bundle version last loaded (``version`` moves on with every curated or SQL edit).
    bundle_version: Mapped[str | None] = mapped_column(String(64))
    loaded_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )


class CuratedResource(Base):
    """A knowledge resource changed through the API: its origin is curated, not the bundle.

    The resource's rows hold the curated content (or are absent, for a curated deletion); a bundle
    load leaves them alone and reports where the bundle disagrees, unless forced.
    """

    __tablename__ = "kb_curated"
    resource: Mapped[str] = mapped_column(Text, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    curated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )


class AuditEntry(Base):
    """One write to the knowledge base: who, when, which resource, before and after."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_resource_at", "resource", "at"),)
    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), index=True
    )
    key_name: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(16))
    resource: Mapped[str] = mapped_column(Text)
    before: Mapped[Any | None] = mapped_column(JSONB)
    after: Mapped[Any | None] = mapped_column(JSONB)
    request_id: Mapped[str | None] = mapped_column(String(128))
