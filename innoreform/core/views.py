"""Portal pages of the core app: sign-in (password, lockout, TOTP), home per organisation kind,
profile, organisation switch, language, and the lists (organisations, audit, policies, API keys,
notifications, background jobs).

Views are thin: parse with a form, call a service or selector, render. DomainError becomes a
form error or a message; NotFound becomes 404 (see `portal_view`).
"""

import binascii
import json
import time
from datetime import UTC
from functools import wraps

import pyotp
import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django.views.defaults import page_not_found
from django.views.i18n import set_language as django_set_language

from . import policies_registry, selectors, services, todo
from .errors import DomainError, NotFound
from .exports import Column
from .forms import (
    ApiKeyCreateForm,
    AuditFilterForm,
    JobFilterForm,
    LanguageForm,
    LoginForm,
    NoFilters,
    NotificationFilterForm,
    OrganisationFilterForm,
    PasswordChangeForm,
    PolicyFilterForm,
    PolicyProposeForm,
    TotpForm,
    apply_domain_error,
)
from .listing import list_page
from .middleware import SESSION_GENERATION_KEY, SESSION_ORG_KEY
from .models import JobStatus, OrgKind, PolicyStatus, User
from .notifications import render as render_notification
from .permissions import can, record_denial_of, require

PENDING_USER_KEY = "pending_login_user"
PENDING_AT_KEY = "pending_login_at"
PENDING_NEXT_KEY = "pending_login_next"
PENDING_TTL_SECONDS = 300
AUTH_BACKEND = "django.contrib.auth.backends.ModelBackend"


def run_action(request, action, success: str) -> bool:
    """Run a page's service call: its refusal becomes an error message (with any field details),
    success a success message. True when it ran."""
    try:
        action()
    except DomainError as exc:
        details = "; ".join(f"{k}: {' '.join(map(str, v))}" for k, v in exc.details.items() if isinstance(v, list))
        messages.error(request, f"{exc.message} {details}".strip())
        return False
    messages.success(request, success)
    return True


# --- plumbing ---------------------------------------------------------------------------------


