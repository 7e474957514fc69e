"""Each schema name in the published OpenAPI documents stands for one schema.

django-ninja names a component after its pydantic class and keeps the last definition it meets
under a name (issue #19 item 6: /registry/declarations/{id}/review was documented with the pools
review body, GET /credit/runs with the pools payout run)."""

import pydantic
import pytest
from ninja.openapi import schema as ninja_openapi

from config.api import bank_api, portal_api


def _project_models(cls=pydantic.BaseModel):
    for sub in cls.__subclasses__():
        if sub.__module__.startswith(("innoreform.", "config.")):
            yield sub
        yield from _project_models(sub)


def test_no_two_project_schema_classes_share_a_name():
    by_name: dict[str, set[str]] = {}
    for model in _project_models():
        by_name.setdefault(model.__name__, set()).add(f"{model.__module__}.{model.__qualname__}")
    assert {name: sorted(paths) for name, paths in by_name.items() if len(paths) > 1} == {}


@pytest.mark.parametrize("api", [portal_api, bank_api], ids=["portal", "bank"])
def test_no_component_name_is_published_with_two_definitions(api, monkeypatch):
    seen: dict[str, dict] = {}
    clashes: dict[str, list] = {}
    add = ninja_openapi.OpenAPISchema.add_schema_definitions

    def recording(self, definitions):
        for name, definition in definitions.items():
            if name in seen and seen[name] != definition:
                clashes.setdefault(name, [seen[name]]).append(definition)
            seen.setdefault(name, definition)
        add(self, definitions)

    monkeypatch.setattr(ninja_openapi.OpenAPISchema, "add_schema_definitions", recording)
    ninja_openapi.get_schema(api=api, path_prefix="")
    assert sorted(clashes) == []
