"""The library's pages: the legal search, the list of documents, a document with its language versions, upload,
edit, delete and download, and the glossary. Everything public is readable without an account and without
JavaScript; public pages answer conditional GETs (ETag and Last-Modified) with 304."""

from __future__ import annotations

import hashlib

from babel.numbers import format_decimal
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.cache import get_conditional_response
from django.utils.http import quote_etag
from django.utils.translation import gettext as _
from django.views.decorators.http import condition, require_GET, require_http_methods

from comity.core.decorators import member_required
from comity.core.i18n import babel_locale, format_day, language_name
from comity.core.search import CappedPaginator, SearchTimeout, highlight, snippet, terms_of, time_limit
from comity.core.search.api import TIMEOUT_MESSAGE
from comity.files.responses import DOWNLOAD_CSP, content_disposition
from comity.legalprofiles.choices import CooperationType
from comity.library import permissions, search, selectors, services, sources
from comity.library.forms import DocumentForm, GlossaryFilterForm, GlossaryTermForm, LegalSearchForm, LibraryFilterForm
from comity.library.models import GLOSSARY_LANGUAGES, Document, DocumentKind, TagKind
from comity.reference.models import Country

PAGE_SIZE = 20


# --- conditional GETs ---------------------------------------------------------------------------------------------


def _viewer(request) -> str:
    user = request.user
    return f"user:{user.pk}" if permissions.is_member(user) else "anonymous"


def _etag(request, marker) -> str:
    """Changes with the data (`marker`), the language, the viewer and the query."""
    raw = "|".join(
        [
            marker.isoformat() if marker else "-",
            translation.get_language() or "",
            _viewer(request),
            request.get_full_path(),
        ]
    )
    return hashlib.sha256(raw.encode()).hexdigest()[:32]


def _memo(request, key: str, compute):
    """One query per request for "last modified", shared by the ETag and the Last-Modified functions."""
    cache = request.__dict__.setdefault("_library_modified", {})
    if key not in cache:
        cache[key] = compute()
    return cache[key]


def _list_modified(request, *args, **kwargs):
    return _memo(request, "list", selectors.library_last_modified)


def _list_etag(request, *args, **kwargs):
    return _etag(request, _list_modified(request))


def _detail_modified(request, pk):
    return _memo(request, f"document:{pk}", lambda: selectors.document_group_last_modified(user=request.user, pk=pk))


def _detail_etag(request, pk):
    marker = _detail_modified(request, pk)
    return _etag(request, marker) if marker else None


def _glossary_modified(request, *args, **kwargs):
    return _memo(request, "glossary", selectors.glossary_last_modified)


def _glossary_etag(request, *args, **kwargs):
    return _etag(request, _glossary_modified(request))


def _results_etag(request, results: search.LegalResults | None, status: int) -> str:
    """The legal search combines sources with no cheap "last modified": its ETag is taken from what it found (each
    hit's kind, key, score and time), so an unchanged result is answered 304 without rendering the page."""
    parts = [str(status)]
    if results is not None:
        parts += [str(results.count), str(results.more)]
        parts += [f"{hit.kind}:{hit.key}:{hit.score}:{hit.updated_at}" for hit in results.hits]
    return _etag(request, None) + hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


# --- shared pieces ------------------------------------------------------------------------------------------------


def _countries():
    return list(Country.objects.only("pk", "iso2", "name_en").order_by("iso2"))


def document_row(document: Document, instrument_titles: dict[str, str]) -> dict:
    """What a list shows of a document, from prefetched countries and tags (no query per row)."""
    return {
        "document": document,
        "kind": DocumentKind(document.kind).label,
        "language": language_name(document.language),
        "date": format_day(document.date),
        "countries": [country.name for country in document.countries.all()],
        "instruments": [instrument_titles.get(slug, slug) for slug in document.tag_values(TagKind.INSTRUMENT)],
        "cooperation": [CooperationType(code).label for code in document.tag_values(TagKind.COOPERATION)],
        "topics": document.tag_values(TagKind.TOPIC),
    }


# --- the legal search ---------------------------------------------------------------------------------------------


