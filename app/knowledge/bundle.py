"""The bundled knowledge base: the data files under ``app/knowledge/data`` and their models.

Every fact carries its source. The loader reads the YAML files, validates them with these models
and checks cross-references (every slug and source id used must be defined), so a typo in a data
file fails loudly at load time instead of producing a silently wrong recommendation.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Annotated

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from app.vocab import (
    ApiDesign,
    AsyncExperience,
    Codebase,
    Deployment,
    ProjectType,
    PythonExperience,
    RuleKind,
    Slug,
    SourceKind,
    Support,
    TeamStyle,
    Workload,
)

DATA_DIR = Path(__file__).parent / "data"
#: Derived from package health when the snapshot is compiled, never written in a data file.
MAINTENANCE_CRITERION = "maintenance"

SourceId = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_\-]*$", max_length=64)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SourceData(_Strict):
    id: SourceId = Field(
        description="Its id, used by every evidence row that cites it.",
        examples=["litestar-readme"],
    )
    title: str = Field(description="Its title.", examples=["Litestar README"])
    author: str | None = Field(
        None, description="Person who wrote it, when named.", examples=["Kirill Klenov"]
    )
    publisher: str | None = Field(
        None,
        description="Site or organisation that published it.",
        examples=["Litestar Organization"],
    )
    published: str | None = Field(
        None,
        pattern=r"^\d{4}(-\d{2}(-\d{2})?)?$",
        description="Publication or last-update date, only as precise as the source gives it.",
        examples=["2022-03-14"],
    )
    url: str | None = Field(
        None,
        description="Where to read it.",
        examples=["https://raw.githubusercontent.com/litestar-org/litestar/main/README.md"],
    )
    accessed: str | None = Field(
        None,
        pattern=r"^\d{4}-\d{2}-\d{2}$",
        description="When we read it (for live docs).",
        examples=["2026-11-22"],
    )
    seed_file: str | None = Field(
        None, description="File name under shared/seeds, if a seed.", examples=[None]
    )
    kind: SourceKind = Field(description="What sort of source it is.", examples=["repository"])


class Evidence(_Strict):
    source: SourceId = Field(
        description="The source's id (see GET /sources).", examples=["litestar-readme"]
    )
    claim: str = Field(
        min_length=1,
        description="What the source says, quoted or closely paraphrased.",
        examples=["Litestar's typing is stricter than FastAPI's."],
    )


class CriterionData(_Strict):
    slug: Slug = Field(description="Its id.", examples=["performance"])
    name: str = Field(description="Its name.", examples=["Raw performance"])
    description: str = Field(
        description="What it measures.",
        examples=["Request throughput and latency of the framework itself."],
    )
    scale: str = Field(
        description="What 1.0 and 0.0 mean for this criterion.",
        examples=["1.0 = top async tier; 0.5 = mid sync tier; 0.2 = clearly below the mid tier."],
    )


class FeatureData(_Strict):
    slug: Slug = Field(description="Its id.", examples=["admin_panel"])
    name: str = Field(description="Its name.", examples=["Admin panel"])
    description: str = Field(
        description="What it is.", examples=["A generated back-office UI to manage data."]
    )


class Assessment(_Strict):
    """A framework's standing on one criterion: 0..1 (1 = best on this criterion) or unknown."""

    value: float | None = Field(
        None,
        ge=0.0,
        le=1.0,
        description="0..1, 1 = best on this criterion; null = unknown.",
        examples=[1.0],
    )
    raw: str | None = Field(
        None,
        description="The figure or statement the value was derived from.",
        examples=["ASGI framework, asynchronous throughout"],
    )
    evidence: list[Evidence] = Field(
        default_factory=list,
        description="The sources behind the value.",
        examples=[[{"source": "litestar-readme", "claim": "Litestar is rigorously typed."}]],
    )
    note: str | None = Field(
        None,
        description="For an unknown value: what was looked for and where.",
        examples=[None],
    )

    @model_validator(mode="after")
    def _known_values_need_evidence(self) -> Assessment:
        if self.value is not None and not self.evidence:
            raise ValueError("a known value needs at least one evidence row")
        return self