def portal_view(view):
    """Signed-in users acting in an organisation only; NotFound from selectors becomes a 404.

    Other apps decorate their page views with it too."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        actor = getattr(request, "actor", None)
        if not request.user.is_authenticated or actor is None:
            return redirect_to_login(request.get_full_path())
        if actor.organisation is None:
            return render(request, "core/no_membership.html", status=403)
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            record_denial_of(exc)  # a denial by require inside a transaction is written after its rollback
            raise Http404(str(exc.message)) from exc
        except DomainError as exc:
            record_denial_of(exc)
            # A service refused something the view did not turn into a form error: say why, no 500.
            return render(request, "core/error.html", {"error": exc}, status=exc.status)

    return wrapper


def _safe_next(request, candidate: str | None) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("core:home")


def _format_time(value) -> str:
    return date_format(timezone.localtime(value), "Y-m-d H:i")


# --- sign-in ----------------------------------------------------------------------------------


def _lockout_message(locked_until) -> str:
    if locked_until is None:
        return _("Too many failed attempts. This account is locked for a while; try again later.")
    return _("Too many failed attempts. This account is locked until %(time)s.") % {
        "time": _format_time(locked_until)
    }


def _complete_login(request, user: User, next_url: str):
    for key in (PENDING_USER_KEY, PENDING_AT_KEY, PENDING_NEXT_KEY):
        request.session.pop(key, None)
    login(request, user, backend=AUTH_BACKEND)
    request.session[SESSION_GENERATION_KEY] = user.session_generation
    first = user.memberships.filter(is_active=True, organisation__is_active=True).order_by("id").first()
    if first is not None:
        request.session[SESSION_ORG_KEY] = first.organisation_id
    services.login_succeeded(user=user)
    response = HttpResponseRedirect(next_url)
    # A language picked on the sign-in page wins; otherwise the user's saved preference applies.
    if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, user.preferred_language,
                            max_age=settings.LANGUAGE_COOKIE_AGE, samesite="Lax")
    return response


@sensitive_post_parameters("password")
@never_cache
def login_view(request):
    if request.user.is_authenticated and getattr(request, "actor", None) is not None:
        return redirect("core:home")
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next"))
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.login_check_password(
                username=form.cleaned_data["username"], password=form.cleaned_data["password"]
            )
        except services.LoginFailed as exc:
            if exc.reason == "locked":
                form.add_error(None, _lockout_message(exc.locked_until))
            else:
                form.add_error(None, _("The username or password is not correct."))
        else:
            if services.needs_two_factor(user):
                request.session.cycle_key()
                request.session[PENDING_USER_KEY] = user.pk
                request.session[PENDING_AT_KEY] = time.time()
                request.session[PENDING_NEXT_KEY] = next_url
                return redirect("core:login_totp")
            return _complete_login(request, user, next_url)
    return render(request, "core/login.html", {"form": form, "next": next_url})


def _pending_user(request) -> User | None:
    user_id = request.session.get(PENDING_USER_KEY)
    started = request.session.get(PENDING_AT_KEY, 0)
    if not user_id or time.time() - started > PENDING_TTL_SECONDS:
        return None
    return User.objects.filter(pk=user_id, is_active=True).first()


def demo_totp_code(user: User) -> str | None:
    """For demo accounts in demo mode only: the code the login page may show testers.

    It is the first code the server will still accept (codes are single use)."""
    if not (settings.DEMO_MODE and user.is_demo and user.totp_secret):
        return None
    totp = pyotp.TOTP(user.totp_secret)
    counter = max(totp.timecode(timezone.now()), user.totp_last_counter + 1)
    try:
        return totp.generate_otp(counter)
    except (binascii.Error, ValueError):  # a malformed stored secret: no hint rather than a 500
        return None


@sensitive_post_parameters("code")
@never_cache
def login_totp(request):
    user = _pending_user(request)
    if user is None:
        messages.info(request, _("Please sign in again."))
        return redirect("core:login")
    if not user.totp_confirmed and not user.totp_secret:
        services.totp_start_enrolment(user=user)
    form = TotpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.login_check_totp(user=user, code=form.cleaned_data["code"])
        except services.LoginFailed as exc:
            if exc.reason == "locked":
                for key in (PENDING_USER_KEY, PENDING_AT_KEY, PENDING_NEXT_KEY):
                    request.session.pop(key, None)
                messages.error(request, _lockout_message(exc.locked_until))
                return redirect("core:login")
            form.add_error("code", _("The code is not correct or was already used."))
        else:
            user.refresh_from_db()
            return _complete_login(request, user, request.session.get(PENDING_NEXT_KEY) or reverse("core:home"))
    user.refresh_from_db()
    uri = services.totp_provisioning_uri(user) if not user.totp_confirmed else ""
    context = {
        "form": form,
        "enrolling": not user.totp_confirmed,
        "secret": user.totp_secret if not user.totp_confirmed else "",
        "uri": uri,
        # An SVG data URI: allowed by the CSP's img-src, no inline markup or styles.
        "qr": segno.make(uri, error="m").svg_data_uri(scale=5, border=2) if uri else "",
        "demo_code": demo_totp_code(user),
        "pending_user": user,
    }
    return render(request, "core/login_totp.html", context)


@require_POST
def logout_view(request):
    logout(request)
    messages.info(request, _("You have signed out."))
    return redirect("core:login")


@require_POST
def set_language(request):
    """Django's set_language, and for a signed-in user the choice is also saved to their profile."""
    actor = getattr(request, "actor", None)
    language = request.POST.get("language", "")
    if actor is not None and actor.user is not None and language in dict(settings.LANGUAGES):
        services.user_set_language(actor=actor, language=language)
    return django_set_language(request)


@require_POST
@portal_view
def switch_organisation(request):
    try:
        org_id = int(request.POST.get("organisation", ""))
    except ValueError as exc:
        raise Http404 from exc
    membership = selectors.memberships_of_user(actor=request.actor).filter(organisation_id=org_id).first()
    if membership is None:
        raise Http404
    request.session[SESSION_ORG_KEY] = membership.organisation_id
    return redirect("core:home")


# --- home and profile -------------------------------------------------------------------------

