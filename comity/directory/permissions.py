"""Who may see and edit directory records. Deny by default; hidden records answer 404.

Contact fields carry a visibility (public, members, network, secretariat). Anonymous visitors and the
public API only ever receive public fields.
"""

from __future__ import annotations

from django.db.models import QuerySet

from comity.directory.models import CONTACT_RESTRICTABLE_FIELDS, Authority, Contact, Visibility


def is_member(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def can_edit_country(user, country_code: str) -> bool:
    if not is_member(user):
        return False
    return user.is_secretariat or (user.is_coordinator and country_code in user.coordinated_country_codes())


def may_edit_some_country(user) -> bool:
    """Only the secretariat and national coordinators write to the directory at all."""
    return is_member(user) and (user.is_secretariat or bool(user.coordinated_country_codes()))


def can_edit_authority(user, authority: Authority) -> bool:
    return can_edit_country(user, authority.country.iso2)


def authorities_visible_to(user) -> QuerySet[Authority]:
    """Active authorities for everyone; editors also see the inactive ones of their countries."""
    qs = Authority.objects.all()
    if not is_member(user):
        return qs.filter(is_active=True)
    if user.is_secretariat:
        return qs
    if user.is_coordinator:
        from django.db.models import Q

        return qs.filter(Q(is_active=True) | Q(country__iso2__in=user.coordinated_country_codes()))
    return qs.filter(is_active=True)


def authority_visibility_class(user) -> str:
    """Viewers of the same class see the same authorities (`authorities_visible_to`): a kept list is shared by
    the class only. Keep the two functions in step."""
    if not is_member(user):
        return "public"
    if user.is_secretariat:
        return "all"
    if user.is_coordinator:
        return "coordinator:" + ",".join(sorted(user.coordinated_country_codes()))
    return "public"


def contacts_visible_to(user) -> QuerySet[Contact]:
    return Contact.objects.filter(authority__in=authorities_visible_to(user))


def _viewer_facts(user) -> tuple[str, frozenset[str], frozenset[str]]:
    """What the visibility rules read of a member: their country's code, the countries that share at least one
    cooperation network with it, and the countries of which they are a current contact point. Kept per person
    (comity.core.fragments) until the directory or the reference data change; the key holds their country."""
    cached = user.__dict__.get("_directory_viewer_facts")
    if cached is None:
        from comity.core import fragments
        from comity.directory.selectors import GENERATION
        from comity.reference.selectors import GENERATION as REFERENCE_GENERATION

        cached = fragments.cached(
            "directory-viewer",
            (user.pk, user.country_id),
            lambda: _load_viewer_facts(user),
            generation_names=(GENERATION, REFERENCE_GENERATION),
            localized=False,
        )
        user.__dict__["_directory_viewer_facts"] = cached
    return cached


def _load_viewer_facts(user) -> tuple[str, frozenset[str], frozenset[str]]:
    """The three facts of `_viewer_facts` in one query."""
    from django.db.models import CharField, Value

    from comity.reference.models import Country, NetworkMembership

    def tagged(queryset, tag: str, code: str):
        return queryset.order_by().annotate(tag=Value(tag, output_field=CharField())).values_list("tag", code)

    own = Country.objects.filter(pk=user.country_id)
    networks = NetworkMembership.objects.filter(country_id=user.country_id).values("network_id")
    partners = NetworkMembership.objects.filter(network_id__in=networks)
    contact_of = Contact.objects.filter(user=user, end_date__isnull=True)
    rows = tagged(own, "own", "iso2").union(
        tagged(partners, "partner", "country__iso2"),
        tagged(contact_of, "contact", "authority__country__iso2"),
        all=True,
    )
    found: dict[str, set[str]] = {"own": set(), "partner": set(), "contact": set()}
    for tag, code in rows:
        found[tag].add(code)
    return next(iter(found["own"]), ""), frozenset(found["partner"]), frozenset(found["contact"])


def network_partner_codes(user) -> frozenset[str]:
    """Countries that share at least one cooperation network with the viewer's country."""
    if not is_member(user) or not user.country_id:
        return frozenset()
    return _viewer_facts(user)[1]


def allowed_levels(user, country_code: str) -> set[str]:
    """The visibility levels a viewer may read for contacts of one country."""
    if not is_member(user):
        return {Visibility.PUBLIC}
    if user.is_secretariat or can_edit_country(user, country_code):
        return set(Visibility.values)
    levels: set[str] = {Visibility.PUBLIC, Visibility.MEMBERS}
    if country_code in network_partner_codes(user) or (user.country_id and _viewer_facts(user)[0] == country_code):
        levels.add(Visibility.NETWORK)
    return levels


def contact_visibility_class(user, country_code: str) -> tuple:
    """Viewers of the same class see the same authorities and the same fields of the contacts of one country
    (`authorities_visible_to`, `visible_contact_fields`): what is kept for one is shared by the class only. A
    viewer who is a current contact point of that country sees all of their own fields: their class is their own.
    """
    own = is_member(user) and country_code in _viewer_facts(user)[2]
    return (
        authority_visibility_class(user),
        tuple(sorted(allowed_levels(user, country_code))),
        f"user:{user.pk}" if own else "",
    )


def visible_contact_fields(user, contact: Contact, country_code: str) -> set[str]:
    levels = allowed_levels(user, country_code)
    if is_member(user) and contact.user_id == user.pk:
        levels = set(Visibility.values)
    return {name for name in CONTACT_RESTRICTABLE_FIELDS if contact.visibility_of(name) in levels}