class FeatureSupport(_Strict):
    support: Support = Field(description="builtin, addon, none or unknown.", examples=["addon"])
    packages: list[str] = Field(
        default_factory=list, description="PyPI packages that add it.", examples=[["flask-admin"]]
    )
    evidence: list[Evidence] = Field(
        default_factory=list,
        description="The sources behind it.",
        examples=[
            [
                {
                    "source": "flask-admin-pypi",
                    "claim": "Flask-Admin: simple and extensible admin interface.",
                }
            ]
        ],
    )
    note: str | None = Field(
        None,
        description="For unknown support: what was looked for and where, before calling it so.",
        examples=[None],
    )

    @model_validator(mode="after")
    def _known_support_needs_evidence(self) -> FeatureSupport:
        if self.support is not Support.unknown and not self.evidence:
            raise ValueError(f"support {self.support.value!r} needs at least one evidence row")
        if self.support is Support.unknown and not self.note:
            raise ValueError("unknown support needs a note saying what was looked for, and where")
        return self


class Benchmark(_Strict):
    workload: str = Field(
        description="e.g. json_no_db, db_query, crud_api, cold_start, memory.",
        examples=["json_no_db"],
    )
    metric: str = Field(
        description="e.g. requests_per_second, p95_latency_ms, memory_mb.",
        examples=["requests_per_second"],
    )
    low: float | None = Field(
        None, description="The figure (the lower bound of a range).", examples=[2979.0]
    )
    high: float | None = Field(
        None, description="Upper bound when the source gives a range.", examples=[None]
    )
    unit: str = Field(description="Its unit.", examples=["req/s"])
    setup: str | None = Field(
        None,
        description="How it was measured, as the source says.",
        examples=["1 process, small JSON response, wrk with 100 connections"],
    )
    source: SourceId = Field(description="The source's id.", examples=["sanic-readme-early"])
    claim: str = Field(
        description="What the source says.",
        examples=["Aiohttp, Python 3.5 + uvloop: 2,979 req/s, 33.42ms avg latency."],
    )


class Relative(_Strict):
    """A framework close enough that knowing it carries over (Quart's API is Flask's)."""

    framework: Slug = Field(
        description="The framework whose knowledge carries over.", examples=["starlette"]
    )
    evidence: list[Evidence] = Field(
        min_length=1,
        description="The sources that say so.",
        examples=[
            [{"source": "pillai-infotech", "claim": "Built on Starlette (ASGI) and Pydantic."}]
        ],
    )


class FrameworkEntry(_Strict):
    """A framework's own facts, without its assessments, feature support and benchmarks."""

    slug: Slug = Field(description="Its id: the PyPI name, lowercase.", examples=["flask"])
    name: str = Field(description="Its name.", examples=["Flask"])
    summary: str = Field(
        description="What it is, in a sentence or two.",
        examples=["Minimal micro-framework; the seeds' pick for prototypes and small services."],
    )
    first_release: int | None = Field(
        None, description="Year of its first release, when a source gives it.", examples=[2010]
    )
    homepage: str | None = Field(
        None,
        description="Its documentation's home.",
        examples=["https://flask.palletsprojects.com/"],
    )
    pypi: str = Field(description="Its PyPI distribution.", examples=["Flask"])
    builds_on: Slug | None = Field(
        None,
        description=(
            "The framework this one is a layer on (django-ninja on django): the base's facts apply "
            "unless this framework states its own."
        ),
        examples=["django"],
    )
    relatives: list[Relative] = Field(
        default_factory=list,
        description="Frameworks whose knowledge carries over to this one (a layer's base is one).",
        examples=[[]],
    )


class FrameworkData(FrameworkEntry):
    assessments: dict[Slug, Assessment] = Field(
        default_factory=dict,
        description="Its standing on each criterion it has a value or a note for.",
        examples=[{}],
    )
    features: dict[Slug, FeatureSupport] = Field(
        default_factory=dict, description="Its support of each feature.", examples=[{}]
    )
    benchmarks: list[Benchmark] = Field(
        default_factory=list,
        description="Published benchmark figures, conflicting ones side by side.",
        examples=[[]],
    )