KIND_INTRO = {
    OrgKind.ENTERPRISE: gettext_lazy("Your company's profile, data authorisations, vouchers, financing and projects."),
    OrgKind.SERVICE_INSTITUTION: gettext_lazy("Your services, voucher acceptance and redemption claims."),
    OrgKind.BANK: gettext_lazy("Loan products, authorised enterprise data, loan decisions and risk compensation."),
    OrgKind.GUARANTOR: gettext_lazy("Guarantee products, authorised enterprise data and risk sharing."),
    OrgKind.INSURER: gettext_lazy("Insurance products, claims and risk compensation."),
    OrgKind.INVESTOR: gettext_lazy("Investment opportunities and authorised enterprise data."),
    OrgKind.DEPARTMENT: gettext_lazy("Policies, reviews, settlement, supervision and reports."),
    OrgKind.COURT: gettext_lazy("Remote filing, evidence and case handling."),
    OrgKind.MEDIATION_BODY: gettext_lazy("Mediation cases and agreements."),
    OrgKind.NOTARY_OFFICE: gettext_lazy("Evidence preservation and notarial certificates."),
    OrgKind.COLLEGE: gettext_lazy("Programmes, enrolment, graduate employment and company partnerships."),
    OrgKind.CUSTOMS: gettext_lazy("Cross-border research equipment and materials."),
    OrgKind.PLATFORM_OPERATOR: gettext_lazy("Organisations, accounts, audit and platform operations."),
}


@portal_view
def home(request):
    """Work first: what awaits this user (counts and the first few items, from every app's
    registered to-do sources), then the organisation's key figures and a small chart."""
    actor = request.actor
    figures, charts = todo.figures_for(actor)
    chart = charts[0] if charts else None
    context = {
        "intro": KIND_INTRO.get(actor.kind, ""),
        "todos": todo.todos_for(actor),
        "figures": figures,
        "chart": chart,
        "chart_data": {"title": str(chart.title), "labels": [str(x) for x in chart.labels],
                       "values": chart.values, "unit": str(chart.unit)} if chart else None,
        "running_jobs": selectors.job_list(actor=actor).filter(
            status__in=[JobStatus.QUEUED, JobStatus.RUNNING]
        )[:5],
    }
    return render(request, "core/home.html", context)


@sensitive_post_parameters("old_password", "new_password", "new_password_again")
@portal_view
def profile(request):
    actor = request.actor
    user = actor.user
    action = request.POST.get("action") if request.method == "POST" else None
    language_form = LanguageForm(request.POST if action == "language" else None,
                                 initial={"language": user.preferred_language})
    password_form = PasswordChangeForm(request.POST if action == "password" else None)
    if action == "language" and language_form.is_valid():
        language = language_form.cleaned_data["language"]
        services.user_set_language(actor=actor, language=language)
        messages.success(request, _("Your language was saved."))
        response = redirect("core:profile")
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, max_age=settings.LANGUAGE_COOKIE_AGE,
                            samesite="Lax")
        return response
    if action == "password" and password_form.is_valid():
        try:
            services.password_change(actor=actor, user=user, old_password=password_form.cleaned_data["old_password"],
                                     new_password=password_form.cleaned_data["new_password"])
        except DomainError as exc:
            apply_domain_error(password_form, exc)
        else:
            update_session_auth_hash(request, user)
            request.session[SESSION_GENERATION_KEY] = user.session_generation
            messages.success(request, _("Your password was changed. Your other sessions have ended."))
            return redirect("core:profile")
    if action == "sessions":
        services.sessions_end_all(actor=actor, user=user)
        logout(request)
        messages.info(request, _("You have been signed out on every device."))
        return redirect("core:login")
    context = {
        "language_form": language_form,
        "password_form": password_form,
        "memberships": selectors.memberships_of_user(actor=actor),
    }
    return render(request, "core/profile.html", context)


# --- organisations ----------------------------------------------------------------------------

