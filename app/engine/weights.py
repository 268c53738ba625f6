"""How a profile turns into criterion weights, and how many points rules are worth.

Every criterion starts at ``BASE_WEIGHT``; each matching line of ``IMPLIED_WEIGHTS`` adds to it,
and the caller's explicit ``priorities`` add on top. Each line cites the seed passage that
justifies it (source ids as in ``GET /sources``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from app.engine.profile import ProjectProfile
from app.engine.result import EvidenceItem
from app.vocab import (
    AsyncExperience,
    Deployment,
    ProjectType,
    PythonExperience,
    TeamStyle,
    Workload,
)

#: The pseudo-criterion that measures how well a framework covers the requested features.
FEATURE_FIT = "feature_fit"

#: Every criterion counts a little, unless a seed says it matters only in a situation.
BASE_WEIGHT = 1.0
SITUATIONAL_CRITERIA = {
    # "Cold start sits around 2 to 3 seconds ... that matters for serverless and not at all for
    # long-running services." (calloway-2026)
    "cold_start": 0.0,
}

#: A team that already knows a framework has nothing left to learn: its learning_curve counts
#: as 1.0 for that framework.
FAMILIAR_CRITERION = "learning_curve"
FAMILIAR_EVIDENCE = EvidenceItem(
    source="wiles-2025",
    claim="The most important thing is do you already know one of them? If so, use it!",
)

#: A package with no release in this many months before its figures were read is stale: still
#: listed where a feature needs it, flagged, and never suggested in a stack.
STALE_AFTER_MONTHS = 36

#: The ``maintenance`` criterion is derived from the framework package's health (read from the
#: package index, source ``REGISTRY_SOURCE``), by the rubric in criteria.yaml: the first row whose
#: window holds the latest release and whose release count is met gives the value; none: 0.0.
REGISTRY_SOURCE = "pypi-json-api"
MAINTENANCE_RUBRIC: tuple[tuple[int, int, float], ...] = (
    # (latest release within months, at least this many releases in 24 months, value)
    (6, 6, 1.0),
    (6, 0, 0.8),
    (12, 0, 0.6),
    (STALE_AFTER_MONTHS, 0, 0.3),
)

#: How much a requested feature counts towards the feature-fit weight.
NEED_WEIGHT = {"must": 2.0, "want": 1.0, "nice": 0.5}

#: How well a framework covers a requested feature, by support level.
SUPPORT_FIT = {"builtin": 1.0, "addon": 0.6, "none": 0.0}


@dataclass(frozen=True, slots=True)
class ImpliedWeight:
    applies: Callable[[ProjectProfile], bool]
    weights: dict[str, float]
    why: str
    source: str


def _type(*types: ProjectType) -> Callable[[ProjectProfile], bool]:
    return lambda p: p.project_type in types


IMPLIED_WEIGHTS: tuple[ImpliedWeight, ...] = (
    ImpliedWeight(
        _type(ProjectType.api),
        {"type_safety": 2},
        "FastAPI wins on 'typed JSON API, async, OpenAPI for free'.",
        "calloway-2026",
    ),
    ImpliedWeight(
        lambda p: (
            p.project_type is ProjectType.api
            and (p.expected_peak_rps is None or p.expected_peak_rps >= 1000)
        ),
        {"performance": 2},
        "Choose FastAPI if your product is API-first, needs to handle high concurrency. (A stated "
        "low load drops this: 'Low traffic apps → All three are fine', buildsmart-2025.)",
        "acquaint-2026",
    ),
    ImpliedWeight(
        lambda p: (
            p.project_type is ProjectType.api
            and p.team.async_experience is not AsyncExperience.none
        ),
        {"async_support": 1},
        "Your team is comfortable with async Python and type hints, or is prepared to learn them.",
        "acquaint-2026",
    ),
    ImpliedWeight(
        _type(ProjectType.ml_serving),
        {"performance": 2, "async_support": 2, "type_safety": 1},
        "Native async handles concurrent prediction requests. Pydantic enforces input/output "
        "schema.",
        "acquaint-2026",
    ),
    ImpliedWeight(
        _type(ProjectType.realtime),
        {"async_support": 3, "performance": 2},
        "WebSocket support is native. Async event loop handles concurrent market data streams.",
        "acquaint-2026",
    ),
    ImpliedWeight(
        _type(ProjectType.full_web_app, ProjectType.content_site),
        {"time_to_market": 2, "security": 1, "maintainability": 1},
        "Django: a full web application that needs user authentication, an admin panel ... and a "
        "team that can move fast using built-in tools.",
        "acquaint-2026",
    ),
    ImpliedWeight(
        _type(ProjectType.ecommerce),
        {"security": 2, "time_to_market": 1},
        "E-commerce: security features (CSRF, SQL injection protection) out-of-the-box; built-in "
        "admin saved 2 months of development.",
        "buildsmart-2025",
    ),
    ImpliedWeight(
        _type(ProjectType.saas),
        {"security": 1, "maintainability": 1, "time_to_market": 1},
        "B2B SaaS: the admin panel, ORM, and auth system save weeks of build time; conventions "
        "keep a growing team aligned.",
        "acquaint-2026",
    ),
    ImpliedWeight(
        _type(ProjectType.internal_tool),
        {FAMILIAR_CRITERION: 1},
        "A three-month internal tool can pick whatever the team likes: what the team already knows "
        "counts for more (the familiarity criterion carries it).",
        "calloway-2026",
    ),
    ImpliedWeight(
        _type(ProjectType.prototype),
        {"time_to_market": 1, "learning_curve": 1, "flexibility": 1},
        "Flask: a prototype or MVP that needs to ship in days, not weeks.",
        "acquaint-2026",
    ),
    ImpliedWeight(
        lambda p: (p.expected_peak_rps or 0) >= 1000,
        {"performance": 3, "async_support": 1},
        "Performance is critical (need 1000+ requests/second) → FastAPI.",
        "buildsmart-2025",
    ),
    ImpliedWeight(
        lambda p: (p.expected_peak_rps or 0) >= 10_000,
        {"performance": 2},
        "FastAPI hits 15,000 to 20,000 RPS on simple endpoints; the gap matters most for "
        "high-traffic APIs.",
        "acquaint-2026",
    ),
    ImpliedWeight(
        lambda p: p.workload in (Workload.io_fanout, Workload.streaming),
        {"async_support": 3},
        "Async helps when the request path waits on slow downstream calls ... fan-out to "
        "multiple services or streaming.",
        "calloway-2026",
    ),
    ImpliedWeight(
        lambda p: p.workload is Workload.cpu_bound,
        {"performance": 1},
        "Async hurts when a CPU-bound task blocks the event loop.",
        "calloway-2026",
    ),
    ImpliedWeight(
        lambda p: p.timeline_weeks is not None and p.timeline_weeks <= 2,
        {"learning_curve": 3, "time_to_market": 1},
        "Time to productivity: Django 2–3 weeks, FastAPI 1 week, Flask 3–5 days; a two-week "
        "project cannot absorb a long ramp-up.",
        "buildsmart-2025",
    ),
    ImpliedWeight(
        lambda p: p.lifespan_years is not None and p.lifespan_years >= 5,
        {"maintainability": 2, "maturity": 2, "security": 1},
        "A five-year payment service inherits a maintenance horizon. Django's 'boring' "
        "reputation is the feature: 20 years of security patches.",
        "calloway-2026",
    ),
    ImpliedWeight(
        lambda p: p.lifespan_years is not None and 2 <= p.lifespan_years < 5,
        {"maintainability": 1},
        "How long will this project be maintained?",
        "buildsmart-2025",
    ),
    ImpliedWeight(
        lambda p: p.deployment is Deployment.serverless,
        {"cold_start": 4},
        "Heaviest cold-start of the three: not ideal for serverless or Lambda deployments.",
        "acquaint-2026",
    ),
    ImpliedWeight(
        lambda p: p.team.python_experience is PythonExperience.beginner,
        {"learning_curve": 2},
        "Your team is learning Python web development and needs the simplest possible start.",
        "acquaint-2026",
    ),
    ImpliedWeight(
        lambda p: p.team.async_experience is AsyncExperience.none,
        {"learning_curve": 1},
        "The real learning curve is async Python.",
        "acquaint-2026",
    ),
    ImpliedWeight(
        lambda p: p.team.style is TeamStyle.flexibility,
        {"flexibility": 3},
        "You want total control over every component.",
        "acquaint-2026",
    ),
    ImpliedWeight(
        lambda p: p.team.style is TeamStyle.conventions,
        {"maintainability": 1, "time_to_market": 1},
        "Your team wants to ship fast using conventions rather than assembling a stack.",
        "acquaint-2026",
    ),
    ImpliedWeight(
        lambda p: p.team.size is not None and p.team.size >= 6,
        {"maintainability": 1},
        "Medium team (6-15 developers): Django excellent (structure prevents chaos), FastAPI good "
        "(needs architecture discipline), Flask risky: structure is what a team this size needs.",
        "buildsmart-2025",
    ),
)

#: Points a matching rule is worth, in weight units (see ``scoring``), by the rule's kind.
#: The decision matrix is the most specific guidance in the seeds, so it counts most.
RULE_UNITS = {
    "matrix": 1.5,
    "product_type": 1.0,
    "question": 1.0,
    "tree": 1.0,
    "guide": 0.75,
    "team_size": 0.75,
    "advice": 0.75,
    # "The most important thing is do you already know one of them? If so, use it!" (wiles-2025)
    "familiarity": 1.5,
    # A framework's own documentation saying what it is built for: a first-party claim, so it
    # counts like the seeds' general guides, not like their comparative decision matrix.
    "purpose": 0.75,
    # A public write-up by a team that chose the framework for this situation: one team's outcome.
    "experience": 0.75,
}
#: An alternative pick earns this share of the rule's units; a framework to avoid loses them.
#: Extra share of a rule's units for each fact beyond the first that its condition checks.
SPECIFICITY_BONUS = 0.25
ALTERNATIVE_SHARE = 0.5
AVOID_SHARE = -1.0
#: Net rule units per framework are capped, so that many overlapping rules that say the same
#: thing (the five sources repeat each other) cannot drown out the criteria.
MAX_RULE_UNITS = 4.0
MIN_RULE_UNITS = -3.0