class RuleCondition(_Strict):
    """A condition in profile terms. Every field that is set must hold (AND)."""

    project_types: list[ProjectType] | None = Field(
        None, description="The project type is one of these.", examples=[["api", "microservice"]]
    )
    features_any: list[Slug] | None = Field(
        None, description="Any of these is must or want.", examples=[["websockets", "streaming"]]
    )
    features_all: list[Slug] | None = Field(
        None,
        description="All of these are must or want.",
        examples=[["authentication", "admin_panel"]],
    )
    features_none: list[Slug] | None = Field(
        None, description="None of these is requested.", examples=[["admin_panel"]]
    )
    min_peak_rps: int | None = Field(
        None, description="Expected peak requests per second is at least this.", examples=[1000]
    )
    max_peak_rps: int | None = Field(
        None, description="Expected peak requests per second is at most this.", examples=[100]
    )
    workloads: list[Workload] | None = Field(
        None, description="The workload is one of these.", examples=[["streaming"]]
    )
    min_timeline_weeks: int | None = Field(
        None, description="Weeks until launch are at least this.", examples=[12]
    )
    max_timeline_weeks: int | None = Field(
        None, description="Weeks until launch are at most this.", examples=[2]
    )
    min_lifespan_years: float | None = Field(
        None, description="Years it will be maintained are at least this.", examples=[5]
    )
    max_lifespan_years: float | None = Field(
        None, description="Years it will be maintained are at most this.", examples=[1]
    )
    min_team_size: int | None = Field(
        None, description="The team has at least this many people.", examples=[10]
    )
    max_team_size: int | None = Field(
        None, description="The team has at most this many people.", examples=[3]
    )
    team_knows: Slug | None = Field(
        None, description="The team knows this framework.", examples=["django"]
    )
    team_knows_none_of: list[Slug] | None = Field(
        None, description="The team knows none of these frameworks.", examples=[["django", "flask"]]
    )
    async_experience: list[AsyncExperience] | None = Field(
        None, description="The team's async experience is one of these.", examples=[["none"]]
    )
    python_experience: list[PythonExperience] | None = Field(
        None, description="The team's Python experience is one of these.", examples=[["beginner"]]
    )
    styles: list[TeamStyle] | None = Field(
        None, description="The team's style is one of these.", examples=[["conventions"]]
    )
    deployments: list[Deployment] | None = Field(
        None, description="The deployment target is one of these.", examples=[["serverless"]]
    )
    current_frameworks: list[Slug] | None = Field(
        None,
        description="The project runs on one of these frameworks today.",
        examples=[["flask"]],
    )
    api_designs: list[ApiDesign] | None = Field(
        None, description="The API contract is written this way.", examples=[["spec_first"]]
    )
    api_designs_none: list[ApiDesign] | None = Field(
        None,
        description="The API contract is not written in any of these ways (or is not stated).",
        examples=[["spec_first"]],
    )
    codebases: list[Codebase] | None = Field(
        None, description="The existing codebase's size is one of these.", examples=[["large"]]
    )
    min_priority: dict[Slug, int] | None = Field(
        None,
        description="Each named criterion has at least this priority.",
        examples=[{"performance": 3}],
    )
    max_priority: dict[Slug, int] | None = Field(
        None,
        description="Each named criterion is stated in priorities, at most at this priority.",
        examples=[{"time_to_market": 0}],
    )


