"""Writes for the core domain. Each function: keyword-only, a required actor, one transaction,
its audit record in the same transaction."""

import binascii
import secrets
from datetime import date, timedelta
from typing import Any

import pyotp
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from pydantic import ValidationError as PydanticValidationError

from . import audit, credit_code, policies_registry
from .actor import Actor
from .api_support import hash_api_secret
from .errors import Conflict, NotFound, PermissionDenied, ValidationFailed, field_error
from .models import (
    API_KEY_KINDS,
    TWO_FACTOR_KINDS,
    ApiKey,
    Job,
    JobStatus,
    Membership,
    Notification,
    Organisation,
    OrgKind,
    PolicyStatus,
    PolicyVersion,
    Role,
    User,
)
from .permissions import can, is_maker_checker_violation, require
from .regions import Region

# --- organisations and people -------------------------------------------------------------


def _clean_credit_code(raw: str | None, region: str) -> str | None:
    if not raw:
        if region in (Region.HONG_KONG, Region.MACAO):
            return None
        raise field_error("credit_code", _("A unified social credit code is required for mainland organisations."))
    try:
        return credit_code.validate(raw)
    except credit_code.CreditCodeError as exc:
        messages = {
            "length": _("The code must have 18 characters."),
            "alphabet": _("The code may use digits and capital letters except I, O, Z, S and V."),
            "division": _("Characters 3 to 8 must be an administrative division code."),
            "check": _("The check character does not match (GB 32100-2015)."),
        }
        raise field_error("credit_code", messages[exc.reason], code="invalid_credit_code") from exc


def organisation_create(
    *,
    actor: Actor,
    name: str,
    kind: str,
    region: str,
    credit_code: str | None = None,
    name_en: str = "",
    district: str = "",
    jurisdiction: str = "",
    line: str = "",
    is_demo: bool = False,
) -> Organisation:
    require(actor, "organisation.create")
    errors: dict[str, list[str]] = {}
    if not name.strip():
        errors["name"] = [str(_("A name is required."))]
    if kind not in OrgKind.values:
        errors["kind"] = [str(_("Unknown organisation kind."))]
    if region not in Region.values:
        errors["region"] = [str(_("Unknown region."))]
    if kind == OrgKind.DEPARTMENT and (not jurisdiction or not line):
        errors["jurisdiction"] = [str(_("A department needs a jurisdiction and a line."))]
    if errors:
        raise ValidationFailed(details=errors)
    code = _clean_credit_code(credit_code, region)
    with transaction.atomic():
        if code and Organisation.objects.filter(credit_code=code).exists():
            raise field_error("credit_code", _("An organisation with this code is already registered."),
                              code="duplicate_credit_code")
        org = Organisation.objects.create(
            name=name.strip(), name_en=name_en.strip(), kind=kind, region=region, district=district,
            credit_code=code, jurisdiction=jurisdiction, line=line, is_demo=is_demo,
        )
        audit.record(actor=actor, action="organisation.created", obj=org,
                     changes={"name": org.name, "kind": kind, "region": region, "credit_code": code})
    return org


def user_create(*, actor: Actor, username: str, password: str, display_name: str = "",
                email: str = "", is_demo: bool = False, preferred_language: str = "zh-hans") -> User:
    if not (actor.is_system or actor.has_role(Role.ADMINISTRATOR)):
        raise PermissionDenied()
    user = User(username=username.strip(), display_name=display_name, email=email, is_demo=is_demo,
                preferred_language=preferred_language)
    try:
        validate_password(password, user)
    except DjangoValidationError as exc:
        raise ValidationFailed(details={"password": list(exc.messages)}) from exc
    with transaction.atomic():
        if User.objects.filter(username=user.username).exists():
            raise field_error("username", _("This username is taken."), code="duplicate_username")
        user.set_password(password)
        user.save()
        audit.record(actor=actor, action="user.created", obj=user, changes={"username": user.username})
    return user


def membership_set(*, actor: Actor, organisation: Organisation, user: User, role: str) -> Membership:
    """Add the user to the organisation with `role`, or change their role."""
    if role not in Role.values:
        raise field_error("role", _("Unknown role."))
    if not actor.is_system and not (can(actor, "membership.manage") and actor.organisation_id == organisation.pk):
        raise PermissionDenied()
    with transaction.atomic():
        membership, created = Membership.objects.select_for_update().get_or_create(
            user=user, organisation=organisation, defaults={"role": role}
        )
        before = None if created else membership.role
        if not created and (membership.role != role or not membership.is_active):
            membership.role = role
            membership.is_active = True
            membership.save(update_fields=["role", "is_active"])
        audit.record(actor=actor, action="membership.set", obj=membership, organisation=organisation,
                     changes={"user": user.username, "role": [before, role]})
    return membership


