"""The project's vocabulary: one definition of each enum and slug type, imported everywhere.

The profile (what a caller says), the knowledge bundle (what the sources say) and rule conditions
(where the two meet) all use these, so a condition can only name values a profile can take.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import Field

Slug = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_\-]*$", max_length=64)]


class ProjectType(StrEnum):
    api = "api"
    full_web_app = "full_web_app"
    microservice = "microservice"
    ml_serving = "ml_serving"
    realtime = "realtime"
    content_site = "content_site"
    ecommerce = "ecommerce"
    saas = "saas"
    internal_tool = "internal_tool"
    prototype = "prototype"


class Need(StrEnum):
    must = "must"
    want = "want"
    nice = "nice"


class Workload(StrEnum):
    crud = "crud"
    io_fanout = "io_fanout"
    cpu_bound = "cpu_bound"
    streaming = "streaming"


class Deployment(StrEnum):
    serverless = "serverless"
    containers = "containers"
    vm = "vm"
    paas = "paas"


class AsyncExperience(StrEnum):
    none = "none"
    some = "some"
    strong = "strong"


class PythonExperience(StrEnum):
    beginner = "beginner"
    intermediate = "intermediate"
    expert = "expert"


class TeamStyle(StrEnum):
    conventions = "conventions"
    flexibility = "flexibility"
    no_preference = "no_preference"


class Codebase(StrEnum):
    new = "new"
    small = "small"
    medium = "medium"
    large = "large"


class ApiDesign(StrEnum):
    spec_first = "spec_first"
    code_first = "code_first"


class Support(StrEnum):
    builtin = "builtin"
    addon = "addon"
    none = "none"
    unknown = "unknown"


class SourceKind(StrEnum):
    article = "article"
    docs = "docs"
    repository = "repository"
    survey = "survey"
    registry = "registry"


RuleKind = Literal[
    "matrix",
    "product_type",
    "guide",
    "tree",
    "team_size",
    "question",
    "advice",
    "familiarity",
    "purpose",
    "experience",
]
