"""The knowledge base's writable resources: where each lives in the bundle, in the URL, in tables.

Pure: a resource is found in, and put into, the bundle's JSON form (``bundle.model_dump(mode=
"json", by_alias=True)``), so a write can be validated by building the whole would-be bundle.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from app.db.base import Base
from app.errors import NotFound
from app.knowledge import models
from app.knowledge.bundle import (
    Assessment,
    Companion,
    FeatureSupport,
    FrameworkEntry,
    MigrationPath,
    RuleData,
    SourceData,
)

BundleDoc = dict[str, Any]
Item = dict[str, Any]
Key = tuple[str, ...]

_ENTRY_FIELDS = tuple(FrameworkEntry.model_fields)


@dataclass(frozen=True)
class ResourceKind:
    name: str
    title: str  # for operation ids: getKb<Title>
    path: str  # URL template, e.g. /kb/frameworks/{slug}
    params: tuple[str, ...]
    model: type[BaseModel]
    tables: tuple[type[Base], ...]
    #: The key's columns in ``tables``, in the order of ``params``.
    columns: tuple[str, ...]
    find: Callable[[BundleDoc, Key], Item | None]
    put: Callable[[BundleDoc, Key, Item | None], None]
    #: Fields of the body that repeat the URL's key, in the order of ``params``.
    body_key: tuple[str, ...] = ()

    def url(self, key: Key) -> str:
        return self.path.format(**dict(zip(self.params, key, strict=True)))

    def scope(self, key: Key) -> dict[str, str]:
        return dict(zip(self.columns, key, strict=True))


def _keyed_list(section: str, fields: tuple[str, ...]) -> tuple[Callable[..., Any], ...]:
    def index(doc: BundleDoc, key: Key) -> int | None:
        items: list[Item] = doc[section]
        return next((i for i, it in enumerate(items) if tuple(it[f] for f in fields) == key), None)

    def find(doc: BundleDoc, key: Key) -> Item | None:
        i = index(doc, key)
        return None if i is None else doc[section][i]

    def put(doc: BundleDoc, key: Key, item: Item | None) -> None:
        i = index(doc, key)
        if item is None:
            if i is not None:
                del doc[section][i]
        elif i is None:
            doc[section].append(item)
        else:
            doc[section][i] = item

    return find, put


def _framework(doc: BundleDoc, slug: str) -> Item | None:
    return next((fw for fw in doc["frameworks"] if fw["slug"] == slug), None)


def _find_framework(doc: BundleDoc, key: Key) -> Item | None:
    fw = _framework(doc, key[0])
    return None if fw is None else {f: fw[f] for f in _ENTRY_FIELDS}


def _put_framework(doc: BundleDoc, key: Key, item: Item | None) -> None:
    fw = _framework(doc, key[0])
    if item is None:
        doc["frameworks"] = [f for f in doc["frameworks"] if f["slug"] != key[0]]
    elif fw is None:
        doc["frameworks"].append({**item, "assessments": {}, "features": {}, "benchmarks": []})
    else:
        fw.update(item)


def _cell(field: str) -> tuple[Callable[..., Any], ...]:
    """Assessments and feature support: a map inside their framework."""

    def find(doc: BundleDoc, key: Key) -> Item | None:
        fw = _framework(doc, key[0])
        found: Item | None = None if fw is None else fw[field].get(key[1])
        return found

    def put(doc: BundleDoc, key: Key, item: Item | None) -> None:
        fw = _framework(doc, key[0])
        if fw is None and item is None:
            return  # gone with its framework
        if fw is None:
            raise NotFound(f"no framework with slug {key[0]!r} (see GET /frameworks)")
        if item is None:
            fw[field].pop(key[1], None)
        else:
            fw[field][key[1]] = item

    return find, put


_source = _keyed_list("sources", ("id",))
_rule = _keyed_list("rules", ("id",))
_companion = _keyed_list("companions", ("framework", "need", "package"))
_migration = _keyed_list("migrations", ("from", "to"))
_assessment = _cell("assessments")
_feature = _cell("features")

KINDS: tuple[ResourceKind, ...] = (
    ResourceKind(
        name="framework",
        title="Framework",
        path="/kb/frameworks/{slug}",
        params=("slug",),
        model=FrameworkEntry,
        body_key=("slug",),
        tables=(models.Framework,),
        columns=("slug",),
        find=_find_framework,
        put=_put_framework,
    ),
    ResourceKind(
        name="assessment",
        title="Assessment",
        path="/kb/frameworks/{slug}/assessments/{criterion}",
        params=("slug", "criterion"),
        model=Assessment,
        tables=(models.Assessment, models.AssessmentEvidence),
        columns=("framework", "criterion"),
        find=_assessment[0],
        put=_assessment[1],
    ),
    ResourceKind(
        name="feature_support",
        title="FeatureSupport",
        path="/kb/frameworks/{slug}/features/{feature}",
        params=("slug", "feature"),
        model=FeatureSupport,
        tables=(models.FeatureSupport, models.FeatureEvidence),
        columns=("framework", "feature"),
        find=_feature[0],
        put=_feature[1],
    ),
    ResourceKind(
        name="rule",
        title="Rule",
        path="/kb/rules/{rule_id}",
        params=("rule_id",),
        model=RuleData,
        body_key=("id",),
        tables=(models.Rule,),
        columns=("id",),
        find=_rule[0],
        put=_rule[1],
    ),
    ResourceKind(
        name="source",
        title="Source",
        path="/kb/sources/{source_id}",
        params=("source_id",),
        model=SourceData,
        body_key=("id",),
        tables=(models.Source,),
        columns=("id",),
        find=_source[0],
        put=_source[1],
    ),
    ResourceKind(
        name="companion",
        title="Companion",
        path="/kb/companions/{slug}/{need}/{package}",
        params=("slug", "need", "package"),
        model=Companion,
        body_key=("framework", "need", "package"),
        tables=(models.Companion, models.CompanionEvidence),
        columns=("framework", "need", "package"),
        find=_companion[0],
        put=_companion[1],
    ),
    ResourceKind(
        name="migration_path",
        title="MigrationPath",
        path="/kb/migrations/{from_slug}/{to_slug}",
        params=("from_slug", "to_slug"),
        model=MigrationPath,
        body_key=("from", "to"),
        tables=(models.MigrationPath, models.MigrationEvidence),
        columns=("from_framework", "to_framework"),
        find=_migration[0],
        put=_migration[1],
    ),
)
KINDS_BY_NAME = {kind.name: kind for kind in KINDS}


def parse_resource(kind_name: str, resource: str) -> tuple[ResourceKind, Key]:
    """A stored resource URL back to its kind and key (key segments never contain '/')."""
    kind = KINDS_BY_NAME[kind_name]
    template, actual = kind.path.split("/"), resource.split("/")
    key = tuple(a for t, a in zip(template, actual, strict=True) if t.startswith("{"))
    return kind, key
