"""Writes of the requests app: drafts (saved at every step), finalising, status changes, references, the private
thread, exports and notices. Every function checks permission itself and audits what matters (ids only).

A draft's step saves are not audited one by one (they are the author's own work in progress, visible only to
them and those they share it with); creating, sharing, deleting and finalising a draft are."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from comity.accounts.models import Role, User
from comity.directory.models import Authority
from comity.forum import services as forum_services
from comity.forum.models import SpaceKind
from comity.legalprofiles.choices import Measure
from comity.mail import services as outbox
from comity.reference.models import Country
from comity.requests import auditing, permissions, transitions, writer
from comity.requests.models import Draft, Notice, Request, RequestType, Side, Status, StatusChange

TEXT_LIMIT = 20_000


def _text(value: Any) -> str:
    return str(value or "").replace("\x00", "").strip()[:TEXT_LIMIT]


def _clean_basics(*, actor, data: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    authority = data.get("requesting_authority")
    if not isinstance(authority, Authority) or not permissions.own_authorities(actor).filter(pk=authority.pk).exists():
        errors["requesting_authority"] = [_("Choose your own authority.")]
    country = data.get("requested_country")
    if not isinstance(country, Country):
        errors["requested_country"] = [_("Choose the requested State.")]
    elif isinstance(authority, Authority) and country.pk == authority.country_id:
        errors["requested_country"] = [_("The requested State must be another State than your own.")]
    coop_type = data.get("coop_type") or ""
    if coop_type not in RequestType.values:
        errors["coop_type"] = [_("Choose a type of request.")]
    measures = [m for m in (data.get("measures") or []) if m]
    unknown = [m for m in measures if m not in Measure.values]
    if unknown:
        errors["measures"] = [_("Unknown measure: %(code)s.") % {"code": unknown[0]}]
    if coop_type and coop_type not in writer.TYPES_WITH_MEASURES:
        measures = []
    deadline = data.get("deadline")
    if deadline is not None and not isinstance(deadline, dt.date):
        errors["deadline"] = [_("Enter a date.")]
    if errors:
        raise ValidationError(errors)
    return {
        "requesting_authority": authority,
        "requested_country": country,
        "coop_type": coop_type,
        "measures": list(dict.fromkeys(measures)),
        "urgent": bool(data.get("urgent")),
        "deadline": deadline,
    }


def draft_create(*, actor, data: dict[str, Any]) -> Draft:
    """Start a draft from the first step (authority, requested State, type, measures, urgency)."""
    if not permissions.may_write(actor):
        raise PermissionDenied
    cleaned = _clean_basics(actor=actor, data=data)
    now = timezone.now()
    with transaction.atomic():
        draft = Draft.objects.create(author=actor, created_at=now, updated_at=now, **cleaned)
        auditing.record(
            auditing.DRAFT_CREATED,
            actor=actor,
            target=draft,
            country=cleaned["requesting_authority"].country.iso2,
            details={"type": draft.coop_type, "to": cleaned["requested_country"].iso2},
        )
    return draft


def draft_save_step(*, actor, draft: Draft, step: str, data: dict[str, Any], user_for_requirements=None) -> Draft:
    """Save one step of the writer. Incomplete content is saved as it is (the review step lists what is missing);
    only malformed input is refused."""
    if not permissions.can_edit_draft(actor, draft):
        raise PermissionDenied
    fields: list[str] = []
    if step == "basics":
        cleaned = _clean_basics(actor=actor, data=data)
        if cleaned["requested_country"].pk != draft.requested_country_id:
            draft.requested_authority = None
            draft.legal_basis = ""
            fields += ["requested_authority", "legal_basis"]
        for key, value in cleaned.items():
            setattr(draft, key, value)
        fields += list(cleaned)
    elif step in ("content", "extradition"):
        spec = writer.CONTENT_FIELDS if step == "content" else writer.EXTRADITION_FIELDS
        content = dict(draft.content)
        for key, _label, _required in spec:
            if key in data:
                content[key] = _text(data[key])
        draft.content = content
        fields.append("content")
    elif step == "measures":
        reqs_fiches = writer.fiches_for(draft)
        items = {m: dict(v) for m, v in draft.measure_items.items()}
        for measure in draft.measures:
            answers = data.get(measure) or {}
            for item in writer.fiche_items(reqs_fiches.get(measure)):
                if item in answers:
                    items.setdefault(measure, {})[item] = _text(answers[item])
        draft.measure_items = items
        fields.append("measure_items")
    elif step == "addressing":
        reqs = writer.requirements(user=actor, draft=draft)
        errors: dict[str, list[str]] = {}
        authority_id = data.get("requested_authority")
        if authority_id not in (None, ""):
            match = next((a for a in writer.addressee_choices(reqs) if str(a.pk) == str(authority_id)), None)
            if match is None:
                errors["requested_authority"] = [_("Choose an addressee among the authorities listed.")]
            else:
                draft.requested_authority = match
                reqs = writer.requirements(user=actor, draft=draft)
        basis = data.get("legal_basis") or ""
        if basis and basis != writer.RECIPROCITY and basis not in {b.instrument.slug for b in reqs.bases}:
            errors["legal_basis"] = [_("Choose a legal basis in force between the two States, or reciprocity.")]
        language = data.get("language") or ""
        if language and language not in reqs.letter_languages:
            errors["language"] = [_("Choose one of the languages offered.")]
        channel = data.get("channel") or ""
        if channel and channel not in reqs.channels:
            errors["channel"] = [_("Choose one of the channels the requested authority accepts.")]
        if errors:
            raise ValidationError(errors)
        draft.legal_basis = basis
        draft.language = language or (reqs.letter_languages[0] if len(reqs.letter_languages) == 1 else "")
        draft.channel = channel
        draft.our_reference = _text(data.get("our_reference"))[:100]
        fields += ["requested_authority", "legal_basis", "language", "channel", "our_reference"]
    else:
        raise ValidationError({"step": [_("Unknown step.")]})
    draft.updated_at = timezone.now()
    with transaction.atomic():
        draft.save(update_fields=[*dict.fromkeys(fields), "updated_at"])
    return draft


def draft_share(*, actor, draft: Draft, user: User) -> None:
    """Share a draft with a colleague of the requesting authority (someone holding a seat in it)."""
    if not permissions.can_share_draft(actor, draft):
        raise PermissionDenied
    colleague = (
        permissions.may_write(user)
        and user.pk != actor.pk
        and permissions.authority_ids_of(user).filter(authority_id=draft.requesting_authority_id).exists()
    )
    if not colleague:
        raise ValidationError({"user": [_("You can share a draft only with a colleague of your own authority.")]})
    with transaction.atomic():
        draft.shared_with.add(user)
        auditing.record(
            auditing.DRAFT_SHARED,
            actor=actor,
            target=draft,
            country=draft.requesting_authority.country.iso2,
            details={"user": user.pk},
        )


def draft_delete(*, actor, draft: Draft) -> None:
    if not permissions.can_share_draft(actor, draft):
        raise PermissionDenied
    with transaction.atomic():
        auditing.record(
            auditing.DRAFT_DELETED, actor=actor, target=draft, country=draft.requesting_authority.country.iso2
        )
        draft.delete()


def draft_finalise(*, actor, draft: Draft, now: dt.datetime | None = None) -> Request:
    """Turn a complete draft into the request both central authorities follow. Refused while a required item is
    missing (the error lists them all)."""
    if not permissions.can_edit_draft(actor, draft):
        raise PermissionDenied
    now = now or timezone.now()
    reqs = writer.requirements(user=actor, draft=draft)
    missing = writer.missing_items(draft=draft, reqs=reqs)
    if missing:
        raise ValidationError({"draft": [_("Missing: %(item)s") % {"item": m.label} for m in missing]})
    assert draft.requested_authority is not None  # noqa: S101 - missing_items checked it
    with transaction.atomic():
        locked = (
            Draft.objects.select_for_update().filter(pk=draft.pk, finalised_at__isnull=True).update(finalised_at=now)
        )
        if not locked:
            raise ValidationError({"draft": [_("This draft was already finalised.")]})
        draft.finalised_at = now
        request = Request.objects.create(
            draft=draft,
            requesting_authority=draft.requesting_authority,
            requested_authority=draft.requested_authority,
            requesting_country=draft.requesting_authority.country,
            requested_country=draft.requested_country,
            coop_type=draft.coop_type,
            measures=list(draft.measures),
            urgent=draft.urgent,
            deadline=draft.deadline,
            channel=draft.channel,
            language=draft.language,
            requesting_reference=draft.our_reference,
            status=Status.SENT,
            sent_at=now,
            created_by=actor,
            updated_at=now,
            tlp=draft.tlp,
        )
        StatusChange.objects.create(
            request=request, from_status="", to_status=Status.SENT, side=Side.REQUESTING, actor=actor, created_at=now
        )
        auditing.record(
            auditing.REQUEST_CREATED,
            actor=actor,
            target=request,
            country=request.requesting_country.iso2,
            details={"draft": draft.pk, "type": request.coop_type, "to": request.requested_country.iso2},
        )
        notify(request=request, kind=Notice.Kind.CREATED, to_side=Side.REQUESTED, now=now)
    return request


def request_status_set(
    *, actor, request: Request, status: str, note: str = "", now: dt.datetime | None = None
) -> Request:
    """Move a request to `status` if the transition table lets the actor's side do so. A refusal needs its
    grounds. One conditional UPDATE on the old status: two people acting at once cannot both move it."""
    sides = permissions.sides_of(actor, request)
    if not sides:
        raise PermissionDenied
    note = _text(note)
    if status not in Status.values:
        raise ValidationError({"status": [_("Unknown status: %(status)s.") % {"status": status}]})
    side = transitions.allowed(request.status, status)
    if side is None:
        raise ValidationError(
            {
                "status": [
                    _("A request cannot go from “%(old)s” to “%(new)s”.")
                    % {"old": Status(request.status).label, "new": Status(status).label}
                ]
            }
        )
    if side not in sides:
        raise ValidationError(
            {
                "status": [
                    _("Only the %(side)s may set “%(new)s”.")
                    % {"side": Side(side).label.lower(), "new": Status(status).label}
                ]
            }
        )
    if status == Status.REFUSED and not note:
        raise ValidationError({"note": [_("Give the grounds for refusal.")]})
    now = now or timezone.now()
    values: dict[str, Any] = {"status": status, "updated_at": now}
    if status in (Status.RECEIVED, Status.ACKNOWLEDGED) and request.received_at is None:
        values["received_at"] = now
    if status == Status.ACKNOWLEDGED or (
        status in (Status.IN_EXECUTION, Status.ADDITIONAL_INFORMATION_REQUESTED) and request.acknowledged_at is None
    ):
        values["acknowledged_at"] = request.acknowledged_at or now
        values["received_at"] = request.received_at or now
    if status in (Status.EXECUTED, Status.REFUSED, Status.WITHDRAWN):
        values["closed_at"] = now
    if status == Status.REFUSED:
        values["refusal_grounds"] = note
    old = request.status
    with transaction.atomic():
        changed = Request.objects.filter(pk=request.pk, status=old).update(**values)
        if not changed:
            raise ValidationError({"status": [_("The status changed meanwhile; reload the page and try again.")]})
        for key, value in values.items():
            setattr(request, key, value)
        StatusChange.objects.create(
            request=request, from_status=old, to_status=status, side=side, note=note, actor=actor, created_at=now
        )
        auditing.record(
            auditing.STATUS_CHANGED,
            actor=actor,
            target=request,
            country=(request.requested_country if side == Side.REQUESTED else request.requesting_country).iso2,
            details={"from": old, "to": status, "side": side},
        )
        other = Side.REQUESTING if side == Side.REQUESTED else Side.REQUESTED
        notify(request=request, kind=Notice.Kind.STATUS, to_side=other, now=now)
    return request


def request_reference_set(*, actor, request: Request, reference: str) -> Request:
    """Each side records its own reference."""
    sides = permissions.sides_of(actor, request)
    if not sides:
        raise PermissionDenied
    reference = _text(reference)[:100]
    field = "requested_reference" if Side.REQUESTED in sides else "requesting_reference"
    with transaction.atomic():
        setattr(request, field, reference)
        request.updated_at = timezone.now()
        request.save(update_fields=[field, "updated_at"])
        side = Side.REQUESTED if field == "requested_reference" else Side.REQUESTING
        auditing.record(auditing.REFERENCE_SET, actor=actor, target=request, details={"side": side})
        other = Side.REQUESTING if side == Side.REQUESTED else Side.REQUESTED
        notify(request=request, kind=Notice.Kind.UPDATED, to_side=other)
    return request


def request_thread_open(*, actor, request: Request):
    """The private consultation about a request (forum), with its encrypted file shelf (files): opened once, for
    both authorities and the coordinators of both countries, marked TLP:RED. Its name is the platform's number only."""
    if not permissions.sides_of(actor, request):
        raise PermissionDenied
    if request.space_id:
        return request.space
    coordinators = list(side_people(request, Side.REQUESTING, coordinators_only=True)) + list(
        side_people(request, Side.REQUESTED, coordinators_only=True)
    )
    with transaction.atomic():
        locked = Request.objects.select_for_update().get(pk=request.pk)
        if locked.space_id:
            return locked.space
        space = forum_services.space_create(
            actor=actor,
            kind=SpaceKind.PRIVATE,
            name=_("Request no. %(number)s") % {"number": request.pk},
            default_tlp="red",
            invite_users=[u for u in coordinators if u.pk != actor.pk],
            invite_authorities=[request.requesting_authority, request.requested_authority],
        )
        Request.objects.filter(pk=request.pk).update(space=space)
        request.space = space
        auditing.record(auditing.THREAD_OPENED, actor=actor, target=request, details={"space": space.pk})
    return space