@require_GET
def legal_search(request):
    instruments = sources.instrument_choices()
    form = LegalSearchForm(request.GET or None, countries=_countries(), instruments=instruments)
    results, page, rows, terms, status, timed_out = None, None, [], [], 200, None
    if form.is_bound:
        if not form.is_valid():
            status = 400
        elif form.has_criteria():
            terms = terms_of(form.cleaned_data["q"])
            try:
                with time_limit():
                    results = search.legal_search(user=request.user, terms=terms, filters=form.legal_filters())
            except SearchTimeout:
                status, timed_out = 503, TIMEOUT_MESSAGE
            if results is not None:
                page = Paginator(results.hits, PAGE_SIZE).get_page(request.GET.get("page"))
                rows = [
                    {
                        "hit": hit,
                        "kind": search.KINDS.get(hit.kind, hit.kind),
                        "title": highlight(hit.title, terms),
                        "snippet": snippet(hit.text, terms),
                        "language": language_name(hit.language) if hit.language else "",
                        "members": hit.visibility != "public",
                    }
                    for hit in page.object_list
                ]
    etag = quote_etag(_results_etag(request, results, status))
    if status == 200:
        not_modified = get_conditional_response(request, etag=etag)
        if not_modified is not None:
            return not_modified
    query = request.GET.copy()
    query.pop("page", None)
    response = render(
        request,
        "library/search.html",
        {
            "form": form,
            "results": results,
            "page": page,
            "rows": rows,
            "terms": terms,
            "timed_out": timed_out,
            "query": query.urlencode(),
            "count": format_decimal(results.count, locale=babel_locale()) if results else "",
        },
        status=status,
    )
    if status == 200:
        response["ETag"] = etag
    return response


# --- documents ----------------------------------------------------------------------------------------------------


@require_GET
@condition(etag_func=_list_etag, last_modified_func=_list_modified)
def document_list(request):
    instruments = sources.instrument_choices()
    form = LibraryFilterForm(request.GET or None, countries=_countries(), instruments=instruments)
    page, rows, status = None, [], 200
    if form.is_bound and not form.is_valid():
        status = 400
    else:
        filters = form.filters() if form.is_bound else None
        q = form.cleaned_data.get("q", "") if form.is_bound else ""
        documents = selectors.document_list(user=request.user, filters=filters, q=q)
        try:
            with time_limit():
                page = CappedPaginator(documents, PAGE_SIZE).get_page(request.GET.get("page"))
                page.object_list = list(page.object_list)
        except SearchTimeout:
            page, status = None, 503
            messages.error(request, TIMEOUT_MESSAGE)
        titles = dict(instruments)
        rows = [document_row(document, titles) for document in page.object_list] if page else []
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "library/document_list.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "query": query.urlencode(),
            "can_add": permissions.can_add_documents(request.user),
            "count": format_decimal(page.paginator.count, locale=babel_locale()) if page else "",
        },
        status=status,
    )


@require_GET
@condition(etag_func=_detail_etag, last_modified_func=_detail_modified)
def document_detail(request, pk):
    document = selectors.document_get_for(user=request.user, pk=pk)
    versions = selectors.language_versions(user=request.user, document=document)
    row = document_row(document, sources.instrument_titles())
    return render(
        request,
        "library/document_detail.html",
        {
            "document": document,
            "row": row,
            "versions": [{"document": v, "language": language_name(v.language)} for v in versions],
            "can_edit": permissions.can_edit_document(request.user, document),
            "can_add": permissions.can_add_documents(request.user),
            "excerpt": document.text[:3000],
        },
    )


