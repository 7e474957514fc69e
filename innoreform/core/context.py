"""Per-request context (request id, client IP) that audit records pick up without threading
the request through every service call."""

import contextvars
import uuid
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestContext:
    request_id: str
    ip: str | None


_current: contextvars.ContextVar[RequestContext | None] = contextvars.ContextVar("request_context", default=None)


def current() -> RequestContext | None:
    return _current.get()


def begin(*, request_id: str | None, ip: str | None) -> contextvars.Token:
    rid = request_id if request_id and len(request_id) <= 64 and request_id.isprintable() else uuid.uuid4().hex
    return _current.set(RequestContext(request_id=rid, ip=ip))


def end(token: contextvars.Token) -> None:
    _current.reset(token)