def document_downloaded(*, actor, request: Request | None = None, draft: Draft | None = None, fmt: str) -> None:
    target = request or draft
    auditing.record(auditing.DOCUMENT_DOWNLOADED, actor=actor, target=target, details={"format": fmt})


def register_exported(*, actor, direction: str, rows: int, filters: dict) -> None:
    auditing.record(
        auditing.REGISTER_EXPORTED,
        actor=actor,
        details={"direction": direction, "rows": rows, "filters": filters},
    )


# --- notices ---------------------------------------------------------------------------------------------------


def side_people(request: Request, side: str, *, coordinators_only: bool = False):
    """The people of one side: holders of a current seat in its authority, and the coordinators of its country."""
    authority = request.requesting_authority if side == Side.REQUESTING else request.requested_authority
    country_id = request.requesting_country_id if side == Side.REQUESTING else request.requested_country_id
    condition = Q(role=Role.COORDINATOR, coordinated_countries__pk=country_id)
    if not coordinators_only:
        condition |= Q(contact_seats__authority=authority, contact_seats__end_date__isnull=True)
    return User.objects.filter(condition, is_active=True, role__in=permissions.WRITER_ROLES).distinct()


def notify(*, request: Request, kind: str, to_side: str, now: dt.datetime | None = None) -> int:
    """Tell one side that something changed: an in-app notice and an e-mail that says only that, with a link.
    Never the content of the request (TLP:RED)."""
    now = now or timezone.now()
    people = list(side_people(request, to_side))
    Notice.objects.bulk_create([Notice(user=u, request=request, kind=kind, created_at=now) for u in people])
    for user in people:
        with translation.override(user.preferred_language or "en"):
            link = settings.COMITY_BASE_URL.rstrip("/") + reverse("requests:request_detail", args=[request.pk])
            subject = _("Comity: request no. %(number)s changed") % {"number": request.pk}
            body = (
                _(
                    "Something changed on a request your authority follows in Comity (request no. %(number)s). "
                    "Its content is TLP:RED and is not sent by e-mail. Sign in to read it:"
                )
                % {"number": request.pk}
                + "\n\n"
                + link
                + "\n"
            )
        outbox.outbox_enqueue(
            to=user.email, subject=subject, body_text=body, user=user, category="notification", now=now
        )
    if people:
        outbox.schedule_delivery()
    return len(people)


def notice_mark_read(*, user, request: Request) -> int:
    return Notice.objects.filter(user=user, request=request, read_at__isnull=True).update(read_at=timezone.now())