ORGANISATION_COLUMNS = [
    Column(gettext_lazy("ID"), lambda o: o.pk),
    Column(gettext_lazy("Name"), lambda o: o.name),
    Column(gettext_lazy("English name"), lambda o: o.name_en),
    Column(gettext_lazy("Kind"), lambda o: o.get_kind_display()),
    Column(gettext_lazy("Region"), lambda o: o.get_region_display()),
    Column(gettext_lazy("District"), lambda o: o.district),
    Column(gettext_lazy("Unified social credit code"), lambda o: o.credit_code),
    Column(gettext_lazy("Active"), lambda o: o.is_active),
]


@portal_view
def organisation_list(request):
    actor = request.actor
    return list_page(
        request, form_class=OrganisationFilterForm, columns=ORGANISATION_COLUMNS,
        rows=lambda f: selectors.organisation_list(actor=actor, **f),
        template="core/organisation_list.html", filename="organisations",
        context={"sees_all": can(actor, "organisation.view_all")},
    )


@portal_view
def organisation_detail(request, pk: int):
    actor = request.actor
    org = selectors.organisation_get(actor=actor, organisation_id=pk)
    members = selectors.membership_list(actor=actor, organisation=org)
    return render(request, "core/organisation_detail.html", {"org": org, "members": members})


# --- audit ------------------------------------------------------------------------------------

