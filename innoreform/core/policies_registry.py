"""Registry of policy keys: each domain registers the pydantic schema of its parameters and the
shipped defaults (real figures from the brief, with their source). Staff change them by
proposing a new version that another person approves (innoreform.core.services)."""

from dataclasses import dataclass

from pydantic import BaseModel


@dataclass(frozen=True)
class PolicyDefinition:
    key: str
    schema: type[BaseModel]
    defaults: dict
    title: str
    source: str = ""


_registry: dict[str, PolicyDefinition] = {}


def register(*, key: str, schema: type[BaseModel], defaults: dict, title: str, source: str = "") -> PolicyDefinition:
    definition = PolicyDefinition(key=key, schema=schema, defaults=schema(**defaults).model_dump(mode="json"),
                                  title=title, source=source)
    _registry[key] = definition
    return definition


def get(key: str) -> PolicyDefinition:
    return _registry[key]


def all_definitions() -> list[PolicyDefinition]:
    return sorted(_registry.values(), key=lambda d: d.key)
