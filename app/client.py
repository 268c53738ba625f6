"""A small typed client for a running framework-advisor service, built on the service's own models.

``framework-advisor recommend --url`` uses it: the profile goes out as a ``ProjectProfile`` and the
answer comes back at the level of detail asked for (a ``Recommendation`` by default), or a problem
document raised as ``ProblemResponse``.
"""

from __future__ import annotations

from types import TracebackType
from typing import Any

import httpx
from pydantic import TypeAdapter, ValidationError

from app.api.errors import PROBLEM_JSON, FieldError, Problem, ValidationProblem
from app.engine.profile import ProjectProfile
from app.engine.result import Answer, Detail, Recommendation, RecommendationFull
from app.engine.result import RecommendationSummary as Summary

DEFAULT_TIMEOUT_SECONDS = 30.0
_ANSWER: TypeAdapter[Summary | Recommendation | RecommendationFull] = TypeAdapter(Answer)


class ProblemResponse(Exception):
    """The service answered with a problem document (4xx or 5xx)."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(f"{problem.status} {problem.title}: {problem.detail}")
        self.problem = problem

    @property
    def field_errors(self) -> list[FieldError]:
        return self.problem.errors if isinstance(self.problem, ValidationProblem) else []


class ServiceUnreachable(Exception):
    """No answer from the service, or an answer that is not the API's."""


class AdvisorClient:
    def __init__(self, base_url: str, *, timeout: float = DEFAULT_TIMEOUT_SECONDS) -> None:
        self._http = httpx.Client(base_url=base_url.rstrip("/"), timeout=timeout)

    def __enter__(self) -> AdvisorClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def recommend(
        self, profile: ProjectProfile | dict[str, Any], detail: Detail = Detail.default
    ) -> Summary | Recommendation | RecommendationFull:
        """POST /recommend. A dict is sent as it is, so the service's own validation answers."""
        body = (
            profile.model_dump(mode="json", exclude_unset=True)
            if isinstance(profile, ProjectProfile)
            else profile
        )
        response = self._request("POST", "/recommend", json=body, params={"detail": detail.value})
        return _ANSWER.validate_json(response.content)

    def _request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            response = self._http.request(method, path, **kwargs)
        except httpx.HTTPError as error:
            raise ServiceUnreachable(f"{self._http.base_url}{path}: {error}") from error
        if response.is_success:
            return response
        media_type = response.headers.get("content-type", "").partition(";")[0].strip()
        if media_type != PROBLEM_JSON:
            raise ServiceUnreachable(
                f"{self._http.base_url}{path}: HTTP {response.status_code} without a problem "
                "document: is this a framework-advisor service?"
            )
        try:
            problem: Problem = (
                ValidationProblem.model_validate_json(response.content)
                if b'"errors"' in response.content
                else Problem.model_validate_json(response.content)
            )
        except ValidationError as error:
            raise ServiceUnreachable(f"{path}: malformed problem document: {error}") from error
        raise ProblemResponse(problem)