class RuleData(_Strict):
    id: Slug = Field(description="Its id.", examples=["purpose-django-ninja"])
    source: SourceId = Field(
        description="The source it encodes.", examples=["django-ninja-docs-index"]
    )
    kind: RuleKind = Field(
        description="Which kind of guidance it encodes; decides how many points it is worth.",
        examples=["purpose"],
    )
    text: str = Field(
        description="The guidance as the source puts it.",
        examples=["Django Ninja is a web framework for building APIs with Django and type hints."],
    )
    situation: str | None = Field(
        None,
        description=(
            'When it applies, in the third person ("a Flask codebase that needs async"): what '
            "a reader is shown, attributed to the source."
        ),
        examples=["an API-first project built with Django"],
    )
    when: list[RuleCondition] = Field(
        min_length=1,
        description="The rule applies when any of these conditions holds.",
        examples=[[{"project_types": ["api"], "team_knows": "django"}]],
    )
    primary: list[Slug] = Field(
        default_factory=list, description="What the source recommends.", examples=[["django-ninja"]]
    )
    alternative: list[Slug] = Field(
        default_factory=list, description="What it names as second choices.", examples=[[]]
    )
    avoid: list[Slug] = Field(
        default_factory=list, description="Frameworks the source warns off.", examples=[[]]
    )

    @model_validator(mode="after")
    def _names_a_framework(self) -> RuleData:
        if not (self.primary or self.avoid):
            raise ValueError("a rule needs a primary pick or frameworks to avoid")
        return self

    @model_validator(mode="after")
    def _picks_are_disjoint(self) -> RuleData:
        lists = {"primary": self.primary, "alternative": self.alternative, "avoid": self.avoid}
        seen: dict[str, str] = {}
        for name, slugs in lists.items():
            for slug in slugs:
                if slug in seen:
                    raise ValueError(f"{slug!r} is in both {seen[slug]} and {name}")
                seen[slug] = name
        return self


class TeamSizeGuidance(_Strict):
    label: str = Field(description="Its id.", examples=["solo"])
    min_size: int = Field(description="Smallest team it is about.", examples=[1])
    max_size: int | None = Field(
        description="Largest team it is about (null: no limit).", examples=[1]
    )
    verdicts: dict[Slug, str] = Field(
        description="Per framework, what the source says for this team size.",
        examples=[{"fastapi": "Perfect for API-first products"}],
    )
    cautions: list[Slug] = Field(
        default_factory=list,
        description="Frameworks whose verdict is a caution (risky, needs extra discipline).",
        examples=[["flask"]],
    )
    winner: str = Field(
        description="The source's pick.",
        examples=["FastAPI (fastest to build, easiest to maintain alone)"],
    )
    source: SourceId = Field(description="The source's id.", examples=["buildsmart-2025"])


class MigrationPath(_Strict):
    from_: Slug = Field(
        alias="from", description="The framework migrated from.", examples=["flask"]
    )
    to: Slug = Field(description="The framework migrated to.", examples=["quart"])
    difficulty: str | None = Field(
        None,
        description="As the sources put it.",
        examples=["relatively straightforward (Quart docs)"],
    )
    estimate: str | None = Field(None, description="Time estimate, as sourced.", examples=[None])
    transfers: list[str] = Field(
        default_factory=list,
        description="What carries over.",
        examples=[["Blueprints and app structure"]],
    )
    to_learn: list[str] = Field(
        default_factory=list,
        description="What has to be learnt.",
        examples=[["async/await in route functions"]],
    )
    approach: str | None = Field(
        None,
        description="How to go about it.",
        examples=["Replace flask imports with quart, then add async and await."],
    )
    evidence: list[Evidence] = Field(
        min_length=1,
        description="The sources behind it.",
        examples=[
            [
                {
                    "source": "quart-docs-flask-migration",
                    "claim": "Quart is compatible with the Flask public API.",
                }
            ]
        ],
    )


class Companion(_Strict):
    framework: Slug = Field(description="The framework it goes with.", examples=["litestar"])
    need: str = Field(
        description="orm, migrations, admin, auth, api_docs, server, validation, ...",
        examples=["orm"],
    )
    package: str = Field(description="The PyPI package.", examples=["advanced-alchemy"])
    note: str | None = Field(
        None, description="Why this one.", examples=["First-party SQLAlchemy integration."]
    )
    evidence: list[Evidence] = Field(
        min_length=1,
        description="The sources behind it.",
        examples=[
            [
                {
                    "source": "litestar-docs-sqlalchemy-tutorial",
                    "claim": "SQLAlchemy support in Litestar is now provided by Advanced Alchemy.",
                }
            ]
        ],
    )


class CostFigure(_Strict):
    framework: Slug = Field(description="The framework it is about.", examples=["django"])
    kind: str = Field(
        description="development_hours, maintenance_per_year, hosting_per_month.",
        examples=["development_hours"],
    )
    value: float = Field(description="The figure.", examples=[100.0])
    unit: str = Field(description="Its unit.", examples=["hours"])
    setup: str = Field(
        description="What it is the cost of, as the source says.",
        examples=["To build same medium-sized app"],
    )
    source: SourceId = Field(description="The source's id.", examples=["buildsmart-2025"])
    claim: str = Field(
        description="What the source says.",
        examples=["Django: 100 hours (less code, more built-in)"],
    )


