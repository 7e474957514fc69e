"""Request id and client IP for audit and logs; the acting organisation for signed-in users."""

import logging
import time

from django.conf import settings
from django.contrib.auth import logout

from . import context
from .actor import Actor

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
        token = context.begin(request_id=request.headers.get("X-Request-ID"), ip=client_ip(request))
        started = time.perf_counter()
        try:
            response = self.get_response(request)
        finally:
            ctx = context.current()
            context.end(token)
        response["X-Request-ID"] = ctx.request_id if ctx else ""
        from .ops import observe_request

        observe_request(request, response, time.perf_counter() - started)
        return response


class ActorMiddleware:
    """Sets request.actor for session users; ends sessions whose generation was bumped
    (password change, account disabled, sign out everywhere)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.actor = None
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
    deep in the database. Refuse it up front with the error envelope (forms already reject NUL)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith("/api/") and self._has_nul(request):
            from django.http import JsonResponse
            from django.utils.translation import gettext as _

            return JsonResponse({"code": "validation_failed", "message": _("Text may not contain NUL characters."),
                                 "details": {}}, status=422)
        return self.get_response(request)

    @staticmethod
    def _has_nul(request) -> bool:
        if "%00" in request.META.get("QUERY_STRING", "") or "\x00" in request.path:
            return True
        content_type = request.META.get("CONTENT_TYPE", "")
        if content_type.startswith("application/json"):
            body = request.body
            return b"\\u0000" in body or b"\x00" in body
        return False
