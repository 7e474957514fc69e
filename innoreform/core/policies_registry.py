"""Registry of policy keys: each domain registers the pydantic schema of its parameters and the
shipped defaults (real figures from the brief, with their source). Staff change them by
proposing a new version that another person approves (innoreform.core.services).

The shipped defaults are stored as approved version 1 by data migrations (seed_defaults), never
on first read, so reading a policy writes nothing."""

from dataclasses import dataclass
from datetime import date

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


# The shipped defaults apply from before the platform's first use, so every past date has a version.
DEFAULTS_EFFECTIVE_FROM = date(2020, 1, 1)


def seed_defaults(policy_version, *, keys: list[str] | None = None) -> list[str]:
    """Store the shipped default of each key that has no version yet as approved version 1, and
    return the keys stored. `policy_version` is the PolicyVersion model a data migration gets
    from its `apps` (the model as of that migration).

    Core's migration 0005 seeds every definition registered when it runs: `migrate` sets up every
    installed app first, and each registers its definitions in ready(). An app that registers a
    new key later adds its own data migration calling this with `keys=[...]` (a database
    already past core 0005 would otherwise never get it); on a fresh database the key is already
    there and that call stores nothing."""
    from django.utils import timezone

    from .models import PolicyStatus

    definitions = all_definitions() if keys is None else [get(key) for key in keys]
    present = set(policy_version.objects.filter(key__in=[d.key for d in definitions])
                  .values_list("key", flat=True))
    now = timezone.now()
    missing = [d for d in definitions if d.key not in present]
    policy_version.objects.bulk_create([
        policy_version(key=d.key, version=1, parameters=d.defaults, title=str(d.title), source=d.source,
                       effective_from=DEFAULTS_EFFECTIVE_FROM, status=PolicyStatus.APPROVED, approved_at=now)
        for d in missing
    ])
    return [d.key for d in missing]
