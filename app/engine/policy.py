"""The engine's policy, in one cited table: weights, points, thresholds and warning triggers.

Every criterion starts at ``BASE_WEIGHT``; each matching line of ``IMPLIED_WEIGHTS`` adds to it,
and the caller's explicit ``priorities`` add on top. Each line cites the passage that justifies it
(source ids as in ``GET /sources``); where a number is this project's judgement rather than a
source's figure, the comment says so and why.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from app.engine.profile import ProjectProfile
from app.engine.result import cite
from app.vocab import (
    AsyncExperience,
    Deployment,
    Need,
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
    # Raw throughput counts only where the profile gives a reason (an API, ML serving, realtime,
    # a stated load of 1000+ req/s, CPU-bound work, or a priority: see IMPLIED_WEIGHTS): "For most
    # apps, Django's performance is plenty ... Performance rarely the bottleneck" (buildsmart-2025);
    # "for most applications, the database is the bottleneck, not the framework" (pillai-infotech);
    # "framework overhead is single-digit milliseconds and rarely the bottleneck" (calloway-2026).
    "performance": 0.0,
}

#: The pseudo-criterion for how well the team knows a framework. It counts only when the profile
#: says what the team knows (team.known_frameworks), and counts more on a short timeline.
#: "The most important thing is do you already know one of them? If so, use it!" (wiles-2025)
FAMILIARITY = "familiarity"
FAMILIARITY_EVIDENCE = cite(
    "wiles-2025",
    "The most important thing is do you already know one of them? If so, use it!",
)
#: As much as the heaviest weight a profile's type usually implies (type safety for an API: 1 + 2).
#: Tried at 6 against tests/engine/real_cases.yaml: teams that move off what they know (Django to
#: Starlette, Flask to Connexion) were then told to stay, so 3 it is.
FAMILIARITY_WEIGHT = 3.0
#: "Time to productivity: Django 2–3 weeks, FastAPI 1 week, Flask 3–5 days" (buildsmart-2025): a
#: project shorter than the longest ramp-up cannot absorb learning a new framework.
SHORT_TIMELINE_WEEKS = 3
SHORT_TIMELINE_FAMILIARITY = 3.0
#: Value by what the team knows. A close relative (a layer and its base, Quart and Flask, FastAPI
#: and Starlette: see each framework's `relatives`) carries over in part; how much is judgement.
FAMILIAR_KNOWN = 1.0
FAMILIAR_RELATIVE = 0.6
FAMILIAR_NONE = 0.0

#: Guidance (matching decision rules, and the cost of switching) is one more line of the weighted
#: mean: weight GUIDANCE_WEIGHT, value 0.5 with no guidance, moving towards 1 (for) or 0 (against)
#: as 0.5 + 0.5·(tanh(units for / GUIDANCE_SATURATION) - tanh(units against / GUIDANCE_SATURATION)).
#: Scores stay within 0..100 by construction and never reach 100; repeated guidance counts with
#: diminishing weight (the five seeds repeat each other), a warning against a pick is not swallowed
#: by the guidance for it, and no cap is needed. Near zero one unit moves the score as one weight
#: unit would (GUIDANCE_WEIGHT / 2 = GUIDANCE_SATURATION), as the linear rule points did before.
GUIDANCE = "guidance"
GUIDANCE_WEIGHT = 10.0
GUIDANCE_SATURATION = 5.0

#: The cost of moving an existing codebase to another framework, in guidance units, by the size
#: the caller states (profile.codebase). No size stated: no points, only a note. "If it ain't broke,
#: don't fix it. Unless it's costing you users or money." (buildsmart-2025); the sources' estimates
#: grow with size (Flask to FastAPI "1 week for small app"; Django to FastAPI "multi-month" for a
#: real product, acquaint-2026). The magnitudes are judgement, ordered by those estimates.
SWITCHING_COST_UNITS = {"new": 0.0, "small": 1.0, "medium": 2.0, "large": 4.0}
SWITCHING_SOURCE = "buildsmart-2025"
#: Moving to a close relative of the current framework (Flask to Quart) keeps its API and most of
#: the code, so it costs this share of a rewrite (judgement, from the relation's evidence).
RELATIVE_SWITCH_SHARE = 0.5

#: A package with no release in this many months before its figures were read is stale: still
#: listed where a feature needs it, flagged, and never suggested in a stack.
STALE_AFTER_MONTHS = 36

#: The ``maintenance`` criterion is derived from the framework package's health (read from the
#: package index, source ``REGISTRY_SOURCE``) by the rubric in criteria.yaml: the first row whose
#: window holds the latest release gives the value; none: 0.0 (stale). It measures whether the
#: project is maintained, not how often it releases: "Match the framework's release cadence to your
#: service's expected lifespan" (calloway-2026), so a stable yearly cadence is not a fault.
REGISTRY_SOURCE = "pypi-json-api"
MAINTENANCE_RUBRIC: tuple[tuple[int, float], ...] = (
    # (latest release within this many months, value)
    (12, 1.0),
    (24, 0.7),
    (STALE_AFTER_MONTHS, 0.4),
)

#: How much a requested feature counts towards the feature-fit weight.
NEED_WEIGHT = {"must": 2.0, "want": 1.0, "nice": 0.5}

#: How well a framework covers a requested feature, by support level. Unknown (the docs are
#: silent) is unverified, neither provided nor missing: it counts as neutral, costs the difference
#: to built-in visibly in the feature_fit line, lowers confidence, and never excludes.
SUPPORT_FIT = {"builtin": 1.0, "addon": 0.6, "none": 0.0, "unknown": 0.5}


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
        {"learning_curve": 1},
        "A three-month internal tool can pick whatever the team likes: ease of learning counts for "
        "more than the long-term criteria.",
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
        lambda p: p.features.get("async_io") in (Need.must, Need.want),
        {"async_support": 2},
        "The caller asks for async handlers; whether they deliver depends on how deep async goes: "
        "'For pure async-throughout-the-stack, FastAPI is still ahead' of Django's partial async.",
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

#: Points a matching rule is worth, in guidance units (see ``GUIDANCE``), by the rule's kind.
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
#: API-first project types: "Choose FastAPI if your product is API-first, ... serves AI or ML
#: predictions, or is being built as a microservice" (acquaint-2026). Only for these is an API
#: layer (django-ninja, DRF, APIFlask) listed apart from its base, and only when it scores higher.
API_FIRST_TYPES = frozenset({"api", "microservice", "ml_serving"})

#: How a rule is introduced when it is shown, by kind: the claim is the source's, attributed.
KIND_LABELS = {
    "matrix": "decision matrix",
    "product_type": "product types",
    "guide": "decision guide",
    "tree": "decision tree",
    "team_size": "team-size table",
    "question": "five questions",
    "advice": "advice",
    "familiarity": "advice",
    "purpose": "its own documentation",
    "experience": "a team's write-up",
}

#: Scores at or above each threshold get that fit label.
FIT_THRESHOLDS = ((70.0, "strong"), (55.0, "good"), (40.0, "weak"))
#: Confidence: low under LOW_MARGIN points between #1 and #2, or when more than
#: LOW_UNKNOWN_SHARE of the top pick's weight rests on unknown values, or when a must-have is
#: unverified; high at HIGH_MARGIN or more with at most HIGH_UNKNOWN_SHARE unknown.
LOW_MARGIN = 3.0
HIGH_MARGIN = 8.0
LOW_UNKNOWN_SHARE = 0.3
HIGH_UNKNOWN_SHARE = 0.1
#: At most this many reasons per entry: the rules that add most, then the strongest criteria.
MAX_RULE_REASONS = 3
MAX_CRITERION_REASONS = 2
#: And at most this many in all (issue 11: "reasons are capped at the few that decide").
MAX_REASONS = 3
STRONG_VALUE = 0.75
MAX_FLIPS = 5
MAX_FEATURE_FLIPS = 2
#: Flips are verified by scoring the change; at most this many priority candidates are tried per
#: answer.
MAX_FLIP_CHECKS = 8

#: Warning triggers.
#: "Async-first": async_support at or above this (the criterion's rubric: ASGI native throughout).
ASYNC_FIRST = 0.8
#: A sync-first core (async_support at or below this) under async pressure gets a warning on its
#: async model: the workload waits on downstream calls or streams ("Async helps when the request
#: path waits on slow downstream calls ... fan-out to multiple services or streaming",
#: calloway-2026), or the load is "high concurrency" ("need 1000+ requests/second",
#: buildsmart-2025).
SYNC_FIRST = 0.5
ASYNC_WORKLOADS = frozenset({"io_fanout", "streaming"})
HIGH_CONCURRENCY_RPS = 1000
#: Cold start at or below this value is slow for serverless (the rubric: 0.2 = 2 s or more).
SLOW_COLD_START = 0.4
#: Throughput figures (benchmark metric) that say what one process serves.
THROUGHPUT_METRIC = "requests_per_second"
