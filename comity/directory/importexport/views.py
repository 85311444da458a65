"""Pages for keeping the directory current and moving it in and out: CSV import, CSV/JSON export, vCards and the
secretariat's freshness dashboard."""

from __future__ import annotations

from functools import wraps

from babel.numbers import format_percent
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from comity.core.decorators import member_required, recent_auth_required
from comity.core.i18n import babel_locale, territory_name
from comity.directory import permissions, selectors
from comity.directory.importexport import csv_import, export, vcard
from comity.directory.importexport import dashboard as freshness
from comity.directory.importexport.csv_import import jobs
from comity.directory.importexport.forms import (
    DashboardFilterForm,
    ImportApplyForm,
    ImportUploadForm,
    export_filter_form,
)
from comity.directory.models import Channel, Competence, ImportJob, Instrument, UrgentChannel

PROGRESS_REFRESH_SECONDS = 2

COLUMN_HELP = [
    ("id", gettext_lazy("Blank for a new authority; the number of an existing authority to update it.")),
    ("country", gettext_lazy("ISO 3166-1 two-letter code, e.g. BR. Coordinators: only the countries they coordinate.")),
    ("official_name", gettext_lazy("The official name.")),
    (
        "names_en, names_fr, names_es, names_ru, names_zh-hans, names_ar, names_pt",
        gettext_lazy("The name in that language (optional)."),
    ),
    (
        "competences",
        gettext_lazy(
            "Codes separated by “;”, each optionally followed by “:” and the instrument, "
            "e.g. mla_central:untoc_18_13;extradition."
        ),
    ),
    ("languages_accepted", gettext_lazy("ISO 639-1 codes separated by “;”, e.g. pt;en.")),
    ("channels", gettext_lazy("Codes separated by “;”.")),
    ("urgent_channels", gettext_lazy("Codes separated by “;”.")),
    (
        "untoc_mla_basis, untoc_extradition_basis, always_available",
        gettext_lazy("true or false (yes/no and 1/0 also work; blank means false)."),
    ),
    (
        "postal_address, email, phone, website",
        gettext_lazy("Free text, an e-mail address, a phone number, a web address starting with https://."),
    ),
    ("timezone", gettext_lazy("An IANA time zone such as America/Sao_Paulo (required for a new authority).")),
    ("holiday_subdivision", gettext_lazy("The subdivision whose public holidays apply, if any (e.g. DF).")),
    (
        "office_hours",
        gettext_lazy(
            "Intervals separated by “;”: Mon 09:00-13:00; Mon 14:00-18:00; Fri 22:00-24:00. "
            "A day range such as Mon-Fri works; closes may be 24:00; a shift past midnight "
            "is two intervals."
        ),
    ),
]


def _code_lists() -> list[tuple[str, list[tuple[str, str]]]]:
    return [
        ("competences", list(Competence.choices)),
        (_("instruments"), list(Instrument.choices)),
        ("channels", list(Channel.choices)),
        ("urgent_channels", list(UrgentChannel.choices)),
    ]


# --- import -------------------------------------------------------------------------------------------------------


def importer_required(view):
    """Signed in and allowed to import (secretariat, national coordinators); everyone else gets 404."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not csv_import.can_import(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return member_required(wrapper)


def _import_page(request, *, form=None, report=None, token="", error="", stopped=False, status=200):
    user = request.user
    scope = (
        None
        if user.is_secretariat
        else [f"{territory_name(code)} ({code})" for code in sorted(user.coordinated_country_codes())]
    )
    return render(
        request,
        "directory/import.html",
        {
            "form": form or ImportUploadForm(),
            "report": report,
            "token": token,
            "scope": scope,
            "error": error,
            "stopped": stopped,
            "columns": COLUMN_HELP,
            "code_lists": _code_lists(),
            "limit_mb": csv_import.max_bytes() / (1024 * 1024),
            "max_rows": csv_import.max_web_rows(),
        },
        status=status,
    )


@never_cache
@importer_required
@recent_auth_required
@require_http_methods(["GET", "POST"])
def import_view(request):
    """Upload -> dry run with a row-by-row report -> apply (all rows, or the valid rows only).

    The dry run and the apply run in the task worker; when the run has already ended by the time the page
    answers (a small file, or a backend that runs tasks at once) the page shows its report at once, otherwise
    it sends the browser to the run's progress page."""
    if request.method == "GET":
        return _import_page(request)
    if "token" in request.POST:
        return _apply(request)
    form = ImportUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _import_page(request, form=form, status=400)
    upload = form.cleaned_data["file"]
    content = upload.read()
    try:
        parsed = csv_import.parse_csv(content, name=upload.name)
    except csv_import.ImportFileError as exc:
        form.add_error("file", exc.message)
        return _import_page(request, form=form, status=400)
    if len(parsed.rows) > csv_import.max_web_rows():
        form.add_error(
            "file",
            _(
                "The file has %(rows)s rows; this page takes at most %(limit)s. Split it, or ask "
                "the secretariat to run the import command."
            )
            % {"rows": len(parsed.rows), "limit": csv_import.max_web_rows()},
        )
        return _import_page(request, form=form, status=400)
    job = jobs.job_queue_dry_run(actor=request.user, content=content, name=upload.name, rows=len(parsed.rows))
    return _job_answer(request, job)


def _apply(request):
    form = ImportApplyForm(request.POST)
    job = None
    if form.is_valid():
        job = csv_import.load_upload(user=request.user, token=form.cleaned_data["token"])
    if job is None:
        return _import_page(request, error=jobs.gone_message(), status=400)
    try:
        job = jobs.job_queue_apply(actor=request.user, job=job, mode=form.cleaned_data["action"])
    except jobs.ApplyRefused as refusal:
        if refusal.report is not None:
            return _import_page(request, report=refusal.report, token=job.token, status=400)
        return _import_page(request, error=refusal.message, status=400)
    return _job_answer(request, job)