PackageName = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._\-]*$", max_length=128)]


class Health(_Strict):
    """A package's release activity, read from its package index on ``read_on``."""

    latest_release: str = Field(description="The newest non-yanked release.", examples=["0.115.4"])
    latest_release_date: str = Field(
        pattern=r"^\d{4}-\d{2}-\d{2}$",
        description="When it was uploaded (UTC date).",
        examples=["2026-10-30"],
    )
    releases_24m: int = Field(
        ge=0,
        description="Releases uploaded in the 24 months before read_on.",
        examples=[14],
    )
    requires_python: str | None = Field(
        description="The newest release's Requires-Python, if it declares one.",
        examples=[">=3.9"],
    )
    read_on: str = Field(
        pattern=r"^\d{4}-\d{2}-\d{2}$",
        description="When these figures were read.",
        examples=["2026-11-23"],
    )
    url: str = Field(
        description="Where they were read.", examples=["https://pypi.org/pypi/fastapi/json"]
    )


class PackageData(_Strict):
    """A PyPI distribution the knowledge base names: a framework, an add-on or a companion."""

    name: PackageName = Field(description="Its PyPI name.", examples=["adrf"])
    health: Health | None = Field(
        None,
        description="Release activity; null when the index has no record of the package.",
        examples=[None],
    )


