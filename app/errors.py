"""The service's error hierarchy. Services raise these; one handler renders them."""

from __future__ import annotations

from collections.abc import Mapping


class AppError(Exception):
    """An error with an HTTP status and a message safe to show the caller."""

    status: int = 500
    title: str = "Internal Server Error"

    def __init__(self, message: str, *, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.headers = dict(headers or {})


class NotFound(AppError):
    status = 404
    title = "Not Found"


class UnsupportedMediaType(AppError):
    status = 415
    title = "Unsupported Media Type"


class KnowledgeUnavailable(AppError):
    status = 503
    title = "Service Unavailable"


class DatabaseUnavailable(AppError):
    status = 503
    title = "Service Unavailable"


class Unauthorized(AppError):
    status = 401
    title = "Unauthorized"


class Forbidden(AppError):
    status = 403
    title = "Forbidden"


class Conflict(AppError):
    status = 409
    title = "Conflict"


class PreconditionFailed(AppError):
    status = 412
    title = "Precondition Failed"


class PreconditionRequired(AppError):
    status = 428
    title = "Precondition Required"


class InvalidKnowledge(AppError):
    """A write that would leave the knowledge base invalid (a dangling reference, say)."""

    status = 422
    title = "Unprocessable Content"

    def __init__(self, message: str, *, errors: list[tuple[str, str]]) -> None:
        super().__init__(message)
        #: (dotted field path in the body, what is wrong with it)
        self.errors = errors