def membership_deactivate(*, actor: Actor, membership: Membership) -> Membership:
    if not actor.is_system and not (
        can(actor, "membership.manage") and actor.organisation_id == membership.organisation_id
    ):
        raise PermissionDenied()
    if actor.user is not None and membership.user_id == actor.user.pk:
        raise Conflict(_("You cannot remove yourself."), code="self_removal")
    with transaction.atomic():
        Membership.objects.filter(pk=membership.pk).update(is_active=False)
        membership.is_active = False
        audit.record(actor=actor, action="membership.deactivated", obj=membership,
                     organisation=membership.organisation, changes={"user": membership.user.username})
    return membership


# --- sign-in, lockout, second factor --------------------------------------------------------


class LoginFailed(Exception):
    def __init__(self, reason: str, locked_until=None):
        self.reason = reason  # "invalid" | "locked"
        self.locked_until = locked_until
        super().__init__(reason)


def needs_two_factor(user: User) -> bool:
    return Membership.objects.filter(
        user=user, is_active=True, organisation__kind__in=TWO_FACTOR_KINDS
    ).exists()


def login_check_password(*, username: str, password: str) -> User:
    """Check a password with lockout. Raises LoginFailed; records an audit event either way.

    Failures are committed before raising, so the counter and the audit row survive."""
    now = timezone.now()
    failure: LoginFailed | None = None
    with transaction.atomic():
        user = User.objects.select_for_update().filter(username=username.strip()[:150]).first()
        if user is None:
            # Same work as a real check so timing does not reveal which usernames exist.
            User().set_password(password)
            audit.record(actor=Actor(user=None, organisation=None, role=None), action="auth.login_failed",
                         changes={"username": username[:150], "reason": "unknown_user"}, outcome="denied")
            failure = LoginFailed("invalid")
        elif user.locked_until and user.locked_until > now:
            audit.record(actor=Actor.for_user(user), action="auth.login_failed", obj=user,
                         changes={"reason": "locked"}, outcome="denied")
            failure = LoginFailed("locked", user.locked_until)
        elif not user.is_active or not user.check_password(password):
            _register_failure(user, Actor.for_user(user), now, reason="bad_password")
            locked = bool(user.locked_until and user.locked_until > now)
            failure = LoginFailed("locked" if locked else "invalid", user.locked_until)
        else:
            User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None)
    if failure is not None:
        raise failure
    return user


def _register_failure(user: User, actor: Actor, now, *, reason: str) -> None:
    user.failed_logins += 1
    if user.failed_logins >= settings.LOGIN_MAX_FAILURES:
        user.locked_until = now + timedelta(seconds=settings.LOGIN_LOCKOUT_SECONDS)
        user.failed_logins = 0
    User.objects.filter(pk=user.pk).update(failed_logins=user.failed_logins, locked_until=user.locked_until)
    audit.record(actor=actor, action="auth.login_failed", obj=user,
                 changes={"reason": reason, "locked": bool(user.locked_until and user.locked_until > now)},
                 outcome="denied")


def totp_start_enrolment(*, user: User) -> str:
    """Give the user a fresh secret to add to an authenticator app (not yet active)."""
    with transaction.atomic():
        secret = pyotp.random_base32()
        User.objects.filter(pk=user.pk).update(totp_secret=secret, totp_confirmed=False)
        user.totp_secret, user.totp_confirmed = secret, False
    return secret


def totp_provisioning_uri(user: User) -> str:
    return pyotp.TOTP(user.totp_secret).provisioning_uri(name=user.username, issuer_name="InnoReform")


