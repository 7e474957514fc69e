"""Idempotency-Key for money-moving API calls (Stripe's semantics, IETF draft):

- missing key: 400 `idempotency_key_missing`;
- first use: the operation runs; its response is stored in the SAME transaction as its effect,
  so a crash leaves either both or neither;
- replay with the same body: the stored status and body, without running again;
- same key, different body (or another endpoint): 422 `idempotency_key_reused`;
- same key while the first call is still running: 409 `idempotency_request_in_flight`.
Keys are scoped per client (an organisation's API keys share a scope; a session user has one).

Usage in a ninja operation:

    @router.post("/things", response=responses({201: ThingOut}, 409), operation_id="thing_create")
    def create(request, payload: ThingIn, idempotency_key: IdempotencyKeyHeader = None):
        return idempotent(request, key=idempotency_key,
                          run=lambda: (201, ThingOut.from_model(thing_create(actor=request.auth, ...))))

A service with its own `transaction.atomic(durable=True)` takes the key instead (`idempotent_service`):
it claims the key first and stores the answer last, inside that one transaction.
"""

import hashlib
import json
from collections.abc import Callable
from datetime import timedelta
from typing import Annotated, Any

from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.http.request import RawPostDataException
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Header
from ninja.responses import NinjaJSONEncoder
from pydantic import BaseModel

from .actor import Actor
from .errors import BadRequest, Conflict, DomainError, ValidationFailed
from .models import IdempotencyRecord

MAX_KEY_LENGTH = 255

# Required in the schema; a request without it gets 400 `idempotency_key_missing` (see
# api_support's validation handler), as the IETF draft asks, rather than a generic 422.
IdempotencyKeyHeader = Annotated[str, Header(alias="Idempotency-Key", min_length=1, max_length=MAX_KEY_LENGTH)]
IDEMPOTENCY_HEADER = "Idempotency-Key"
# An in-flight record older than this belongs to a crashed request: its effect never committed
# (the response is stored in the effect's transaction), so the key may run again.
ABANDONED_AFTER = timedelta(minutes=5)


def _fingerprint(request) -> str:
    digest = hashlib.sha256()
    digest.update(request.method.encode())
    digest.update(b"\0")
    digest.update(request.path.encode())
    digest.update(b"\0")
    try:
        digest.update(request.body or b"")
    except RawPostDataException:
        # A multipart upload already parsed by Django: hash its fields and files' contents.
        for name, values in sorted(request.POST.lists()):
            digest.update(json.dumps([name, values]).encode())
        for name, files in sorted(request.FILES.lists()):
            for upload in files:
                digest.update(json.dumps([name, upload.name, upload.size]).encode())
                for chunk in upload.chunks():
                    digest.update(chunk)
                upload.seek(0)
    return digest.hexdigest()


def _jsonable(body: Any) -> Any:
    if isinstance(body, BaseModel):
        return body.model_dump(mode="json")
    if isinstance(body, list):
        return [_jsonable(b) for b in body]
    return json.loads(json.dumps(body, default=str))


def _stored(scope: str, key: str, request, fingerprint: str) -> tuple[int, Any] | None:
    """For a key already recorded: the stored response, or a refusal; None when an abandoned
    claim was taken over (the caller claims again)."""
    existing = IdempotencyRecord.objects.get(scope=scope, key=key)
    if existing.request_hash != fingerprint:
        raise ValidationFailed(_("This Idempotency-Key was used with a different request."),
                               code="idempotency_key_reused")
    if existing.response_status is not None:
        return existing.response_status, existing.response_body
    if timezone.now() - existing.created_at > ABANDONED_AFTER:
        # Take over an abandoned claim; the conditional delete makes exactly one taker win.
        if IdempotencyRecord.objects.filter(pk=existing.pk, response_status__isnull=True).delete()[0]:
            return None
    raise Conflict(_("A request with this Idempotency-Key is still in progress."),
                   code="idempotency_request_in_flight")


def _claim(scope: str, key: str, request, fingerprint: str) -> IdempotencyRecord | tuple[int, Any]:
    """Insert the in-flight record, or return the stored response for a replay."""
    try:
        with transaction.atomic():
            return IdempotencyRecord.objects.create(
                scope=scope, key=key, method=request.method, path=request.path[:500], request_hash=fingerprint
            )
    except IntegrityError:
        pass
    stored = _stored(scope, key, request, fingerprint)
    return _claim(scope, key, request, fingerprint) if stored is None else stored


def _answer(status: int, body: Any) -> HttpResponse:
    """The stored answer as the response, rendered as the API's JSON renderer would. The body was
    made by the operation's output schema (or is the stored copy of one), so it is not validated
    again: a replay returns exactly what was stored, and the first call is not validated twice."""
    return HttpResponse(json.dumps(body, cls=NinjaJSONEncoder), status=status,
                        content_type="application/json; charset=utf-8")


