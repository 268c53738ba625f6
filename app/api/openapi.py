"""The OpenAPI document, shaped for the client generators that consume it.

FastAPI writes the document; this module adds what routes cannot say (error responses are
application/problem+json, every response carries X-Request-ID) and makes maps exact and typed.
The committed `openapi.json` is `render_openapi(create_app())`; regenerate it with
`framework-advisor openapi`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute

from app.api.errors import PROBLEM_JSON, REQUEST_ID_HEADER
from app.api.middleware import REQUEST_ID_MAX_LENGTH, REQUEST_ID_PATTERN

TAGS: list[dict[str, Any]] = [
    {
        "name": "recommend",
        "description": "Score and rank every framework in the knowledge base for a project.",
    },
    {
        "name": "catalog",
        "description": (
            "Read the knowledge base the recommendations come from: frameworks, criteria, "
            "features, sources and decision rules, every fact with its source."
        ),
    },
    {
        "name": "curation",
        "description": (
            "Change the knowledge base without a deploy: create, replace, patch and delete "
            "frameworks, assessments, feature support, rules, sources, companions and migration "
            "paths. Writes need an API key with the `write` scope and, to change an existing "
            "resource, `If-Match` with its ETag. Every write is audited (`GET /audit`, `admin`) "
            "and reaches every worker within a second."
        ),
    },
]

REQUEST_ID_RESPONSE_HEADER: dict[str, Any] = {
    "description": (
        "The request id: the caller's X-Request-ID when it is safe to reuse, otherwise a new one. "
        "It is in the logs and in every problem document."
    ),
    "required": True,
    "schema": {"type": "string", "maxLength": REQUEST_ID_MAX_LENGTH, "pattern": REQUEST_ID_PATTERN},
}


def operation_id(route: APIRoute) -> str:
    """lowerCamelCase of the endpoint's name, for routes that do not choose their own."""
    first, *rest = route.name.split("_")
    return first + "".join(word.capitalize() for word in rest)


def _exact_maps(node: Any) -> None:
    """Rewrite pydantic's pattern-keyed maps as `propertyNames` + `additionalProperties`.

    `{"patternProperties": {P: S}}` leaves keys that do not match P unconstrained, which the API
    rejects, and generators ignore it, typing the values as Any. With the pattern on the names and
    S for every value, the schema says exactly what the API accepts, and clients get typed maps.
    """
    if isinstance(node, list):
        for item in node:
            _exact_maps(item)
        return
    if not isinstance(node, dict):
        return
    patterns = node.get("patternProperties")
    if isinstance(patterns, dict) and len(patterns) == 1 and "additionalProperties" not in node:
        ((pattern, values),) = patterns.items()
        del node["patternProperties"]
        node["propertyNames"] = {**node.get("propertyNames", {}), "pattern": pattern}
        node["additionalProperties"] = values
    for value in node.values():
        _exact_maps(value)


def _problem_json_errors(document: dict[str, Any]) -> None:
    header_ref = {"$ref": f"#/components/headers/{REQUEST_ID_HEADER}"}
    for path_item in document.get("paths", {}).values():
        for operation in path_item.values():
            responses: dict[str, Any] = operation.get("responses", {})
            for status, response in responses.items():
                content = response.get("content", {})
                if status[0] in "45" and "application/json" in content:
                    response["content"] = {PROBLEM_JSON: content["application/json"]}
                response.setdefault("headers", {})[REQUEST_ID_HEADER] = header_ref
            operation["responses"] = dict(sorted(responses.items()))
    components = document.setdefault("components", {})
    components.setdefault("headers", {})[REQUEST_ID_HEADER] = REQUEST_ID_RESPONSE_HEADER


def install_openapi(app: FastAPI) -> None:
    """Make `app.openapi()` return the post-processed document (built once, then cached)."""
    generate: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = generate()
            _problem_json_errors(document)
            _exact_maps(document.get("components", {}))
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def render_openapi(app: FastAPI) -> str:
    """The document as committed: two-space indented JSON with a trailing newline."""
    return json.dumps(app.openapi(), indent=2, ensure_ascii=False) + "\n"