def login_check_totp(*, user: User, code: str) -> None:
    """Verify a TOTP code (one step of clock drift either way) and refuse replays. Raises
    LoginFailed after committing.

    Wrong codes count in totp_failures, which only a correct code resets: the password step
    resets failed_logins, so sharing that counter let a holder of the password guess codes
    forever. django-otp's throttling (exponential delay on its own device model) would mean
    moving every secret into its tables for one counter, and django-axes counts password
    attempts only, so the counter is ours."""
    now = timezone.now()
    failure: LoginFailed | None = None
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        actor = Actor.for_user(user)
        if user.locked_until and user.locked_until > now:
            audit.record(actor=actor, action="auth.totp_failed", obj=user,
                         changes={"reason": "locked", "locked": True}, outcome="denied")
            failure = LoginFailed("locked", user.locked_until)
        else:
            matched = _totp_match(user, (code or "").strip().replace(" ", ""), now)
            if matched is None:
                failures = user.totp_failures + 1
                locked_until = user.locked_until
                if failures >= settings.LOGIN_MAX_FAILURES:
                    # The same lock as the password step: the password alone no longer signs in.
                    locked_until, failures = now + timedelta(seconds=settings.LOGIN_LOCKOUT_SECONDS), 0
                User.objects.filter(pk=user.pk).update(totp_failures=failures, locked_until=locked_until)
                locked = bool(locked_until and locked_until > now)
                audit.record(actor=actor, action="auth.totp_failed", obj=user,
                             changes={"reason": "bad_totp", "locked": locked}, outcome="denied")
                failure = LoginFailed("locked" if locked else "invalid", locked_until)
            else:
                User.objects.filter(pk=user.pk).update(totp_last_counter=matched, totp_confirmed=True,
                                                       failed_logins=0, totp_failures=0)
                if not user.totp_confirmed:
                    audit.record(actor=actor, action="auth.totp_enrolled", obj=user)
    if failure is not None:
        raise failure


def _totp_match(user: User, code: str, now) -> int | None:
    if not user.totp_secret or not code.isdigit():
        return None
    try:
        totp = pyotp.TOTP(user.totp_secret)
        totp.byte_secret()
    except (binascii.Error, ValueError):
        return None  # a corrupt secret can never match; the user re-enrols
    for drift in (-1, 0, 1):
        counter = totp.timecode(now) + drift
        if counter > user.totp_last_counter and secrets.compare_digest(totp.generate_otp(counter), code):
            return counter
    return None


def login_succeeded(*, user: User) -> None:
    with transaction.atomic():
        audit.record(actor=Actor.for_user(user), action="auth.login", obj=user)


def password_change(*, actor: Actor, user: User, old_password: str, new_password: str) -> None:
    if actor.user is None or actor.user.pk != user.pk:
        raise PermissionDenied()
    if not user.check_password(old_password):
        raise field_error("old_password", _("The current password is not correct."))
    try:
        validate_password(new_password, user)
    except DjangoValidationError as exc:
        raise ValidationFailed(details={"new_password": list(exc.messages)}) from exc
    with transaction.atomic():
        user.set_password(new_password)
        user.session_generation += 1  # every other session ends
        user.save(update_fields=["password", "session_generation"])
        audit.record(actor=actor, action="auth.password_changed", obj=user)


def sessions_end_all(*, actor: Actor, user: User) -> None:
    if actor.user is None or (actor.user.pk != user.pk and not actor.is_platform_operator):
        raise PermissionDenied()
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(session_generation=user.session_generation + 1)
        user.session_generation += 1
        audit.record(actor=actor, action="auth.sessions_ended", obj=user)


def user_set_language(*, actor: Actor, language: str) -> None:
    if language not in dict(settings.LANGUAGES):
        raise field_error("language", _("Unknown language."))
    with transaction.atomic():
        User.objects.filter(pk=actor.user.pk).update(preferred_language=language)
        audit.record(actor=actor, action="user.language_set", obj=actor.user, changes={"language": language})


# --- API keys ---------------------------------------------------------------------------------


def api_key_create(*, actor: Actor, name: str) -> tuple[ApiKey, str]:
    """Create a key for the actor's organisation. Returns the key and the full secret, shown once."""
    if actor.user is None or not can(actor, "apikey.manage") or actor.kind not in API_KEY_KINDS:
        raise PermissionDenied()
    if not name.strip() or len(name) > 100:
        raise field_error("name", _("Give the key a name of at most 100 characters."))
    prefix = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    with transaction.atomic():
        key = ApiKey.objects.create(organisation=actor.organisation, name=name.strip(), prefix=prefix,
                                    secret_hash=hash_api_secret(secret), created_by=actor.user)
        audit.record(actor=actor, action="apikey.created", obj=key, changes={"name": key.name, "prefix": prefix})
    return key, f"{prefix}.{secret}"


