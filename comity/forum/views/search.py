"""The forum search page: posts and thread titles the user can read, with filters and highlighted snippets."""

from __future__ import annotations

from babel.numbers import format_decimal
from django import forms
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from comity.core.decorators import member_required
from comity.core.i18n import babel_locale, territory_name
from comity.core.search import CappedPaginator, SearchTimeout, time_limit
from comity.core.search.api import TIMEOUT_MESSAGE
from comity.forum import permissions, search
from comity.forum.models import TLP
from comity.forum.views.moderation import thread_url
from comity.reference.models import Country

PAGE_SIZE = 20


class SearchForm(forms.Form):
    q = forms.CharField(
        label=gettext_lazy("Words to find"),
        required=False,
        max_length=search.MAX_QUERY,
        help_text=gettext_lazy("Every word must appear, in any language; case does not matter."),
    )
    space = forms.ChoiceField(label=gettext_lazy("Space"), required=False)
    country = forms.ChoiceField(label=gettext_lazy("Author's country"), required=False)
    author = forms.CharField(
        label=gettext_lazy("Author"),
        required=False,
        max_length=100,
        help_text=gettext_lazy("Part of a name or e-mail address."),
    )
    date_from = forms.DateField(
        label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(label=gettext_lazy("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    tlp = forms.ChoiceField(
        label=gettext_lazy("Handling mark"), required=False, choices=[("", gettext_lazy("Any"))] + list(TLP.choices)
    )

    def __init__(self, *args, spaces, countries, **kwargs):
        super().__init__(*args, **kwargs)
        self.spaces_by_slug = {space.slug: space for space in spaces}
        self.fields["space"].choices = [("", _("All spaces I can read"))] + [
            (space.slug, space.localized_name()) for space in spaces
        ]
        self.fields["country"].choices = [("", _("Any country"))] + sorted(
            ((code, territory_name(code)) for code in countries), key=lambda item: item[1]
        )
        for name in ("space", "country", "tlp"):
            self.fields[name].error_messages["invalid_choice"] = {
                "space": _("Unknown space."),
                "country": _("Unknown country."),
                "tlp": _("Unknown handling mark."),
            }[name]

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", _("The end date is before the start date."))
        return data

    def has_criteria(self) -> bool:
        return any(self.cleaned_data.get(name) for name in self.fields)

    def filters(self) -> search.SearchFilters:
        data = self.cleaned_data
        space = self.spaces_by_slug.get(data["space"]) if data["space"] else None
        return search.SearchFilters(
            space_id=space.pk if space else None,
            country=data["country"],
            author=data["author"].strip(),
            date_from=data["date_from"],
            date_to=data["date_to"],
            tlp=data["tlp"],
        )


@member_required
@require_GET
def search_page(request):
    user = request.user
    spaces = sorted(permissions.spaces_visible_to(user), key=lambda space: space.localized_name().casefold())
    countries = Country.objects.order_by("iso2").values_list("iso2", flat=True)
    form = SearchForm(request.GET or None, spaces=spaces, countries=list(countries))
    page, results, terms, status, timed_out = None, [], [], 200, None
    if form.is_bound:
        if not form.is_valid():
            status = 400
        elif form.has_criteria():
            terms = search.terms_of(form.cleaned_data["q"])
            posts = search.post_search(user=user, terms=terms, filters=form.filters())
            try:
                with time_limit():
                    page = CappedPaginator(posts, PAGE_SIZE).get_page(request.GET.get("page"))
                    page.object_list = shown = list(page.object_list)
            except SearchTimeout:
                page, shown, status, timed_out = None, [], 503, TIMEOUT_MESSAGE
            results = [(hit, thread_url(hit.post.thread_id, hit.post.pk)) for hit in search.hits(shown, terms)]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "forum/search.html",
        {
            "form": form,
            "page": page,
            "results": results,
            "query": query.urlencode(),
            "terms": terms,
            "timed_out": timed_out,
            "shown_count": format_decimal(page.paginator.count, locale=babel_locale()) if page else "",
        },
        status=status,
    )