class KnowledgeBundle(_Strict):
    sources: list[SourceData] = Field(description="Every source cited.", examples=[[]])
    criteria: list[CriterionData] = Field(
        description="The criteria frameworks are scored on.", examples=[[]]
    )
    features: list[FeatureData] = Field(
        description="The features a project can ask for.", examples=[[]]
    )
    frameworks: list[FrameworkData] = Field(
        description="The frameworks, with their assessments and feature support.", examples=[[]]
    )
    rules: list[RuleData] = Field(description="Decision rules, each from a source.", examples=[[]])
    team_sizes: list[TeamSizeGuidance] = Field(description="Guidance by team size.", examples=[[]])
    migrations: list[MigrationPath] = Field(
        description="Migration paths between frameworks.", examples=[[]]
    )
    companions: list[Companion] = Field(
        description="Companion libraries per framework and need.", examples=[[]]
    )
    costs: list[CostFigure] = Field(description="Cost figures.", examples=[[]])
    packages: list[PackageData] = Field(
        default_factory=list,
        description="Every PyPI package named, with its release activity.",
        examples=[[]],
    )

    @model_validator(mode="after")
    def _references_resolve(self) -> KnowledgeBundle:
        problems = list(_dangling_references(self))
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def version(self) -> str:
        """A content hash: changes when, and only when, the content changes."""
        content = self.model_dump(mode="json", by_alias=True)
        canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def _dangling_references(bundle: KnowledgeBundle) -> list[str]:
    sources = {s.id for s in bundle.sources}
    criteria = {c.slug for c in bundle.criteria}
    features = {f.slug for f in bundle.features}
    frameworks = {f.slug for f in bundle.frameworks}
    problems: list[str] = []

    def need(kind: str, known: set[str], value: str, where: str) -> None:
        if value not in known:
            problems.append(f"{where}: unknown {kind} {value!r}")

    for kind, slugs in (
        ("source", [s.id for s in bundle.sources]),
        ("criterion", [c.slug for c in bundle.criteria]),
        ("feature", [f.slug for f in bundle.features]),
        ("framework", [f.slug for f in bundle.frameworks]),
        ("rule", [r.id for r in bundle.rules]),
    ):
        duplicates = {s for s in slugs if slugs.count(s) > 1}
        problems.extend(f"duplicate {kind} {d!r}" for d in sorted(duplicates))

    for fw in bundle.frameworks:
        for crit, assessment in fw.assessments.items():
            need("criterion", criteria, crit, f"{fw.slug}.assessments")
            for ev in assessment.evidence:
                need("source", sources, ev.source, f"{fw.slug}.assessments.{crit}")
        for feat, support in fw.features.items():
            need("feature", features, feat, f"{fw.slug}.features")
            for ev in support.evidence:
                need("source", sources, ev.source, f"{fw.slug}.features.{feat}")
        if MAINTENANCE_CRITERION in fw.assessments:
            problems.append(
                f"{fw.slug}.assessments.{MAINTENANCE_CRITERION}: derived from package health, "
                "not written by hand (framework-advisor kb refresh-health)"
            )
        for relative in fw.relatives:
            need("framework", frameworks, relative.framework, f"{fw.slug}.relatives")
            for ev in relative.evidence:
                need("source", sources, ev.source, f"{fw.slug}.relatives")
        if fw.builds_on is not None:
            need("framework", frameworks, fw.builds_on, f"{fw.slug}.builds_on")
            base = next((b for b in bundle.frameworks if b.slug == fw.builds_on), None)
            if fw.builds_on == fw.slug or (base is not None and base.builds_on is not None):
                problems.append(
                    f"{fw.slug}.builds_on: a layer must build on a standalone framework"
                )
        for bench in fw.benchmarks:
            need("source", sources, bench.source, f"{fw.slug}.benchmarks")
    for rule in bundle.rules:
        need("source", sources, rule.source, f"rules.{rule.id}")
        for slug in [*rule.primary, *rule.alternative, *rule.avoid]:
            need("framework", frameworks, slug, f"rules.{rule.id}")
        for when in rule.when:
            for slug in [
                *(when.team_knows_none_of or []),
                *([when.team_knows] if when.team_knows else []),
                *(when.current_frameworks or []),
            ]:
                need("framework", frameworks, slug, f"rules.{rule.id}.when")
            for feat in [
                *(when.features_any or []),
                *(when.features_all or []),
                *(when.features_none or []),
            ]:
                need("feature", features, feat, f"rules.{rule.id}.when")
            for crit in [*(when.min_priority or {}), *(when.max_priority or {})]:
                need("criterion", criteria, crit, f"rules.{rule.id}.when")
    for guide in bundle.team_sizes:
        need("source", sources, guide.source, f"team_sizes.{guide.label}")
        for slug in [*guide.verdicts, *guide.cautions]:
            need("framework", frameworks, slug, f"team_sizes.{guide.label}")
    for path in bundle.migrations:
        need("framework", frameworks, path.from_, f"migrations.{path.from_}->{path.to}")
        need("framework", frameworks, path.to, f"migrations.{path.from_}->{path.to}")
        for ev in path.evidence:
            need("source", sources, ev.source, f"migrations.{path.from_}->{path.to}")
    for comp in bundle.companions:
        need("framework", frameworks, comp.framework, f"companions.{comp.package}")
        for ev in comp.evidence:
            need("source", sources, ev.source, f"companions.{comp.package}")
    for cost in bundle.costs:
        need("framework", frameworks, cost.framework, "costs")
        need("source", sources, cost.source, "costs")
    return problems


def _read_yaml(path: Path) -> object:
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def _read_section(data_dir: Path, name: str) -> list[object]:
    """A section is ``name.yaml`` (a list) and/or ``name/*.yaml`` (each a list, or one item)."""
    items: list[object] = []
    paths = [data_dir / f"{name}.yaml", *sorted((data_dir / name).glob("*.yaml"))]
    for path in paths:
        if not path.is_file():
            continue
        content = _read_yaml(path)
        if isinstance(content, list):
            items.extend(content)
        elif content is not None:
            items.append(content)
    return items


SECTIONS = (
    "sources",
    "criteria",
    "features",
    "frameworks",
    "rules",
    "team_sizes",
    "migrations",
    "companions",
    "costs",
    "packages",
)


def read_bundle(data_dir: Path = DATA_DIR) -> KnowledgeBundle:
    """Read and validate every data file. Raises pydantic.ValidationError on bad data."""
    return KnowledgeBundle.model_validate(
        {name: _read_section(data_dir, name) for name in SECTIONS}
    )


if __name__ == "__main__":
    bundle = read_bundle()
    print(
        f"ok: version {bundle.version()}, {len(bundle.frameworks)} frameworks, "
        f"{len(bundle.sources)} sources, {len(bundle.rules)} rules"
    )