AUDIT_COLUMNS = [
    Column(gettext_lazy("ID"), lambda e: e.pk),
    Column(gettext_lazy("Time (UTC)"), lambda e: e.created_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")),
    Column(gettext_lazy("Actor"), lambda e: e.actor_label),
    Column(gettext_lazy("Organisation"), lambda e: e.organisation.name if e.organisation else ""),
    Column(gettext_lazy("Action"), lambda e: e.action),
    Column(gettext_lazy("Object type"), lambda e: e.object_type),
    Column(gettext_lazy("Object id"), lambda e: e.object_id),
    Column(gettext_lazy("Outcome"), lambda e: e.get_outcome_display()),
    Column(gettext_lazy("Changes"), lambda e: json.dumps(e.changes, ensure_ascii=False, sort_keys=True)),
    Column(gettext_lazy("Request id"), lambda e: e.request_id),
    Column(gettext_lazy("IP address"), lambda e: e.ip),
]


def _audit_rows(actor, filters: dict):
    org = filters.pop("organisation", None)
    return selectors.audit_search(actor=actor, organisation_id=org.pk if org else None, **filters)


@portal_view
def audit_list(request):
    actor = request.actor
    require(actor, "audit.search_all", "audit.search_own", hide=True)
    return list_page(
        request, form_class=AuditFilterForm, form_kwargs={"actor": actor}, columns=AUDIT_COLUMNS,
        rows=lambda f: _audit_rows(actor, f), template="core/audit_list.html", filename="audit",
        per_page=50,
    )


# --- policy parameters ------------------------------------------------------------------------

POLICY_COLUMNS = [
    Column(gettext_lazy("Policy"), lambda p: p.key),
    Column(gettext_lazy("Version"), lambda p: p.version),
    Column(gettext_lazy("Title"), lambda p: p.title),
    Column(gettext_lazy("Status"), lambda p: p.get_status_display()),
    Column(gettext_lazy("Effective from"), lambda p: p.effective_from.isoformat()),
    Column(gettext_lazy("Effective to"), lambda p: p.effective_to.isoformat() if p.effective_to else ""),
    Column(gettext_lazy("Parameters"), lambda p: json.dumps(p.parameters, ensure_ascii=False, sort_keys=True)),
    Column(gettext_lazy("Proposed by"), lambda p: p.created_by.username if p.created_by else ""),
    Column(gettext_lazy("Decided by"), lambda p: p.approved_by.username if p.approved_by else ""),
    Column(gettext_lazy("Source"), lambda p: p.source),
]


def _policy_rows(actor, filters: dict):
    qs = selectors.policy_list(actor=actor, key=filters.get("key"))
    if filters.get("status"):
        qs = qs.filter(status=filters["status"])
    return qs


@portal_view
def policy_list(request):
    actor = request.actor
    require(actor, "policy.view", hide=True)
    in_force = []
    for definition in policies_registry.all_definitions():
        try:
            in_force.append((definition, selectors.policy_in_force(definition.key)))
        except NotFound:
            in_force.append((definition, None))
    return list_page(
        request, form_class=PolicyFilterForm, columns=POLICY_COLUMNS, rows=lambda f: _policy_rows(actor, f),
        template="core/policy_list.html", filename="policies",
        context={"in_force": in_force, "can_propose": can(actor, "policy.propose")},
    )


@portal_view
def policy_detail(request, pk: int):
    actor = request.actor
    policy = selectors.policy_get(actor=actor, policy_id=pk)
    is_author = actor.user is not None and policy.created_by_id == actor.user.pk
    context = {
        "policy": policy,
        "parameters_json": json.dumps(policy.parameters, ensure_ascii=False, indent=2, sort_keys=True),
        "parameter_rows": [
            (name, value if isinstance(value, str) else json.dumps(value, ensure_ascii=False))
            for name, value in sorted(policy.parameters.items())
        ] if isinstance(policy.parameters, dict) else [],
        "can_decide": can(actor, "policy.approve") and policy.status == PolicyStatus.DRAFT,
        "is_author": is_author,
    }
    return render(request, "core/policy_detail.html", context)


@require_POST
@portal_view
def policy_decide(request, pk: int):
    actor = request.actor
    policy = selectors.policy_get(actor=actor, policy_id=pk)
    decision = request.POST.get("decision")
    if decision not in ("approve", "reject"):
        messages.error(request, _("Choose approve or reject."))
        return redirect("core:policy_detail", pk=pk)
    try:
        services.policy_decide(actor=actor, policy=policy, approve=decision == "approve")
    except NotFound:
        raise
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        if decision == "approve":
            messages.success(request, _("Version %(version)s was approved.") % {"version": policy.version})
        else:
            messages.success(request, _("Version %(version)s was rejected.") % {"version": policy.version})
    return redirect("core:policy_detail", pk=pk)


@portal_view
def policy_propose(request):
    actor = request.actor
    require(actor, "policy.propose", hide=True)
    definitions = policies_registry.all_definitions()
    if request.method == "POST":
        form = PolicyProposeForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                version = services.policy_propose(
                    actor=actor, key=data["key"], parameters=data["parameters"], title=data["title"],
                    effective_from=data["effective_from"], effective_to=data["effective_to"], source=data["source"],
                )
            except NotFound:
                raise
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, _("Version %(version)s was proposed; another person must approve it.")
                                 % {"version": version.version})
                return redirect("core:policy_detail", pk=version.pk)
    else:
        key = request.GET.get("key") or (definitions[0].key if definitions else "")
        initial = {"key": key, "effective_from": timezone.localdate()}
        known = {d.key: d for d in definitions}
        if key in known:
            try:
                current = selectors.policy_in_force(key)
                initial["parameters"] = json.dumps(current.parameters, ensure_ascii=False, indent=2, sort_keys=True)
                initial["title"] = current.title
                initial["source"] = current.source
            except NotFound:
                initial["parameters"] = json.dumps(known[key].defaults, ensure_ascii=False, indent=2, sort_keys=True)
        form = PolicyProposeForm(initial=initial)
    return render(request, "core/policy_propose.html", {"form": form, "definitions": definitions})


# --- API keys ---------------------------------------------------------------------------------

API_KEY_COLUMNS = [
    Column(gettext_lazy("Name"), lambda k: k.name),
    Column(gettext_lazy("Prefix"), lambda k: k.prefix),
    Column(gettext_lazy("Created at"), lambda k: _format_time(k.created_at)),
    Column(gettext_lazy("Last used"), lambda k: _format_time(k.last_used_at) if k.last_used_at else ""),
    Column(gettext_lazy("Revoked at"), lambda k: _format_time(k.revoked_at) if k.revoked_at else ""),
]


@never_cache
@portal_view
def api_key_list(request):
    actor = request.actor
    require(actor, "apikey.manage", hide=True)
    form = ApiKeyCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            key, secret = services.api_key_create(actor=actor, name=form.cleaned_data["name"])
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            return render(request, "core/api_key_created.html", {"key": key, "secret": secret})
    return list_page(
        request, form_class=NoFilters, columns=API_KEY_COLUMNS,
        rows=lambda f: selectors.api_key_list(actor=actor).select_related("created_by"),
        template="core/api_key_list.html", filename="api-keys", context={"create_form": form},
    )


