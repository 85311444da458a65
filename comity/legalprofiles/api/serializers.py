"""What the legal profiles API returns and accepts. Reads are built from the selectors' rows; writes are validated
by the services (the same rules as the pages), these write serializers only document the bodies."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from comity.directory.models import Channel
from comity.legalprofiles import selectors, services
from comity.legalprofiles.choices import CooperationType, LegalTradition, Measure
from comity.legalprofiles.models import Answer, Availability, Rule, TreatylessBasis


def choice(catalogue, **kwargs) -> serializers.ChoiceField:
    """A choice field documented inline as an enum of the catalogue's codes: the catalogues share their values
    (Rule, Answer) between many fields, which would otherwise give one enum component per field name, each with a
    naming warning. Inside `allOf`, the enum stays inline. With `allow_blank`, "" (not recorded) is one of them."""

    codes = list(catalogue.values) + ([""] if kwargs.get("allow_blank") else [])

    @extend_schema_field({"type": "string", "allOf": [{"enum": codes}]})
    class CatalogueField(serializers.ChoiceField):
        pass

    return CatalogueField(choices=catalogue.choices, **kwargs)


class AuthorityRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    languages_accepted = serializers.ListField(child=serializers.CharField(), required=False)


class ProvenanceSerializer(serializers.Serializer):
    source = serializers.CharField()
    as_of = serializers.DateField(allow_null=True)
    verified = serializers.BooleanField(help_text="False: nobody has checked these facts against their source.")
    is_demo = serializers.BooleanField(help_text="True: invented demo content.")
    text_language = serializers.CharField()
    effective_from = serializers.DateField()
    updated_at = serializers.DateTimeField()
    last_confirmed_at = serializers.DateTimeField()
    confirmation_due = serializers.BooleanField()


def provenance(record) -> dict:
    return {
        "source": record.source,
        "as_of": record.as_of,
        "verified": record.verified,
        "is_demo": record.is_demo,
        "text_language": record.text_language,
        "effective_from": record.effective_from,
        "updated_at": record.updated_at,
        "last_confirmed_at": record.last_confirmed_at,
        "confirmation_due": selectors.freshness(record.last_confirmed_at)["due"],
    }


class FicheSerializer(serializers.Serializer):
    country = serializers.CharField()
    measure = choice(Measure)
    measure_label = serializers.CharField()
    recorded = serializers.BooleanField(help_text="False: no fiche is written yet; availability is then unknown.")
    availability = choice(Availability)
    legal_conditions = serializers.CharField()
    competent_authority = AuthorityRefSerializer(allow_null=True)
    contents = serializers.ListField(child=serializers.CharField(), help_text="What the request must contain.")
    time_limits = serializers.CharField()
    remarks = serializers.CharField()
    url = serializers.CharField(help_text="The fiche's page.")
    provenance = ProvenanceSerializer(allow_null=True)


def fiche_data(country, measure: str, fiche) -> dict:
    authority = fiche.competent_authority if fiche is not None else None
    return {
        "country": country.iso2,
        "measure": measure,
        "measure_label": str(Measure(measure).label),
        "recorded": fiche is not None,
        "availability": fiche.availability if fiche else Availability.UNKNOWN.value,
        "legal_conditions": fiche.legal_conditions if fiche else "",
        "competent_authority": {"id": authority.pk, "name": authority.localized_name()} if authority else None,
        "contents": list(fiche.contents) if fiche else [],
        "time_limits": fiche.time_limits if fiche else "",
        "remarks": fiche.remarks if fiche else "",
        "url": reverse("legalprofiles:measure_detail", kwargs={"iso2": country.iso2, "code": measure}),
        "provenance": provenance(fiche) if fiche else None,
    }


class LawSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=300)
    date = serializers.CharField(allow_blank=True, required=False, help_text="YYYY-MM-DD or empty.")
    url = serializers.URLField(allow_blank=True, required=False)
    text = serializers.CharField(allow_blank=True, required=False)
    types = serializers.ListField(
        child=choice(CooperationType),
        required=False,
        help_text="Types of cooperation the law governs; empty: every type.",
    )


class RulesFieldsSerializer(serializers.Serializer):
    treatyless_basis = choice(TreatylessBasis, required=False)
    treatyless_notes = serializers.CharField(allow_blank=True, required=False)
    treatyless_notes_i18n = serializers.DictField(child=serializers.CharField(), required=False)
    dual_criminality = choice(Rule, required=False)
    dual_criminality_notes = serializers.CharField(allow_blank=True, required=False)
    extradites_nationals = choice(Answer, required=False)
    political_offence_exception = choice(Answer, required=False)
    fiscal_offence_exception = choice(Answer, required=False)
    death_penalty_assurance = choice(Rule, required=False)
    life_sentence_assurance = choice(Rule, required=False)
    evidentiary_standard = serializers.CharField(allow_blank=True, required=False)
    certification = choice(Rule, required=False)
    apostille = choice(Rule, required=False)
    originals = choice(Rule, required=False)
    formalities_notes = serializers.CharField(allow_blank=True, required=False)
    channels = serializers.ListField(child=choice(Channel), required=False)
    urgent_procedure = serializers.CharField(allow_blank=True, required=False)
    typical_time = serializers.CharField(allow_blank=True, required=False)
    practical_tips = serializers.CharField(allow_blank=True, required=False)


class TypeRulesSerializer(serializers.Serializer):
    coop_type = choice(CooperationType)
    label = serializers.CharField()
    languages_accepted = serializers.ListField(
        child=serializers.CharField(), help_text="From the directory: languages of the competent authorities."
    )
    authorities = AuthorityRefSerializer(many=True)
    laws = LawSerializer(many=True)
    rules = RulesFieldsSerializer(allow_null=True, help_text="Null: nothing recorded for this type.")


class ProfileSerializer(serializers.Serializer):
    country = serializers.CharField()
    recorded = serializers.BooleanField(help_text="False: no profile is written yet.")
    legal_tradition = choice(LegalTradition, allow_blank=True)
    summary = serializers.CharField()
    laws = LawSerializer(many=True)
    types = TypeRulesSerializer(many=True)
    url = serializers.CharField()
    provenance = ProvenanceSerializer(allow_null=True)


def rules_data(rules) -> dict | None:
    if rules is None:
        return None
    return {name: getattr(rules, name) for name in services.RULE_FIELDS}


def profile_data(country, profile, authorities: dict[str, list[dict]], *, only_type: str = "") -> dict:
    by_type = {rules.coop_type: rules for rules in profile.rules.all()} if profile is not None else {}
    types = []
    for code, label in CooperationType.choices:
        if only_type and code != only_type:
            continue
        types.append(
            {
                "coop_type": code,
                "label": str(label),
                "languages_accepted": selectors.languages_for_type(authorities[code]),
                "authorities": [
                    {"id": row["pk"], "name": row["name"], "languages_accepted": row["languages"]}
                    for row in authorities[code]
                ],
                "laws": selectors.laws_for_type(profile, code) if profile is not None else [],
                "rules": rules_data(by_type.get(code)),
            }
        )
    return {
        "country": country.iso2,
        "recorded": profile is not None,
        "legal_tradition": profile.legal_tradition if profile else "",
        "summary": profile.summary if profile else "",
        "laws": list(profile.laws) if profile else [],
        "types": types,
        "url": reverse("legalprofiles:country_detail", kwargs={"iso2": country.iso2}),
        "provenance": provenance(profile) if profile else None,
    }


class ProvenanceWriteSerializer(serializers.Serializer):
    source = serializers.CharField(allow_blank=True, required=False)
    as_of = serializers.DateField(allow_null=True, required=False)
    verified = serializers.BooleanField(required=False)
    text_language = serializers.CharField(required=False, help_text="ISO 639-1 code of the text's language.")
    effective_from = serializers.DateField(
        required=False, help_text="The date from which the change applies; default today. Kept in the version."
    )


class ProfileWriteSerializer(ProvenanceWriteSerializer):
    legal_tradition = choice(LegalTradition, allow_blank=True, required=False)
    summary = serializers.CharField(allow_blank=True, required=False)
    laws = LawSerializer(many=True, required=False, help_text="Replaces the whole list of laws.")
    rules = serializers.DictField(
        child=RulesFieldsSerializer(),
        required=False,
        help_text='Type of cooperation code to the rule fields to change, e.g. {"mla": {"dual_criminality": '
        '"required"}}.',
    )


class FicheWriteSerializer(ProvenanceWriteSerializer):
    availability = choice(Availability, required=False)
    legal_conditions = serializers.CharField(allow_blank=True, required=False)
    competent_authority = serializers.IntegerField(
        allow_null=True, required=False, help_text="Id of an active directory authority of the same country."
    )
    contents = serializers.ListField(child=serializers.CharField(), required=False)
    time_limits = serializers.CharField(allow_blank=True, required=False)
    remarks = serializers.CharField(allow_blank=True, required=False)


class CompareSideSerializer(serializers.Serializer):
    country = serializers.CharField()
    profile = ProfileSerializer(allow_null=True, help_text="With `type`: the profile with that type's rules only.")
    fiche = FicheSerializer(allow_null=True, help_text="With `measure`: the country's fiche.")


class CompareSerializer(serializers.Serializer):
    measure = serializers.CharField(allow_blank=True)
    type = serializers.CharField(allow_blank=True)
    a = CompareSideSerializer()
    b = CompareSideSerializer()


class LegalErrorSerializer(serializers.Serializer):
    """{"error": {"status", "code", "message", "fields"?}}"""

    error = serializers.DictField()