def _checked(request, key: str) -> str:
    """The caller's scope, once the key is well formed."""
    actor: Actor = request.auth
    if not key:
        raise BadRequest(_("This operation needs an Idempotency-Key header."), code="idempotency_key_missing")
    if len(key) > MAX_KEY_LENGTH or not key.isprintable():
        raise BadRequest(_("The Idempotency-Key must be at most 255 printable characters."),
                         code="idempotency_key_invalid")
    return actor.scope


def idempotent(request, *, key: str, run: Callable[[], tuple[int, Any]]) -> HttpResponse:
    """Run `run` at most once per key: claim the key (committed at once, so a concurrent call
    answers 409 in flight), run the operation and store its answer in one transaction."""
    scope = _checked(request, key)
    claimed = _claim(scope, key, request, _fingerprint(request))
    if not isinstance(claimed, IdempotencyRecord):
        return _answer(*claimed)
    record = claimed
    try:
        with transaction.atomic():
            status, body = run()
            stored = _jsonable(body)
            IdempotencyRecord.objects.filter(pk=record.pk).update(
                response_status=status, response_body=stored, completed_at=timezone.now()
            )
        return _answer(status, stored)
    except DomainError as exc:
        # A definite business answer (e.g. 409 insufficient funds) is replayed like a success.
        IdempotencyRecord.objects.filter(pk=record.pk).update(
            response_status=exc.status, response_body=exc.envelope(), completed_at=timezone.now()
        )
        raise
    except BaseException:
        # Unknown outcome with nothing committed: free the key so the client can retry.
        IdempotencyRecord.objects.filter(pk=record.pk).delete()
        raise


class KeyClaim:
    """An Idempotency-Key for a service to claim and answer inside its own transaction:

        with transaction.atomic(durable=True):
            key.claim()           # first: a concurrent call with this key waits here, then replays
            ...                   # the effect
            key.store(result)     # last: the answer commits with the effect

    `answer(result)` gives the (status, body) to store and return."""

    def __init__(self, request, scope: str, key: str, answer: Callable[[Any], tuple[int, Any]]):
        self.request, self.scope, self.key, self.answer = request, scope, key, answer
        self.fingerprint = _fingerprint(request)
        self.record: IdempotencyRecord | None = None
        self.stored: tuple[int, Any] | None = None
        self.taken = False

    def claim(self) -> None:
        try:
            self.record = IdempotencyRecord.objects.create(
                scope=self.scope, key=self.key, method=self.request.method, path=self.request.path[:500],
                request_hash=self.fingerprint)
        except IntegrityError:
            self.taken = True  # answered already (or by a call that committed while this one waited)
            raise

    def store(self, result: Any) -> None:
        status, body = self.answer(result)
        self.stored = (status, _jsonable(body))
        IdempotencyRecord.objects.filter(pk=self.record.pk).update(
            response_status=status, response_body=self.stored[1], completed_at=timezone.now())


def idempotent_service(request, *, key: str, answer: Callable[[Any], tuple[int, Any]],
                       run: Callable[[KeyClaim], Any]) -> HttpResponse:
    """Run `run(claim)`, a service call that claims and answers the key in its own transaction
    (KeyClaim), at most once per key. As the claim commits only with the answer, a duplicate
    never sees the key in flight: it waits for the first call's commit and replays its answer.
    A business error rolls the claim back with the effect; it is stored on its own afterwards."""
    claim = KeyClaim(request, _checked(request, key), key, answer)
    try:
        run(claim)
    except IntegrityError:
        if not claim.taken:
            raise
        return _replay(claim) or idempotent_service(request, key=key, answer=answer, run=run)
    except DomainError as exc:
        try:
            with transaction.atomic():
                IdempotencyRecord.objects.create(
                    scope=claim.scope, key=key, method=request.method, path=request.path[:500],
                    request_hash=claim.fingerprint, response_status=exc.status, response_body=exc.envelope(),
                    completed_at=timezone.now())
        except IntegrityError:  # another call with this key stored its answer meanwhile
            replay = _replay(claim)
            if replay is None:
                raise exc from None
            return replay
        raise
    if claim.stored is None:
        raise RuntimeError("the service did not store the Idempotency-Key's answer")
    return _answer(*claim.stored)


def _replay(claim: KeyClaim) -> HttpResponse | None:
    """The stored answer for the claimed key (or a refusal); None when an abandoned claim of
    `idempotent` was taken over and the call may run again."""
    stored = _stored(claim.scope, claim.key, claim.request, claim.fingerprint)
    return None if stored is None else _answer(*stored)
