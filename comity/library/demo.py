"""Demo data of the legal library: a few fictional documents in several languages, each marked as demo.

- a model request for mutual legal assistance in English, French and Spanish (language versions of one document,
  in DOCX, HTML and plain text);
- a members-only guide to urgent requests (PDF);
- a public summary of a (fictional) law on international cooperation, in Portuguese;
- a meeting report in English, Russian, Chinese and Arabic.

Every text says it is fictional. Idempotent: a version already there (same group and language) is left alone.
"""

from __future__ import annotations

import io
import logging

from comity.accounts.models import Role, User
from comity.files.demo import demo_pdf
from comity.library import services, sources
from comity.library.models import Document, DocumentKind, Visibility
from comity.reference.models import Country

logger = logging.getLogger("comity.library")

FICTIONAL = "FICTIONAL DEMO DOCUMENT"


def _docx(paragraphs: list[str]) -> bytes:
    import docx

    document = docx.Document()
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _html(title: str, paragraphs: list[str]) -> bytes:
    from html import escape

    body = "".join(f"<p>{escape(paragraph)}</p>" for paragraph in paragraphs)
    head = f'<meta charset="utf-8"><title>{escape(title)}</title>'
    page = f"<!doctype html><html><head>{head}</head><body>{body}</body></html>"
    return page.encode("utf-8")


def _text(paragraphs: list[str]) -> bytes:
    return ("\n\n".join(paragraphs) + "\n").encode("utf-8")


MODEL_REQUEST = {
    "en": (
        "Model request for mutual legal assistance (demo)",
        [
            FICTIONAL + " - a model to adapt, not an official form.",
            "1. Requesting authority: the central authority of the requesting State, with a contact person.",
            "2. Legal basis: the treaty or convention relied on, or reciprocity.",
            "3. Summary of the facts and the offences, with the text of the relevant provisions.",
            "4. Assistance requested: for example bank records, taking of evidence or service of documents.",
            "5. Urgency, confidentiality and the procedure to follow in the requested State.",
        ],
        "docx",
    ),
    "fr": (
        "Modèle de demande d'entraide judiciaire (démo)",
        [
            FICTIONAL + " - un modèle à adapter, pas un formulaire officiel.",
            "1. Autorité requérante : l'autorité centrale de l'État requérant, avec une personne de contact.",
            "2. Base juridique : le traité ou la convention invoqué, ou la réciprocité.",
            "3. Exposé des faits et des infractions, avec le texte des dispositions applicables.",
            "4. Entraide demandée : par exemple des relevés bancaires, une audition ou une signification d'actes.",
            "5. Urgence, confidentialité et procédure à suivre dans l'État requis.",
        ],
        "html",
    ),
    "es": (
        "Modelo de solicitud de asistencia judicial recíproca (demo)",
        [
            FICTIONAL + " - un modelo para adaptar, no un formulario oficial.",
            "1. Autoridad requirente: la autoridad central del Estado requirente, con una persona de contacto.",
            "2. Base jurídica: el tratado o la convención invocados, o la reciprocidad.",
            "3. Resumen de los hechos y de los delitos, con el texto de las disposiciones aplicables.",
            "4. Asistencia solicitada: por ejemplo registros bancarios, toma de declaraciones o notificaciones.",
            "5. Urgencia, confidencialidad y procedimiento que debe seguirse en el Estado requerido.",
        ],
        "txt",
    ),
}

MEETING_REPORT = {
    "en": (
        "Report of the meeting of central authorities (demo)",
        [
            FICTIONAL + ".",
            "The central authorities discussed urgent requests for electronic evidence and the use of "
            "videoconference hearings, and agreed to share contact points for asset recovery.",
        ],
    ),
    "ru": (
        "Отчет о совещании центральных органов (демо)",
        [
            "ВЫМЫШЛЕННЫЙ ДЕМОНСТРАЦИОННЫЙ ДОКУМЕНТ.",
            "Центральные органы обсудили срочные запросы об электронных доказательствах и заслушивание по "
            "видеосвязи и договорились обменяться контактными пунктами по возвращению активов.",
        ],
    ),
    "zh-hans": (
        "中央机关会议报告（演示）",
        [
            "虚构的演示文件。",
            "各中央机关讨论了关于电子证据的紧急请求和视频会议方式询问，并同意交流追回资产的联络点。",
        ],
    ),
    "ar": (
        "تقرير اجتماع السلطات المركزية (عرض توضيحي)",
        [
            "وثيقة توضيحية خيالية.",
            "ناقشت السلطات المركزية الطلبات العاجلة المتعلقة بالأدلة الإلكترونية والاستماع عن طريق الائتمار "
            "بواسطة الفيديو، واتفقت على تبادل جهات الاتصال المعنية باسترداد الموجودات.",
        ],
    ),
}