@require_GET
def document_download(request, pk):
    document = selectors.document_get_for(user=request.user, pk=pk)
    etag = quote_etag(document.sha256)
    not_modified = get_conditional_response(request, etag=etag)
    if not_modified is not None:
        return not_modified
    try:
        chunks = services.document_download(actor=request.user, document=document)
    except services.DownloadFailed as exc:
        return render(
            request, "library/download_failed.html", {"document": document, "message": exc.message}, status=500
        )
    response = StreamingHttpResponse(chunks, content_type=document.content_type)
    response["Content-Length"] = str(document.size)
    response["Content-Disposition"] = content_disposition(document.filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = DOWNLOAD_CSP
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    response["ETag"] = etag
    response["Cache-Control"] = "no-cache" if document.is_public else "no-store, private"
    return response


def _form_errors_from(form, exc: ValidationError) -> None:
    for name, errors in exc.message_dict.items():
        field = name if name in form.fields else None
        for error in errors:
            form.add_error(field, error)


def _initial_from(document: Document) -> dict:
    return {
        "title": document.title,
        "kind": document.kind,
        "language": document.language,
        "group_key": document.group_key,
        "visibility": document.visibility,
        "date": document.date,
        "summary": document.summary,
        "countries": [country.iso2 for country in document.countries.all()],
        "instruments": document.tag_values(TagKind.INSTRUMENT),
        "cooperation_types": document.tag_values(TagKind.COOPERATION),
        "topics": ", ".join(document.tag_values(TagKind.TOPIC)),
        "source": document.source,
    }


@member_required
@require_http_methods(["GET", "POST"])
def document_create(request):
    if not permissions.can_add_documents(request.user):
        raise Http404
    countries = _countries()
    allowed = permissions.allowed_country_codes(request.user)
    if allowed is not None:
        countries = [country for country in countries if country.iso2 in allowed]
    instruments = sources.instrument_choices()
    initial: dict = {"language": translation.get_language()}
    version_of = request.GET.get("version_of", "")
    if version_of.isdigit():
        try:
            original = selectors.document_get_for(user=request.user, pk=int(version_of))
        except Http404:
            original = None
        if original is not None:
            initial = {**_initial_from(original), "language": "", "title": ""}
    if request.method == "POST":
        form = DocumentForm(request.POST, request.FILES, countries=countries, instruments=instruments)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                document = services.document_create(
                    actor=request.user, fields=form.document_fields(), upload=upload, filename=upload.name
                )
            except ValidationError as exc:
                _form_errors_from(form, exc)
            except PermissionDenied as exc:
                raise Http404 from exc
            else:
                messages.success(request, _("The document was added."))
                return redirect("library:document_detail", pk=document.pk)
        status = 400
    else:
        form = DocumentForm(initial=initial, countries=countries, instruments=instruments)
        status = 200
    return render(request, "library/document_form.html", {"form": form, "document": None}, status=status)


@member_required
@require_http_methods(["GET", "POST"])
def document_edit(request, pk):
    document = selectors.document_for_edit(user=request.user, pk=pk)
    countries = _countries()
    allowed = permissions.allowed_country_codes(request.user)
    if allowed is not None:
        countries = [country for country in countries if country.iso2 in allowed]
    instruments = sources.instrument_choices()
    if request.method == "POST":
        form = DocumentForm(request.POST, request.FILES, countries=countries, instruments=instruments, editing=True)
        if form.is_valid():
            upload = form.cleaned_data.get("file")
            try:
                services.document_update(
                    actor=request.user,
                    document=document,
                    fields=form.document_fields(),
                    upload=upload,
                    filename=upload.name if upload else "",
                )
            except ValidationError as exc:
                _form_errors_from(form, exc)
            except PermissionDenied as exc:
                raise Http404 from exc
            else:
                messages.success(request, _("The document was saved."))
                return redirect("library:document_detail", pk=document.pk)
        status = 400
    else:
        form = DocumentForm(initial=_initial_from(document), countries=countries, instruments=instruments, editing=True)
        status = 200
    return render(request, "library/document_form.html", {"form": form, "document": document}, status=status)


@member_required
@require_http_methods(["GET", "POST"])
def document_delete(request, pk):
    document = selectors.document_for_edit(user=request.user, pk=pk)
    if request.method == "POST":
        try:
            services.document_delete(actor=request.user, document=document)
        except PermissionDenied as exc:
            raise Http404 from exc
        messages.success(request, _("The document was deleted."))
        return redirect("library:document_list")
    return render(request, "library/document_delete.html", {"document": document})


# --- the glossary -------------------------------------------------------------------------------------------------


@require_GET
@condition(etag_func=_glossary_etag, last_modified_func=_glossary_modified)
def glossary(request):
    form = GlossaryFilterForm(request.GET or None)
    status, terms, language = 200, [], translation.get_language() or "en"
    if language not in GLOSSARY_LANGUAGES:
        language = "en"
    if form.is_bound and not form.is_valid():
        status = 400
    else:
        data = form.cleaned_data if form.is_bound else {}
        language = data.get("language") or language
        terms = selectors.glossary_list(q=data.get("q", ""), letter=data.get("letter", ""), language=language)
    words = terms_of(form.cleaned_data.get("q", "")) if form.is_bound and form.is_valid() else []
    rows = []
    for term in terms:
        definition, definition_language = term.localized_definition()
        rows.append(
            {
                "term": term,
                "name": highlight(term.term(language) or term.term_en, words),
                "names": [(code, language_name(code), term.term(code)) for code in GLOSSARY_LANGUAGES],
                "definition": highlight(definition, words),
                "definition_language": definition_language,
                "as_of": format_day(term.as_of),
            }
        )
    return render(
        request,
        "library/glossary.html",
        {
            "form": form,
            "rows": rows,
            "letters": selectors.glossary_letters(language=language),
            "language": language,
            "can_edit": permissions.can_edit_glossary(request.user),
            "unverified": sum(1 for row in rows if not row["term"].verified),
        },
        status=status,
    )


@member_required
@require_http_methods(["GET", "POST"])
def glossary_edit(request, key):
    if not permissions.can_edit_glossary(request.user):
        raise Http404
    term = selectors.glossary_term_get(key=key)
    if request.method == "POST":
        form = GlossaryTermForm(request.POST, instance=selectors.glossary_term_get(key=key))
        if form.is_valid():
            try:
                services.glossary_term_update(actor=request.user, term=term, values=form.cleaned_data)
            except ValidationError as exc:
                _form_errors_from(form, exc)
            else:
                messages.success(request, _("The term was saved."))
                return redirect(reverse("library:glossary") + f"#term-{term.key}")
        status = 400
    else:
        form = GlossaryTermForm(instance=term)
        status = 200
    return render(request, "library/glossary_form.html", {"form": form, "term": term}, status=status)
