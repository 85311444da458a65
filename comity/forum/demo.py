"""Demo forum: spaces of every kind, short fictional discussions in the seven UI languages, an open question
from Brazil to Indonesia and a private consultation between them about a draft request (TLP:AMBER).

Refused under production settings. Idempotent: spaces are found by slug and threads by title within their space,
so running it again creates only what is missing. Authors are the demo users of `comity.accounts.demo`, looked
up by e-mail; a thread whose author (or a space whose network or region) is missing is skipped and reported.

Rows are written directly, not through `services`: seeding must not send notifications nor write an audit event
per thread in the name of demo users. Posts still get their sanitized HTML and search text from the same
`markdown` functions as real posts; the caller writes one `demo.seeded` audit event.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from comity.forum import markdown
from comity.forum.models import (
    TLP,
    NotifyLevel,
    Post,
    ReadMarker,
    Space,
    SpaceAuthority,
    SpaceKind,
    SpaceMember,
    Thread,
    ThreadSubscription,
)

DEMO_DOMAIN = "demo.comity.test"


@dataclass
class ForumDemoResult:
    spaces: int = 0
    spaces_created: int = 0
    threads_created: int = 0
    posts_created: int = 0
    skipped: list[str] = field(default_factory=list)


def _names(**names: str) -> dict[str, str]:
    return {code.replace("_", "-"): name for code, name in names.items()}


SPACES = [
    {
        "slug": "plenary",
        "kind": SpaceKind.PLENARY,
        "name": "Plenary",
        "default_tlp": TLP.GREEN,
        "names": _names(
            en="Plenary",
            fr="Plénière",
            es="Plenario",
            pt="Plenário",
            ar="الجلسة العامة",
            zh_hans="全体会议",
            ru="Пленарное заседание",
        ),
        "description": "Open to every member of the network.",
    },
    {
        "slug": "latin-america-caribbean",
        "kind": SpaceKind.REGIONAL,
        "region_m49": "419",
        "name": "Latin America and the Caribbean",
        "names": _names(
            en="Latin America and the Caribbean",
            fr="Amérique latine et Caraïbes",
            es="América Latina y el Caribe",
            pt="América Latina e Caribe",
            ar="أمريكا اللاتينية ومنطقة البحر الكاريبي",
            zh_hans="拉丁美洲和加勒比",
            ru="Латинская Америка и Карибский бассейн",
        ),
        "description": "Members from Latin America and the Caribbean.",
    },
    {
        "slug": "south-eastern-asia",
        "kind": SpaceKind.REGIONAL,
        "region_m49": "035",
        "name": "South-eastern Asia",
        "names": _names(
            en="South-eastern Asia",
            fr="Asie du Sud-Est",
            es="Asia sudoriental",
            pt="Sudeste Asiático",
            ar="جنوب شرق آسيا",
            zh_hans="东南亚",
            ru="Юго-Восточная Азия",
        ),
        "description": "Members from South-eastern Asia.",
    },
    {
        "slug": "iberred",
        "kind": SpaceKind.NETWORK,
        "network": "iberred",
        "name": "IberRed",
        "description": "Contact points of the Ibero-American Network for International Legal Cooperation.",
    },
    {
        "slug": "extradition",
        "kind": SpaceKind.THEMATIC,
        "name": "Extradition",
        "names": _names(
            en="Extradition",
            fr="Extradition",
            es="Extradición",
            pt="Extradição",
            ar="تسليم المطلوبين",
            zh_hans="引渡",
            ru="Экстрадиция",
        ),
        "description": "Practice in extradition and surrender.",
        "members": ["coordinator.br", "coordinator.fr", "member.id", "liaison.iberred"],
    },
    {
        "slug": "mutual-legal-assistance",
        "kind": SpaceKind.THEMATIC,
        "name": "Mutual legal assistance",
        "names": _names(
            en="Mutual legal assistance",
            fr="Entraide judiciaire",
            es="Asistencia judicial mutua",
            pt="Auxílio jurídico mútuo",
            ar="المساعدة القانونية المتبادلة",
            zh_hans="司法协助",
            ru="Взаимная правовая помощь",
        ),
        "description": "Drafting, transmitting and executing requests for mutual legal assistance.",
        "members": ["member.br", "member.id", "coordinator.id", "member.fr", "coordinator.fr"],
    },
    {
        "slug": "asset-recovery",
        "kind": SpaceKind.THEMATIC,
        "name": "Asset recovery",
        "names": _names(
            en="Asset recovery",
            fr="Recouvrement d'avoirs",
            es="Recuperación de activos",
            pt="Recuperação de ativos",
            ar="استرداد الموجودات",
            zh_hans="追回资产",
            ru="Возвращение активов",
        ),
        "description": "Tracing, freezing, confiscation and return of proceeds of crime.",
        "members": ["member.br", "coordinator.id", "member.fr"],
    },
    {
        "slug": "cybercrime-e-evidence",
        "kind": SpaceKind.THEMATIC,
        "name": "Cybercrime and electronic evidence",
        "names": _names(
            en="Cybercrime and electronic evidence",
            fr="Cybercriminalité et preuve électronique",
            es="Ciberdelincuencia y prueba electrónica",
            pt="Cibercrime e prova eletrônica",
            ar="الجرائم السيبرانية والأدلة الإلكترونية",
            zh_hans="网络犯罪与电子证据",
            ru="Киберпреступность и электронные доказательства",
        ),
        "description": "Preservation and production of electronic evidence; 24/7 points of contact.",
        "members": ["member.fr", "member.br", "member.id", "observer"],
    },
    {
        "slug": "trafficking",
        "kind": SpaceKind.THEMATIC,
        "name": "Trafficking in persons and smuggling of migrants",
        "names": _names(
            en="Trafficking in persons and smuggling of migrants",
            fr="Traite des personnes et trafic de migrants",
            es="Trata de personas y tráfico ilícito de migrantes",
            pt="Tráfico de pessoas e contrabando de migrantes",
            ar="الاتجار بالأشخاص وتهريب المهاجرين",
            zh_hans="贩运人口和偷运移民",
            ru="Торговля людьми и незаконный ввоз мигрантов",
        ),
        "description": "Cooperation in trafficking and smuggling cases, including joint investigation teams.",
        "members": ["member.br", "coordinator.fr", "moderator"],
    },
]

CONSULTATION = {
    "slug": "br-id-draft-request-bank-records",
    "kind": SpaceKind.PRIVATE,
    "default_tlp": TLP.AMBER,
    "name": "Brazil – Indonesia: draft request for bank records (demo)",
    "description": "Private consultation before sending a formal request. Fictional case.",
    "creator": "member.br",
    "people": ["member.id"],
    "authority_country": "ID",
}

# (space slug, author, language, TLP, title, body, replies [(author, language, body)], days ago, extra)
THREADS = [
    (
        "plenary",
        "admin",
        "en",
        TLP.CLEAR,
        "Welcome to the Comity forum",
        "Welcome. This forum is for the central authorities and other competent authorities of the network.\n\n"
        "- **Spaces**: the plenary is open to every member; regional and network spaces follow your country; "
        "thematic spaces are opt-in (join them from the forum page); private consultations are read only by those "
        "invited.\n"
        "- **Handling marks**: every thread carries a TLP 2.0 mark. E-mail about AMBER and RED threads carries only "
        "a link, never the text.\n"
        "- **Questions to countries**: address a question to one or more countries; the page shows whether their "
        "authorities are in the office now.\n\n"
        "All names and cases in this demonstration are fictional.",
        [("moderator", "en", "Thank you. Moderators can be reached with the *Flag* link under each post.")],
        20,
        {"pinned": True},
    ),
    (
        "plenary",
        "coordinator.fr",
        "fr",
        TLP.GREEN,
        "Demandes d'entraide : accusés de réception",
        "Bonjour à toutes et à tous,\n\nNotre autorité centrale envoie désormais un accusé de réception sous "
        "48 heures pour chaque demande d'entraide reçue, avec le nom du magistrat chargé du dossier. Quelles sont vos "
        "pratiques ? Un accusé de réception systématique vous aide-t-il à suivre vos demandes ?",
        [
            (
                "member.id",
                "en",
                "We do the same within five working days, by e-mail to the requesting central authority. "
                "A reference number on both sides helps a lot when a follow-up comes months later.",
            ),
            (
                "member.br",
                "pt",
                "No Brasil, o sistema gera um número de protocolo automaticamente. Concordo: o número "
                "de referência da autoridade requerente deveria constar em toda a correspondência.",
            ),
        ],
        12,
        {},
    ),
    (
        "plenary",
        "admin",
        "ar",
        TLP.GREEN,
        "الاجتماع العام القادم للشبكة",
        "الزملاء الأعزاء،\n\nنقترح عقد الاجتماع العام القادم عبر الإنترنت على مدى يومين، مع جلسات قصيرة تراعي فروق "
        "التوقيت بين المناطق. يرجى إبداء ملاحظاتكم على جدول الأعمال المقترح:\n\n"
        "1. تبادل الخبرات في طلبات الأدلة الإلكترونية\n2. استرداد الموجودات\n3. تحديث دليل السلطات المركزية\n\n"
        "مع أطيب التحيات،\nالأمانة",
        [
            (
                "coordinator.fr",
                "fr",
                "Merci. Nous proposons d'ajouter un point sur l'audition de témoins par visioconférence.",
            )
        ],
        9,
        {},
    ),
    (
        "latin-america-caribbean",
        "coordinator.br",
        "pt",
        TLP.GREEN,
        "Oitiva de testemunhas por videoconferência",
        "Prezados colegas,\n\nEstamos preparando um guia prático sobre oitivas por videoconferência em pedidos de "
        "cooperação. Gostaríamos de saber:\n\n1. a vossa legislação exige a presença de uma autoridade judicial no "
        "local da testemunha?\n2. quais plataformas são aceitas?\n\nExemplos de boas práticas são bem-vindos.",
        [
            (
                "member.br",
                "pt",
                "Incluí no rascunho do guia a lista de verificação técnica que usamos antes de cada "
                "audiência: teste de conexão, intérprete e identificação da testemunha.",
            )
        ],
        8,
        {},
    ),
    (
        "south-eastern-asia",
        "member.id",
        "en",
        TLP.GREEN,
        "Service of judicial documents: typical timelines",
        "Colleagues in the region: how long does service of judicial documents usually take in your country once "
        "the request reaches the central authority? We are collecting figures for the regional meeting. Ranges are "
        "fine, e.g. *4–8 weeks*.",
        [
            (
                "coordinator.id",
                "en",
                "For Indonesia: about six weeks on average last year, longer when the address must "
                "first be traced by the police.",
            )
        ],
        7,
        {},
    ),
    (
        "iberred",
        "liaison.iberred",
        "es",
        TLP.GREEN,
        "Solicitudes urgentes: aviso previo por la red",
        "Estimados puntos de contacto:\n\nRecordamos que, en casos urgentes, conviene avisar por este espacio antes "
        "de transmitir formalmente la solicitud, indicando:\n\n- el tipo de medida (por ejemplo, congelamiento de "
        "cuentas),\n- el plazo,\n- el idioma en que se enviará la solicitud.\n\nAsí la autoridad requerida puede "
        "preparar la traducción y asignar el expediente.",
        [
            (
                "coordinator.br",
                "pt",
                "Obrigada, Lucía. Para o Brasil, pedidos urgentes podem ser adiantados em espanhol; "
                "a tradução oficial para o português pode seguir depois.",
            )
        ],
        6,
        {},
    ),
    (
        "extradition",
        "coordinator.fr",
        "fr",
        TLP.GREEN,
        "Garanties diplomatiques et conditions de détention",
        "Dans plusieurs dossiers récents, l'État requérant a dû fournir des garanties sur les conditions de "
        "détention. Quels éléments vos juridictions exigent-elles en pratique (visites consulaires, surface des "
        "cellules, accès aux soins) ? Des modèles de garanties acceptées seraient utiles.",
        [
            (
                "member.id",
                "en",
                "Our courts ask for assurances signed at ministerial level, and for a named contact who "
                "can arrange consular visits.",
            )
        ],
        15,
        {},
    ),
    (
        "mutual-legal-assistance",
        "coordinator.id",
        "en",
        TLP.GREEN,
        "Requests for bank records: what makes them executable?",
        "The most common reason we return requests for bank records is missing detail. A checklist that works for "
        "us:\n\n1. the account holder's full name and date of birth, or the company's registration number;\n2. the "
        "account number, or at least the bank;\n3. the period covered;\n4. the link between the account and the "
        "offence.\n\nWhat would you add?",
        [
            (
                "member.fr",
                "fr",
                "Nous ajouterions : préciser si la personne peut être informée de la demande, car la loi "
                "de certains États impose une notification au titulaire du compte.",
            ),
            (
                "member.br",
                "en",
                "And whether certified copies are needed for trial, or plain copies are enough for the investigation.",
            ),
        ],
        11,
        {},
    ),
    (
        "asset-recovery",
        "member.fr",
        "en",
        TLP.GREEN,
        "Non-conviction-based confiscation: recognising foreign orders",
        "We are drafting guidance on requests to recognise foreign non-conviction-based confiscation orders. Has "
        "your country executed such an order? Which legal basis did you rely on (UNCAC art. 54(1)(c), a bilateral "
        "treaty, reciprocity)?",
        [
            (
                "coordinator.id",
                "en",
                "Yes, once, on the basis of UNCAC. The court asked for a certified translation of "
                "the whole judgment, not only the operative part.",
            )
        ],
        10,
        {},
    ),
    (
        "cybercrime-e-evidence",
        "admin",
        "ru",
        TLP.GREEN,
        "Сроки хранения данных у поставщиков услуг",
        "Коллеги,\n\nСекретариат обновляет сводную таблицу сроков хранения данных о трафике и абонентах у "
        "поставщиков услуг. Просим сообщить действующие сроки в вашей стране и ссылку на закон. Особенно важно "
        "указать, возможно ли срочное обеспечение сохранности данных по запросу через контактный пункт 24/7.",
        [
            (
                "member.fr",
                "fr",
                "Pour la France : un an pour les données de trafic, sous réserve des évolutions récentes "
                "de la jurisprudence. La conservation rapide est possible par le point de contact 24/7.",
            )
        ],
        5,
        {},
    ),
    (
        "cybercrime-e-evidence",
        "admin",
        "zh-hans",
        TLP.GREEN,
        "跨境调取电子证据：请求中应包含的信息",
        "各位同事：\n\n为了加快电子证据请求的执行，建议在请求中写明：\n\n- 账户标识（电子邮件地址、用户名，或IP地址及"
        "时间，包括时区）；\n- 所需数据的类别（用户信息、流量数据或内容数据）；\n- 是否已通过24/7联络点请求保全数据。"
        "\n\n"
        "欢迎补充。",
        [("member.id", "en", "The time zone is essential: we often receive IP addresses with a time but no zone.")],
        4,
        {},
    ),
    (
        "trafficking",
        "member.br",
        "en",
        TLP.GREEN,
        "Joint investigation teams across regions",
        "Has anyone set up a joint investigation team with a country outside their region for a trafficking in "
        "persons case? We are considering one and would like to hear about the practical arrangements: languages, "
        "costs, sharing of evidence.",
        [
            (
                "coordinator.fr",
                "fr",
                "Oui, avec un pays d'Afrique de l'Ouest l'an dernier. Prévoyez dès le départ le "
                "régime linguistique et qui finance l'interprétation.",
            )
        ],
        3,
        {},
    ),
    (
        "plenary",
        "member.br",
        "en",
        TLP.GREEN,
        "Urgent freezing of bank accounts in Indonesia: which authority?",
        "We are preparing an urgent request to freeze two bank accounts held in Jakarta, in a fictional fraud "
        "investigation (Operation *Maré*). Which Indonesian authority executes freezing orders, and can the request "
        "be sent in advance by e-mail while the formal request follows through the central authority?",
        [],
        3,
        {"question_to": ["ID"]},
    ),
    (
        CONSULTATION["slug"],
        "member.br",
        "en",
        TLP.AMBER,
        "Draft request: bank records (Operation Maré)",
        "Dear Budi,\n\nAs discussed, before we send the formal request for the bank records held in Jakarta, could "
        "you look at the draft? I will attach it to this thread. In particular:\n\n1. Is the description of the link "
        "between the accounts and the offence sufficient under Indonesian law?\n2. Is English accepted for the "
        "advance copy?\n\nThank you,\nRafael",
        [
            (
                "member.id",
                "en",
                "Thank you, Rafael. English is fine for the advance copy; the formal request must be "
                "translated into Indonesian. Please add the period of the transactions and the account holders' "
                "dates of "
                "birth: our banks need them to identify the accounts.",
            ),
            ("member.br", "en", "Noted. I will add both and post the revised draft next week."),
        ],
        2,
        {},
    ),
]


DESCRIPTIONS_FILE = Path(__file__).resolve().parent / "data" / "space_descriptions.json"


@functools.cache
def _description_table() -> dict:
    return json.loads(DESCRIPTIONS_FILE.read_text(encoding="utf-8"))["descriptions"]


def translated_descriptions(description: str) -> dict[str, str]:
    """The demo description in every interface language (the data file records its source and date)."""
    if not description:
        return {}
    return {"en": description, **_description_table().get(description, {})}


def _demo_users() -> dict:
    from comity.accounts.demo import DEMO_USERS
    from comity.accounts.models import User

    emails = {f"{spec.local}@{DEMO_DOMAIN}": spec.local for spec in DEMO_USERS}
    return {emails[user.email]: user for user in User.objects.filter(email__in=list(emails), is_active=True)}


def _space(spec: dict, users: dict, result: ForumDemoResult, admin) -> Space | None:
    from comity.reference.models import Network

    existing = Space.objects.filter(slug=spec["slug"]).first()
    descriptions = translated_descriptions(spec.get("description", ""))
    if existing is not None:
        if descriptions and not existing.descriptions:
            existing.descriptions = descriptions
            existing.save(update_fields=["descriptions"])
        return existing
    network = None
    if spec["kind"] == SpaceKind.NETWORK:
        network = Network.objects.filter(slug=spec["network"]).first()
        if network is None:
            result.skipped.append(f"space {spec['slug']}: network {spec['network']} is not loaded")
            return None
    names = spec.get("names", {})
    creator = users.get(spec.get("creator", "")) or admin
    space = Space.objects.create(
        slug=spec["slug"],
        kind=spec["kind"],
        name=spec["name"],
        names=names,
        description=spec.get("description", ""),
        descriptions=descriptions,
        region_m49=spec.get("region_m49", ""),
        network=network,
        default_tlp=spec.get("default_tlp", TLP.GREEN),
        created_by=creator,
    )
    result.spaces_created += 1
    return space


def _members(space: Space, spec: dict, users: dict) -> None:
    for local in spec.get("members", ()):
        if local in users:
            SpaceMember.objects.get_or_create(space=space, user=users[local])


def _consultation(users: dict, result: ForumDemoResult) -> Space | None:
    creator = users.get(CONSULTATION["creator"])
    people = [users[local] for local in CONSULTATION["people"] if local in users]
    if creator is None or not people:
        result.skipped.append("private consultation: the Brazilian or Indonesian demo member is missing")
        return None
    space = _space(CONSULTATION, users, result, creator)
    watching = NotifyLevel.WATCHING  # everyone in a private consultation watches it by default
    SpaceMember.objects.get_or_create(
        space=space, user=creator, defaults={"is_moderator": True, "added_by": creator, "notify_level": watching}
    )
    for person in people:
        SpaceMember.objects.get_or_create(
            space=space, user=person, defaults={"added_by": creator, "notify_level": watching}
        )
    from comity.directory.models import Authority, Competence

    central = (
        Authority.objects.filter(
            country__iso2=CONSULTATION["authority_country"], is_active=True, competences__code=Competence.MLA_CENTRAL
        )
        .order_by("pk")
        .first()
    )
    if central is not None:
        SpaceAuthority.objects.get_or_create(space=space, authority=central, defaults={"added_by": creator})
    return space


def _write(*, thread: Thread, number: int, author, body: str, language: str, at: dt.datetime) -> Post:
    """The post numbered `number` in its new thread (written in order; the thread's counters are set after)."""
    post = Post.objects.create(
        thread=thread,
        number=number,
        author=author,
        body=body,
        body_html=markdown.render(body),
        language=language,
        created_at=at,
        search_text=markdown.plain_text(body),
    )
    ReadMarker.objects.update_or_create(
        user=author,
        thread=thread,
        defaults={"last_read_post_id": post.pk, "last_read_number": number, "updated_at": at},
    )
    # Whoever writes in a thread watches it (as forum.services does).
    ThreadSubscription.objects.get_or_create(user=author, thread=thread, defaults={"level": NotifyLevel.WATCHING})
    return post


def _thread(spec: tuple, spaces: dict, users: dict, countries: dict, now: dt.datetime, result: ForumDemoResult) -> None:
    slug, author, language, tlp, title, body, replies, days_ago, extra = spec
    space = spaces.get(slug)
    if space is None:
        return
    if Thread.objects.filter(space=space, title=title).exists():
        return
    needed = {author, *(reply[0] for reply in replies)}
    if not needed <= set(users):
        result.skipped.append(f"thread {title!r}: demo users {sorted(needed - set(users))} are missing")
        return
    started = now - dt.timedelta(days=days_ago)
    addressed = [countries[code] for code in extra.get("question_to", ()) if code in countries]
    thread = Thread.objects.create(
        space=space,
        title=title,
        author=users[author],
        tlp=tlp,
        created_at=started,
        last_post_at=started,
        is_pinned=extra.get("pinned", False),
        kind=Thread.Kind.QUESTION if addressed else Thread.Kind.DISCUSSION,
        language=language,
    )
    thread.addressed_countries.set(addressed)
    last = _write(thread=thread, number=1, author=users[author], body=body, language=language, at=started)
    for number, (reply_author, reply_language, reply_body) in enumerate(replies, start=1):
        last = _write(
            thread=thread,
            number=1 + number,
            author=users[reply_author],
            body=reply_body,
            language=reply_language,
            at=started + dt.timedelta(hours=5 * number),
        )
    Thread.objects.filter(pk=thread.pk).update(
        post_count=1 + len(replies),
        last_post_number=1 + len(replies),
        last_post_at=last.created_at,
        last_post_id_cache=last.pk,
    )
    result.threads_created += 1
    result.posts_created += 1 + len(replies)


def forum_demo_seed(*, now: dt.datetime | None = None) -> ForumDemoResult:
    """Create what is missing of the demo forum; returns what was created and what was skipped (and why)."""
    from comity.directory.demo import refuse_in_production
    from comity.reference.models import Country

    refuse_in_production()
    now = now or timezone.now()
    result = ForumDemoResult()
    users = _demo_users()
    admin = users.get("admin")
    if admin is None:
        result.skipped.append("the demo users are missing: run seed_demo")
        return result
    countries = {c.iso2: c for c in Country.objects.filter(iso2__in={"ID"})}
    with transaction.atomic():
        spaces: dict[str, Space] = {}
        for spec in SPACES:
            space = _space(spec, users, result, admin)
            if space is not None:
                _members(space, spec, users)
                spaces[space.slug] = space
        consultation = _consultation(users, result)
        if consultation is not None:
            spaces[consultation.slug] = consultation
        for spec in THREADS:
            _thread(spec, spaces, users, countries, now, result)
    result.spaces = len(spaces)
    return result
