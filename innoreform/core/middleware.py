"""Request id and client IP for audit and logs; the acting organisation for signed-in users."""

import logging
import re
import time

import csp.middleware as _csp
import django.contrib.auth.middleware as _auth
import django.contrib.messages.middleware as _messages
import django.contrib.sessions.middleware as _sessions
import django_htmx.middleware as _htmx
from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.models import AnonymousUser

from . import context
from .actor import Actor
from .errors import BadRequest, PayloadTooLarge

log = logging.getLogger("innoreform.request")
SESSION_ORG_KEY = "acting_organisation_id"
SESSION_GENERATION_KEY = "session_generation"


def client_ip(request) -> str | None:
    # Behind a proxy set DJANGO_TRUST_X_FORWARDED_FOR; otherwise the socket address is the truth.
    if getattr(settings, "TRUST_X_FORWARDED_FOR", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip() or None
    return request.META.get("REMOTE_ADDR") or None


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return in_request_context(request, self.get_response)


def in_request_context(request, get_response):
    """get_response(request) with the request id and client IP set for audit and logs, its
    answer carrying the request id, counted in the request metrics."""
    token = context.begin(request_id=request.headers.get("X-Request-ID"), ip=client_ip(request))
    started = time.perf_counter()
    try:
        response = get_response(request)
    finally:
        ctx = context.current()
        context.end(token)
    response["X-Request-ID"] = ctx.request_id if ctx else ""
    from .ops import observe_request

    observe_request(request, response, time.perf_counter() - started)
    return response


BANK_API_PREFIX = "/api/bank/"
BANK_API_DOCS = "/api/bank/v1/docs"
# The bank API authenticates every call with X-API-Key and sets no cookies, so sessions,
# users, messages, HTMX and the HTML content-security policy are work without effect there.
# Its interactive docs page is HTML: it keeps them.
BANK_API_CSP = "default-src 'none'; frame-ancestors 'none'"


def is_bank_api(request) -> bool:
    return request.path_info.startswith(BANK_API_PREFIX) and not request.path_info.startswith(BANK_API_DOCS)


class SkipOnBankApi:
    """Mixin before a middleware class: bank API calls pass straight to the next layer (after
    `on_bank_api(request)`); every other request gets the middleware. Subclassing keeps the
    system checks (admin's need for sessions and messages) satisfied."""

    def on_bank_api(self, request) -> None:
        pass

    def __call__(self, request):
        if is_bank_api(request):
            self.on_bank_api(request)
            return self.get_response(request)
        return super().__call__(request)


class SessionMiddleware(SkipOnBankApi, _sessions.SessionMiddleware):
    pass


class AuthenticationMiddleware(SkipOnBankApi, _auth.AuthenticationMiddleware):
    def on_bank_api(self, request) -> None:
        request.user = AnonymousUser()  # the caller is request.auth, the API key's actor


class MessageMiddleware(SkipOnBankApi, _messages.MessageMiddleware):
    pass


class HtmxMiddleware(SkipOnBankApi, _htmx.HtmxMiddleware):
    pass


class CSPMiddleware(SkipOnBankApi, _csp.CSPMiddleware):
    """The bank API answers JSON: a constant policy that allows nothing, instead of building the
    pages' policy and nonce on every call."""

    def __call__(self, request):
        if is_bank_api(request):
            response = self.get_response(request)
            if "Content-Security-Policy" not in response:
                response["Content-Security-Policy"] = BANK_API_CSP
            return response
        return super().__call__(request)


class ActorMiddleware:
    """Sets request.actor for session users; ends sessions whose generation was bumped
    (password change, account disabled, sign out everywhere)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.actor = None
        if is_bank_api(request):
            return self.get_response(request)
        user = request.user
        if user.is_authenticated:
            if request.session.get(SESSION_GENERATION_KEY, 0) != user.session_generation or not user.is_active:
                logout(request)
            else:
                request.actor = Actor.for_user(user, request.session.get(SESSION_ORG_KEY))
        return self.get_response(request)


class PortalLanguageMiddleware:
    """Pages open in zh-hans unless the visitor chose a language (cookie) or, when signed in, set
    one on their profile. Browser Accept-Language is honoured only by the APIs, whose callers
    ask for a language explicitly. Sits before LocaleMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith("/api/") and settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
            request.META["HTTP_ACCEPT_LANGUAGE"] = settings.LANGUAGE_CODE
        return self.get_response(request)


class RejectNulMiddleware:
    """PostgreSQL text cannot hold NUL characters; an API body or query containing one would fail
    deep in the database. Refuse it up front with the error envelope (forms already reject NUL),
    and answer an API body over DATA_UPLOAD_MAX_MEMORY_SIZE with a 413 envelope instead of
    Django's HTML 400 page (or a 500 when the API read the body itself)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return nul_refusal(request) or self.get_response(request)


def nul_refusal(request):
    """For an API call: a 400 envelope when it carries a NUL character, a 413 envelope when its
    body is over the limit (or a 400 one for too many form fields or files); else None."""
    if not request.path.startswith("/api/"):
        return None
    from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
    from django.http import JsonResponse
    from django.http.multipartparser import MultiPartParserError
    from django.utils.translation import gettext as _

    try:
        error = BadRequest(_("Text may not contain NUL characters."), code="nul_character") \
            if _has_nul(request) else None
    except RequestDataTooBig:
        error = PayloadTooLarge(details={"limit_bytes": settings.DATA_UPLOAD_MAX_MEMORY_SIZE})
    except (TooManyFieldsSent, TooManyFilesSent):
        error = BadRequest(_("The request has too many form fields or files."), code="too_many_fields")
    except MultiPartParserError:
        error = BadRequest(_("The request body could not be read as its Content-Type says."),
                           code="malformed_body")
    if error is None:
        return None
    return JsonResponse(error.envelope(), status=error.status)


# A JSON \u0000 escape: an odd run of backslashes before u0000 (an even run is an escaped
# backslash followed by the plain text "u0000").
_JSON_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")


def _has_nul(request) -> bool:
    if "%00" in request.META.get("QUERY_STRING", "") or "\x00" in request.path:
        return True
    content_type = request.META.get("CONTENT_TYPE", "").split(";")[0].strip().lower()
    if content_type in ("multipart/form-data", "application/x-www-form-urlencoded"):
        # Django parses these (file parts may be binary and hold NUL bytes: they are not text).
        # Reading them here raises RequestDataTooBig for over-limit fields, as request.body would.
        return any("\x00" in key or "\x00" in value for key, values in request.POST.lists() for value in values)
    # Every other type, spelled any way or absent: django-ninja parses the body as JSON
    # whatever the Content-Type says, so look at the raw bytes. Reading request.body raises
    # RequestDataTooBig when Content-Length is over DATA_UPLOAD_MAX_MEMORY_SIZE.
    body = request.body
    return b"\x00" in body or _JSON_NUL.search(body) is not None
