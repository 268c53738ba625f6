"""Response models of the catalog (read) API."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from app.knowledge.bundle import RuleCondition


class _Read(BaseModel):
    model_config = ConfigDict(from_attributes=True, frozen=True)


class EvidenceRead(_Read):
    id: str = Field(
        description="Evidence id: a `POST /recommend` breakdown line cites it by this id.",
        examples=["l4xq2m"],
    )
    source: str = Field(description="Source id (see GET /sources).", examples=["acquaint-2026"])
    claim: str = Field(
        description="What the source says.", examples=["Built-in ORM with migrations"]
    )


class FrameworkSummary(_Read):
    slug: str = Field(description="PyPI project name, lowercase.", examples=["fastapi"])
    name: str = Field(description="Display name.", examples=["FastAPI"])
    summary: str = Field(description="What it is.", examples=["An async-first API framework."])


class CriterionAssessmentRead(_Read):
    criterion: str = Field(description="Criterion slug.", examples=["performance"])
    value: float | None = Field(
        description="0..1, 1 = best on this criterion; null = unknown.", examples=[0.95]
    )
    raw: str | None = Field(description="The figure or statement behind it.", examples=["9,000"])
    evidence: list[EvidenceRead] = Field(
        description="Sources and the claims they make.",
        examples=[[{"id": "l4xq2m", "source": "acquaint-2026", "claim": "15,000 to 20,000 RPS"}]],
    )
    note: str | None = Field(
        None,
        description="For an unknown value: what was looked for, and where.",
        examples=[None],
    )
    inherited_from: str | None = Field(
        None,
        description="The base framework this fact comes from (for a layer such as django-ninja).",
        examples=[None],
    )


class FeatureSupportRead(_Read):
    feature: str = Field(description="Feature slug.", examples=["admin_panel"])
    support: str = Field(description="builtin | addon | none | unknown.", examples=["addon"])
    packages: list[str] = Field(description="PyPI packages that add it.", examples=[["sqladmin"]])
    stale_packages: list[str] = Field(
        default_factory=list,
        description="Those of `packages` with no release in 36 months: listed, but flagged.",
        examples=[[]],
    )
    evidence: list[EvidenceRead] = Field(
        description="Sources and the claims they make.",
        examples=[[{"id": "c7tz3a", "source": "acquaint-2026", "claim": "Admin via SQLAdmin"}]],
    )
    note: str | None = Field(
        None,
        description="For unknown support: what was looked for, and where.",
        examples=[None],
    )
    inherited_from: str | None = Field(
        None,
        description="The base framework this fact comes from (for a layer such as django-ninja).",
        examples=[None],
    )


class RelativeRead(_Read):
    framework: str = Field(
        description="A framework whose knowledge carries over.", examples=["flask"]
    )
    evidence: list[EvidenceRead] = Field(
        description="Why it carries over (empty for a layer and its base: that is `builds_on`).",
        examples=[[{"id": "q2w7kd", "source": "pillai-infotech", "claim": "Built on Starlette."}]],
    )


class HealthRead(_Read):
    latest_release: str = Field(description="The newest release.", examples=["0.121.0"])
    latest_release_date: str = Field(description="When it was published.", examples=["2026-10-30"])
    releases_24m: int = Field(description="Releases in the 24 months to read_on.", examples=[40])
    requires_python: str | None = Field(
        description="The newest release's Requires-Python.", examples=[">=3.9"]
    )
    read_on: str = Field(description="When these figures were read.", examples=["2026-11-23"])
    url: str = Field(
        description="Where they were read.", examples=["https://pypi.org/pypi/fastapi/json"]
    )
    stale: bool = Field(description="No release in the 36 months to read_on.", examples=[False])


class BenchmarkRead(_Read):
    workload: str = Field(description="What was measured.", examples=["json_no_db"])
    metric: str = Field(description="The measure.", examples=["requests_per_second"])
    low: float | None = Field(
        description="The figure, or the low end of a range.", examples=[15000]
    )
    high: float | None = Field(description="High end of a range, if any.", examples=[20000])
    unit: str = Field(description="Unit.", examples=["req/s"])
    setup: str | None = Field(description="How it was measured.", examples=["Uvicorn ASGI"])
    source: str = Field(description="Source id.", examples=["acquaint-2026"])
    claim: str = Field(description="The claim as the source makes it.", examples=["15,000 RPS"])


class FrameworkRead(FrameworkSummary):
    first_release: int | None = Field(description="Year of first release.", examples=[2018])
    homepage: str | None = Field(
        description="Project homepage.", examples=["https://fastapi.tiangolo.com/"]
    )
    pypi: str = Field(description="PyPI project name.", examples=["fastapi"])
    builds_on: str | None = Field(
        description="The framework this one is a layer on; its facts apply unless stated here.",
        examples=[None],
    )
    health: HealthRead | None = Field(
        description="Release activity of the framework's package, dated; null if not recorded.",
        examples=[
            {
                "latest_release": "0.121.0",
                "latest_release_date": "2026-10-30",
                "releases_24m": 40,
                "requires_python": ">=3.9",
                "read_on": "2026-11-23",
                "url": "https://pypi.org/pypi/fastapi/json",
                "stale": False,
            }
        ],
    )
    criteria: list[CriterionAssessmentRead] = Field(
        description="Standing on each criterion.",
        examples=[
            [
                {
                    "criterion": "performance",
                    "value": 0.95,
                    "raw": "15,000 to 20,000 RPS",
                    "evidence": [
                        {"id": "l4xq2m", "source": "acquaint-2026", "claim": "15,000 to 20,000 RPS"}
                    ],
                }
            ]
        ],
    )
    features: list[FeatureSupportRead] = Field(
        description="Support for each feature.",
        examples=[
            [
                {
                    "feature": "admin_panel",
                    "support": "addon",
                    "packages": ["sqladmin"],
                    "evidence": [
                        {"id": "c7tz3a", "source": "acquaint-2026", "claim": "Admin via SQLAdmin"}
                    ],
                }
            ]
        ],
    )
    relatives: list[RelativeRead] = Field(
        description=(
            "Frameworks whose knowledge carries over, either way: a team that knows one is "
            "familiar with this one (the `familiarity` line of a recommendation cites this "
            "evidence)."
        ),
        examples=[[{"framework": "starlette", "evidence": []}]],
    )
    benchmarks: list[BenchmarkRead] = Field(
        description="Published figures; conflicting figures are kept side by side.",
        examples=[
            [
                {
                    "workload": "json_no_db",
                    "metric": "requests_per_second",
                    "low": 15000,
                    "high": 20000,
                    "unit": "req/s",
                    "setup": "Uvicorn ASGI",
                    "source": "acquaint-2026",
                    "claim": "15,000 to 20,000 RPS",
                }
            ]
        ],
    )


class CriterionRead(_Read):
    slug: str = Field(description="Criterion slug.", examples=["performance"])
    name: str = Field(description="Display name.", examples=["Raw performance"])
    description: str = Field(description="What it measures.", examples=["Request throughput."])
    scale: str = Field(description="What 1.0 and 0.0 mean.", examples=["1.0 = top async tier"])


class FeatureRead(_Read):
    slug: str = Field(description="Feature slug.", examples=["admin_panel"])
    name: str = Field(description="Display name.", examples=["Admin panel"])
    description: str = Field(description="What it is.", examples=["A generated back-office UI."])


class SourceRead(_Read):
    id: str = Field(description="Source id.", examples=["acquaint-2026"])
    kind: str = Field(description="article | docs | repository | survey.", examples=["article"])
    title: str = Field(description="Title.", examples=["Django vs FastAPI vs Flask"])
    author: str | None = Field(description="Author, when named.", examples=["Frank Wiles"])
    publisher: str | None = Field(description="Publisher.", examples=["Acquaint Softtech"])
    published: str | None = Field(description="Date, as precise as given.", examples=["2026-04-28"])
    url: str | None = Field(description="Where to read it.", examples=[None])
    accessed: str | None = Field(
        description="When it was read (live docs).", examples=["2026-11-22"]
    )
    seed_file: str | None = Field(
        description="File name among the seed documents.", examples=["000_cd1deccd287be11c.txt"]
    )


class RuleRead(_Read):
    id: str = Field(description="Rule id.", examples=["matrix-04"])
    source: str = Field(description="Source id.", examples=["acquaint-2026"])
    kind: str = Field(
        description="matrix, product_type, guide, tree, team_size, question or advice.",
        examples=["matrix"],
    )
    text: str = Field(
        description="The guidance, as the source puts it.",
        examples=["My product serves AI model predictions via API"],
    )
    when: list[RuleCondition] = Field(
        description="Applies when any of these holds.",
        examples=[[{"project_types": ["ml_serving"]}]],
    )
    primary: list[str] = Field(description="Primary pick(s).", examples=[["fastapi"]])
    alternative: list[str] = Field(description="Alternative pick(s).", examples=[["flask"]])
    avoid: list[str] = Field(description="Frameworks the source warns off.", examples=[[]])