@require_POST
@portal_view
def api_key_revoke(request, pk: int):
    actor = request.actor
    require(actor, "apikey.manage", hide=True)
    key = selectors.api_key_get(actor=actor, key_id=pk)
    try:
        services.api_key_revoke(actor=actor, key=key)
    except NotFound:
        raise
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Key %(prefix)s was revoked.") % {"prefix": key.prefix})
    return redirect("core:api_keys")


# --- notifications ----------------------------------------------------------------------------

NOTIFICATION_COLUMNS = [
    Column(gettext_lazy("Time"), lambda n: _format_time(n.created_at)),
    Column(gettext_lazy("Message"), lambda n: render_notification(n.message_id, n.params)),
    Column(gettext_lazy("Read at"), lambda n: _format_time(n.read_at) if n.read_at else ""),
]


@portal_view
def notification_list(request):
    actor = request.actor

    def rows(filters):
        qs = selectors.notification_list(actor=actor)
        return qs.filter(read_at__isnull=True) if filters.get("unread") else qs

    return list_page(request, form_class=NotificationFilterForm, columns=NOTIFICATION_COLUMNS, rows=rows,
                     template="core/notification_list.html", filename="notifications")


def _unread_count(actor) -> int:
    return selectors.notification_list(actor=actor).filter(read_at__isnull=True).count()


@require_POST
@portal_view
def notification_read(request, pk: int):
    actor = request.actor
    notification = selectors.notification_list(actor=actor).filter(pk=pk).first()
    if notification is None:
        raise Http404
    services.notifications_mark_read(actor=actor, ids=[notification.pk])
    notification.refresh_from_db()
    if request.htmx:
        return render(request, "core/partials/notification_row.html",
                      {"n": notification, "unread_notifications": _unread_count(actor), "oob": True})
    return redirect("core:notifications")


@require_POST
@portal_view
def notification_read_all(request):
    count = services.notifications_mark_read(actor=request.actor)
    messages.success(request, _("%(count)s notifications marked as read.") % {"count": count})
    return redirect("core:notifications")


# --- background jobs --------------------------------------------------------------------------

JOB_COLUMNS = [
    Column(gettext_lazy("Job"), lambda j: j.kind),
    Column(gettext_lazy("Status"), lambda j: j.get_status_display()),
    Column(gettext_lazy("Progress (percent)"), lambda j: j.percent),
    Column(gettext_lazy("Started"), lambda j: _format_time(j.created_at)),
    Column(gettext_lazy("Finished"), lambda j: _format_time(j.finished_at) if j.finished_at else ""),
    Column(gettext_lazy("Message"), lambda j: j.message),
]


@portal_view
def job_list(request):
    actor = request.actor

    def rows(filters):
        qs = selectors.job_list(actor=actor)
        return qs.filter(status=filters["status"]) if filters.get("status") else qs

    return list_page(request, form_class=JobFilterForm, columns=JOB_COLUMNS, rows=rows,
                     template="core/job_list.html",
                     filename="jobs")


def _job_context(job) -> dict:
    return {"job": job, "finished": job.status in (JobStatus.SUCCEEDED, JobStatus.FAILED)}


@portal_view
def job_detail(request, pk):
    job = selectors.job_get(actor=request.actor, job_id=pk)
    return render(request, "core/job_detail.html", _job_context(job))


@never_cache
@portal_view
def job_progress(request, pk):
    """HTMX fragment: polled every second while the job runs; the finished fragment stops polling."""
    job = selectors.job_get(actor=request.actor, job_id=pk)
    return render(request, "core/partials/job_progress.html", _job_context(job))


def not_found(request, exception):
    """404: the error envelope for an API path (its callers parse JSON, and a bank client sends
    no cookies to be given a CSRF one), the page otherwise."""
    if request.path_info.startswith("/api/"):
        return JsonResponse(NotFound().envelope(), status=NotFound.status)
    return page_not_found(request, exception)