def api_key_revoke(*, actor: Actor, key: ApiKey) -> ApiKey:
    if not can(actor, "apikey.manage") or key.organisation_id != actor.organisation_id:
        raise NotFound()
    with transaction.atomic():
        updated = ApiKey.objects.filter(pk=key.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
        if not updated:
            raise Conflict(_("This key is already revoked."), code="already_revoked")
        key.refresh_from_db()
        audit.record(actor=actor, action="apikey.revoked", obj=key, changes={"prefix": key.prefix})
    return key


# --- policy parameters as versioned records ------------------------------------------------------


def _validate_parameters(key: str, parameters: dict) -> dict:
    try:
        definition = policies_registry.get(key)
    except KeyError as exc:
        raise field_error("key", _("Unknown policy.")) from exc
    try:
        return definition.schema(**parameters).model_dump(mode="json")
    except PydanticValidationError as exc:
        details: dict[str, list[str]] = {}
        for err in exc.errors():
            details.setdefault("parameters." + ".".join(str(p) for p in err["loc"]), []).append(err["msg"])
        raise ValidationFailed(details=details) from exc


def policy_propose(*, actor: Actor, key: str, parameters: dict, effective_from: date,
                   effective_to: date | None = None, title: str = "", source: str = "") -> PolicyVersion:
    require(actor, "policy.propose")
    clean = _validate_parameters(key, parameters)
    if effective_to is not None and effective_to <= effective_from:
        raise field_error("effective_to", _("The end date must be after the start date."))
    with transaction.atomic():
        latest = PolicyVersion.objects.select_for_update().filter(key=key).order_by("-version").first()
        version = PolicyVersion.objects.create(
            key=key, version=(latest.version + 1) if latest else 1, parameters=clean, title=title,
            source=source, effective_from=effective_from, effective_to=effective_to, created_by=actor.user,
        )
        audit.record(actor=actor, action="policy.proposed", obj=version,
                     changes={"key": key, "version": version.version, "parameters": clean})
    return version


def policy_decide(*, actor: Actor, policy: PolicyVersion, approve: bool) -> PolicyVersion:
    """Approve or reject a draft. The approver must not be its author (maker-checker)."""
    require(actor, "policy.approve")
    with transaction.atomic():
        policy = PolicyVersion.objects.select_for_update().get(pk=policy.pk)
        if policy.status != PolicyStatus.DRAFT:
            raise Conflict(_("Only a draft can be decided."), code="not_draft")
        if is_maker_checker_violation(submitted_by_id=policy.created_by_id,
                                      approver_id=actor.user.pk if actor.user else None):
            raise PermissionDenied(_("You cannot approve what you submitted."), code="maker_checker")
        policy.status = PolicyStatus.APPROVED if approve else PolicyStatus.REJECTED
        policy.approved_by = actor.user
        policy.approved_at = timezone.now()
        policy.save(update_fields=["status", "approved_by", "approved_at"])
        audit.record(actor=actor, action="policy.approved" if approve else "policy.rejected", obj=policy,
                     changes={"key": policy.key, "version": policy.version})
    return policy


# --- notifications and background jobs ------------------------------------------------------------


def notify(*, recipient: User, message_id: str, params: dict[str, Any] | None = None, url: str = "") -> Notification:
    """Message ids are looked up in innoreform.core.notifications.MESSAGES at render time."""
    return Notification.objects.create(recipient=recipient, message_id=message_id, params=params or {}, url=url)


def notify_organisation(*, organisation: Organisation, message_id: str, params: dict | None = None,
                        url: str = "", min_role: str = Role.MEMBER) -> int:
    from .actor import ROLE_RANK

    count = 0
    for m in Membership.objects.filter(organisation=organisation, is_active=True).select_related("user"):
        if ROLE_RANK[Role(m.role)] >= ROLE_RANK[Role(min_role)]:
            notify(recipient=m.user, message_id=message_id, params=params, url=url)
            count += 1
    return count


def notifications_mark_read(*, actor: Actor, ids: list[int] | None = None) -> int:
    qs = Notification.objects.filter(recipient=actor.user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=timezone.now())


def job_create(*, actor: Actor, kind: str, total: int = 0) -> Job:
    if actor.user is None:
        raise PermissionDenied()
    return Job.objects.create(kind=kind, owner=actor.user, organisation=actor.organisation, total=total)


def job_progress(*, job_id, done: int, total: int | None = None, message: str = "") -> None:
    """Called by the task as it works; a plain update so progress is visible mid-transaction."""
    fields: dict[str, Any] = {"done": done, "status": JobStatus.RUNNING}
    if total is not None:
        fields["total"] = total
    if message:
        fields["message"] = message[:300]
    Job.objects.filter(pk=job_id).update(**fields)


def job_finish(*, job_id, ok: bool, result: dict | None = None, message: str = "") -> None:
    Job.objects.filter(pk=job_id).update(
        status=JobStatus.SUCCEEDED if ok else JobStatus.FAILED, result=result or {},
        message=message[:300], finished_at=timezone.now(),
    )