def _job_answer(request, job: ImportJob):
    """The report when the run has ended; otherwise to the progress page (a reload there does not post again)."""
    if job.state in (ImportJob.State.QUEUED, ImportJob.State.RUNNING):
        return redirect("directory:import_job", token=job.token)
    report = jobs.report_of(job)
    refused = (
        job.state == ImportJob.State.DONE
        and report is not None
        and not report.applied
        and report.mode != csv_import.Mode.DRY_RUN
    )
    return _job_page(request, job, status=400 if refused else 200)


def _job_page(request, job: ImportJob, *, status: int = 200):
    if job.state in (ImportJob.State.QUEUED, ImportJob.State.RUNNING):
        response = render(
            request,
            "directory/import_progress.html",
            {
                "job": job,
                "stalled": jobs.is_stalled(job),
                "percent": min(100, 100 * job.rows_done // job.rows_total) if job.rows_total else 0,
                "refresh_seconds": PROGRESS_REFRESH_SECONDS,
            },
        )
        response["Refresh"] = str(PROGRESS_REFRESH_SECONDS)  # reloads without JavaScript; the page has a link too
        return response
    report = jobs.report_of(job)
    error = ""
    if job.state == ImportJob.State.FAILED:
        if report is not None and report.applied:
            error = " ".join(
                [
                    job.error,
                    ngettext(
                        "%(num)d row had been imported before it stopped; the report below lists the rows it reached.",
                        "%(num)d rows had been imported before it stopped; the report below lists the rows it reached.",
                        report.valid_changes,
                    )
                    % {"num": report.valid_changes},
                ]
            )
        else:
            error = " ".join([job.error, _("Nothing was imported. Upload the file again to retry.")])
    offer = job.content is not None and not job.applied and job.state == ImportJob.State.DONE
    return _import_page(
        request,
        report=report,
        token=job.token if offer else "",
        error=error,
        stopped=job.state == ImportJob.State.FAILED,
        status=status,
    )


@never_cache
@importer_required
@recent_auth_required
@require_GET
def import_job(request, token: str):
    """A web import's progress while it runs, then its row report (kept after the run ends)."""
    job = csv_import.job_for(user=request.user, token=token)
    if job is None:
        raise Http404
    return _job_page(request, job)


# --- export -------------------------------------------------------------------------------------------------------


@member_required
@require_GET
def export_page(request):
    form = export_filter_form(request.GET or None)
    status = 400 if form.is_bound and not form.is_valid() else 200
    return render(request, "directory/export.html", {"form": form}, status=status)


@never_cache
@recent_auth_required
@require_GET
def export_download(request, fmt: str):
    """Stream the authorities (and current contacts) of the browse filters; audited before the first byte."""
    if fmt not in export.FORMATS:
        raise Http404
    form = export_filter_form(request.GET)
    if not form.is_valid():
        return render(request, "directory/export.html", {"form": form}, status=400)
    filters = form.filters()
    export.export_record(actor=request.user, fmt=fmt, filters=filters)
    generated_at = timezone.now()
    authorities = export.export_authorities(user=request.user, filters=filters)
    if fmt == "csv":
        content = export.csv_lines(user=request.user, authorities=authorities)
        content_type = "text/csv; charset=utf-8"
    else:
        content = export.json_chunks(
            user=request.user, authorities=authorities, filters=filters, generated_at=generated_at
        )
        content_type = "application/json"
    response = StreamingHttpResponse(content, content_type=content_type)
    stamp = generated_at.strftime("%Y%m%d-%H%M%S")
    response["Content-Disposition"] = f'attachment; filename="comity-directory-{stamp}.{fmt}"'
    return response


# --- vCard ----------------------------------------------------------------------------------------------------


def _vcard_response(text: str, filename: str) -> HttpResponse:
    response = HttpResponse(text.encode("utf-8"), content_type="text/vcard; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    patch_vary_headers(response, ["Cookie"])
    return response


@never_cache
@require_GET
def contact_vcard(request, pk: int):
    """A contact's card with the fields this viewer may see (public ones only for anonymous visitors)."""
    contact = selectors.contact_get_for(user=request.user, pk=pk)
    visible = permissions.visible_contact_fields(request.user, contact, contact.authority.country.iso2)
    return _vcard_response(vcard.contact_card(contact, visible), f"contact-{contact.pk}.vcf")


@never_cache
@require_GET
def authority_vcard(request, pk: int):
    authority = selectors.authority_get_for(user=request.user, pk=pk)
    return _vcard_response(vcard.authority_card(authority), f"authority-{authority.pk}.vcf")


# --- dashboard ----------------------------------------------------------------------------------------------------


def _percent(share: float | None) -> str:
    return "—" if share is None else format_percent(share, format="#,##0.0%", locale=babel_locale())


@never_cache
@member_required
@require_GET
def dashboard(request):
    """The secretariat sees every country; a national coordinator sees the countries they coordinate."""
    user = request.user
    if user.is_secretariat:
        scope = None
    elif user.is_coordinator and user.coordinated_country_codes():
        scope = frozenset(user.coordinated_country_codes())
    else:
        raise Http404
    form = DashboardFilterForm(request.GET)
    country = form.cleaned_data["country"] if form.is_valid() else ""
    data = freshness.dashboard(country=country, scope=scope)
    return render(
        request,
        "directory/dashboard.html",
        {
            "form": form,
            "data": data,
            "percent": _percent,
            "country": country,
            "zone_name": timezone.get_current_timezone_name(),
        },
        status=200 if form.is_valid() else 400,
    )
