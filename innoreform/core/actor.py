"""Who is acting: a user in one of their organisations with a role, an API key of an
organisation, or the system itself (background jobs, demo loader).

Every service takes `actor`; every selector scopes its reads by it.
"""

from dataclasses import dataclass

from .models import ApiKey, Jurisdiction, Membership, Organisation, OrgKind, Role, User

ROLE_RANK = {Role.MEMBER: 0, Role.REVIEWER: 1, Role.APPROVER: 2, Role.ADMINISTRATOR: 3}


@dataclass(frozen=True)
class Actor:
    user: User | None
    organisation: Organisation | None
    role: str | None
    api_key: ApiKey | None = None
    is_system: bool = False

    @property
    def kind(self) -> str | None:
        return self.organisation.kind if self.organisation else None

    @property
    def organisation_id(self) -> int | None:
        return self.organisation.pk if self.organisation else None

    @property
    def is_platform_operator(self) -> bool:
        return self.kind == OrgKind.PLATFORM_OPERATOR

    @property
    def city_limit(self) -> str | None:
        """The city (region code) a city- or district-level department's reads stop at; None when
        the actor is not limited by city (province departments, every other kind, the system).
        Oversight selectors that otherwise see everything filter by it."""
        org = self.organisation
        if self.is_system or org is None or org.kind != OrgKind.DEPARTMENT:
            return None
        return None if org.jurisdiction == Jurisdiction.PROVINCE else org.region

    def has_role(self, minimum: str) -> bool:
        """True when the actor's role is at least `minimum` (member < reviewer < approver < admin)."""
        if self.is_system:
            return True
        if self.role is None:
            return False
        return ROLE_RANK[Role(self.role)] >= ROLE_RANK[Role(minimum)]

    @property
    def label(self) -> str:
        if self.is_system:
            return "system"
        if self.api_key is not None:
            return f"apikey:{self.api_key.prefix}"
        return self.user.username if self.user else "anonymous"

    @property
    def scope(self) -> str:
        """Idempotency and rate-limit scope: one per client."""
        if self.api_key is not None:
            return f"org:{self.organisation_id}"
        if self.user is not None:
            return f"user:{self.user.pk}"
        return "system"

    @classmethod
    def system(cls, organisation: Organisation | None = None) -> "Actor":
        return cls(user=None, organisation=organisation, role=Role.ADMINISTRATOR, is_system=True)

    @classmethod
    def for_membership(cls, membership: Membership) -> "Actor":
        return cls(user=membership.user, organisation=membership.organisation, role=membership.role)

    @classmethod
    def for_api_key(cls, key: ApiKey) -> "Actor":
        # API keys act with member rights of their organisation; approvals need a person.
        return cls(user=None, organisation=key.organisation, role=Role.MEMBER, api_key=key)

    @classmethod
    def for_user(cls, user: User, organisation_id: int | None = None) -> "Actor":
        """The user acting in the given organisation (or their first active membership)."""
        memberships = Membership.objects.select_related("organisation").filter(
            user=user, is_active=True, organisation__is_active=True
        ).order_by("id")
        if organisation_id is not None:
            memberships = memberships.filter(organisation_id=organisation_id)
        membership = memberships.first()
        if membership is None:
            return cls(user=user, organisation=None, role=None)
        return cls.for_membership(membership)