GUIDE_LINES = (
    FICTIONAL + " - MEMBERS ONLY",
    "Guide to urgent requests to the central authority of Indonesia (demo)",
    "Send an advance copy by e-mail, then the original through the central authority.",
    "State the urgency and the date by which the measure is needed.",
    "Freezing of bank accounts: attach the domestic order and a summary of the facts.",
)

LAW_SUMMARY = [
    "DOCUMENTO DE DEMONSTRAÇÃO FICTÍCIO.",
    "Resumo de uma lei fictícia sobre cooperação jurídica internacional em matéria penal: a autoridade central "
    "recebe os pedidos de assistência jurídica mútua, verifica a dupla incriminação quando a lei a exige e "
    "transmite os pedidos às autoridades competentes.",
]


def _actor():
    return User.objects.filter(role=Role.SECRETARIAT, is_active=True).order_by("pk").first()


def _countries(*codes: str) -> list[Country]:
    return list(Country.objects.filter(iso2__in=codes).order_by("iso2"))


def _instruments(*slugs: str) -> list[str]:
    try:
        known = set(sources.instrument_titles())
    except ImportError:  # the treaties app has no selectors yet (a partial install): no instrument tags
        return []
    return [slug for slug in slugs if slug in known]


def _add(actor, *, group: str, language: str, title: str, data: bytes, filename: str, **fields) -> int:
    if Document.objects.filter(group_key=group, language=language, deleted_at__isnull=True).exists():
        return 0
    services.document_create(
        actor=actor,
        fields=services.DocumentFields(title=title, language=language, group_key=group, **fields),
        upload=io.BytesIO(data),
        filename=filename,
        is_demo=True,
    )
    return 1


def library_demo_seed() -> dict:
    """Create the demo documents that are missing; idempotent. Skips (and says why) without a secretariat user."""
    actor = _actor()
    if actor is None:
        logger.info("library demo: no secretariat account; skipped")
        return {"documents": 0, "skipped": "no secretariat account"}
    created = 0
    untoc = _instruments("untoc")
    for language, (title, paragraphs, fmt) in MODEL_REQUEST.items():
        if fmt == "docx":
            data = _docx(paragraphs)
        elif fmt == "txt":
            data = _text(paragraphs)
        else:
            data = _html(title, paragraphs)
        created += _add(
            actor,
            group="demo-model-mla-request",
            language=language,
            title=title,
            data=data,
            filename=f"model-mla-request-{language}.{fmt}",
            kind=DocumentKind.REQUEST_TEMPLATE,
            visibility=Visibility.PUBLIC,
            summary=paragraphs[0],
            instruments=untoc,
            cooperation_types=["mla"],
            topics=["model request", "demo"],
            source="Comity demo data",
        )
    for language, (title, paragraphs) in MEETING_REPORT.items():
        created += _add(
            actor,
            group="demo-central-authorities-meeting",
            language=language,
            title=title,
            data=_text(paragraphs),
            filename=f"meeting-report-{language}.txt",
            kind=DocumentKind.MEETING_REPORT,
            visibility=Visibility.PUBLIC,
            cooperation_types=["mla", "asset_recovery"],
            topics=["electronic evidence", "demo"],
            source="Comity demo data",
        )
    created += _add(
        actor,
        group="demo-urgent-requests-indonesia",
        language="en",
        title="Guide to urgent requests to Indonesia (demo, members only)",
        data=demo_pdf(GUIDE_LINES),
        filename="guide-urgent-requests-ID-demo.pdf",
        kind=DocumentKind.GUIDE,
        visibility=Visibility.MEMBERS,
        countries=_countries("ID"),
        cooperation_types=["mla"],
        topics=["urgent requests", "demo"],
        source="Comity demo data",
    )
    created += _add(
        actor,
        group="demo-law-summary-brazil",
        language="pt",
        title="Resumo de lei sobre cooperação jurídica internacional (demonstração)",
        data=_text(LAW_SUMMARY),
        filename="resumo-lei-cooperacao-demo.txt",
        kind=DocumentKind.LAW,
        visibility=Visibility.PUBLIC,
        countries=_countries("BR"),
        cooperation_types=["mla", "extradition"],
        topics=["demo"],
        source="Comity demo data",
    )
    return {"documents": created, "skipped": ""}
