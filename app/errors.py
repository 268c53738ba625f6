"""The service's error hierarchy. Services raise these; one handler renders them."""

from __future__ import annotations


class AppError(Exception):
    """An error with an HTTP status and a message safe to show the caller."""

    status: int = 500
    title: str = "Internal Server Error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


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
