"""Synthetic directories at scale, for benchmarks: N authorities with four contact points each.

Deterministic: authority number i is drawn from its own random generator seeded with (seed, i), so a run
that tops up an existing synthetic directory produces exactly what a single run would have. Synthetic
authorities are recognised by their official e-mail under SCALE_DOMAIN; `count` is the number wanted in
total, so running the same command twice creates nothing the second time.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from comity.core.timeutil import is_valid_timezone
from comity.directory.models import Authority, AuthorityCompetence, Closure, Contact, OfficeHours, Seat
from comity.reference.models import Country

SCALE_DOMAIN = "scale.demo.comity.test"
CONTACTS_PER_AUTHORITY = 4
OTHER_LANGUAGES = ("fr", "es", "pt", "ru", "zh-hans", "ar")

BODIES = (
    {
        "en": "Ministry of Justice",
        "fr": "Ministère de la Justice",
        "es": "Ministerio de Justicia",
        "pt": "Ministério da Justiça",
        "ru": "Министерство юстиции",
        "zh-hans": "司法部",
        "ar": "وزارة العدل",
    },
    {
        "en": "Office of the Prosecutor General",
        "fr": "Parquet général",
        "es": "Fiscalía General",
        "pt": "Procuradoria-Geral",
        "ru": "Генеральная прокуратура",
        "zh-hans": "总检察院",
        "ar": "النيابة العامة",
    },
    {
        "en": "National Police",
        "fr": "Police nationale",
        "es": "Policía Nacional",
        "pt": "Polícia Nacional",
        "ru": "Национальная полиция",
        "zh-hans": "国家警察",
        "ar": "الشرطة الوطنية",
    },
    {
        "en": "Ministry of Foreign Affairs",
        "fr": "Ministère des Affaires étrangères",
        "es": "Ministerio de Relaciones Exteriores",
        "pt": "Ministério das Relações Exteriores",
        "ru": "Министерство иностранных дел",
        "zh-hans": "外交部",
        "ar": "وزارة الخارجية",
    },
    {
        "en": "Supreme Court",
        "fr": "Cour suprême",
        "es": "Corte Suprema",
        "pt": "Supremo Tribunal",
        "ru": "Верховный суд",
        "zh-hans": "最高法院",
        "ar": "المحكمة العليا",
    },
)
# (weight, competence, instrument, names)
UNITS = (
    (
        5,
        "mla_central",
        "untoc_18_13",
        {
            "en": "Central Authority for Mutual Legal Assistance",
            "fr": "Autorité centrale pour l'entraide judiciaire",
            "es": "Autoridad Central de Asistencia Jurídica Mutua",
            "pt": "Autoridade Central de Cooperação Jurídica",
            "ru": "Центральный орган по взаимной правовой помощи",
            "zh-hans": "司法协助中央机关",
            "ar": "السلطة المركزية للمساعدة القانونية المتبادلة",
        },
    ),
    (
        2,
        "extradition",
        "untoc_16",
        {
            "en": "Extradition Unit",
            "fr": "Bureau de l'extradition",
            "es": "Unidad de Extradición",
            "pt": "Divisão de Extradição",
            "ru": "Отдел экстрадиции",
            "zh-hans": "引渡处",
            "ar": "وحدة تسليم المطلوبين",
        },
    ),
    (
        2,
        "asset_recovery",
        "uncac_46_13",
        {
            "en": "Asset Recovery Office",
            "fr": "Bureau du recouvrement des avoirs",
            "es": "Oficina de Recuperación de Activos",
            "pt": "Gabinete de Recuperação de Ativos",
            "ru": "Управление по возвращению активов",
            "zh-hans": "资产追回办公室",
            "ar": "مكتب استرداد الأصول",
        },
    ),
    (
        1,
        "cybercrime_24_7",
        "budapest_35",
        {
            "en": "24/7 Cybercrime Point of Contact",
            "fr": "Point de contact 24/7 cybercriminalité",
            "es": "Punto de contacto 24/7 de ciberdelincuencia",
            "pt": "Ponto de contato 24/7 para crimes cibernéticos",
            "ru": "Круглосуточный пункт связи по киберпреступности",
            "zh-hans": "网络犯罪24/7联络点",
            "ar": "نقطة الاتصال على مدار الساعة للجرائم الإلكترونية",
        },
    ),
    (
        1,
        "sentenced_transfer",
        "coe_sentenced_1983",
        {
            "en": "Transfer of Sentenced Persons Unit",
            "fr": "Bureau du transfèrement des personnes condamnées",
            "es": "Unidad de Traslado de Personas Condenadas",
            "pt": "Divisão de Transferência de Pessoas Condenadas",
            "ru": "Отдел передачи осуждённых",
            "zh-hans": "被判刑人移管处",
            "ar": "وحدة نقل المحكوم عليهم",
        },
    ),
    (
        1,
        "jit",
        "",
        {
            "en": "Joint Investigation Teams Unit",
            "fr": "Bureau des équipes communes d'enquête",
            "es": "Unidad de Equipos Conjuntos de Investigación",
            "pt": "Unidade de Equipas Conjuntas de Investigação",
            "ru": "Отдел совместных следственных групп",
            "zh-hans": "联合调查组处",
            "ar": "وحدة فرق التحقيق المشتركة",
        },
    ),
)
_UNIT_WEIGHTS = [unit[0] for unit in UNITS]
EXTRA_COMPETENCES = (
    ("extradition", "untoc_16"),
    ("asset_recovery", "uncac_46_13"),
    ("proceedings_transfer", ""),
    ("firearms", "firearms_13"),
    ("migrant_smuggling_sea", "smuggling_8"),
    ("cultural_property", ""),
)


def _days(*days: int, spans: tuple[str, ...]) -> tuple[tuple[int, str, str | None], ...]:
    rows = []
    for day in days:
        for span in spans:
            opens, closes = span.split("-")
            rows.append((day, opens, None if closes == "24:00" else closes))
    return tuple(rows)


# (weight, intervals): weekly schedules seen in real directories.
SCHEDULES = (
    (5, _days(0, 1, 2, 3, 4, spans=("09:00-17:00",))),
    (4, _days(0, 1, 2, 3, 4, spans=("08:30-12:30", "13:30-17:00"))),
    (2, _days(6, 0, 1, 2, 3, spans=("08:00-15:00",))),
    (2, _days(0, 1, 2, 3, spans=("08:00-16:00",)) + _days(4, spans=("08:00-11:30", "13:30-16:30"))),
    (1, _days(0, 1, 2, 3, 4, spans=("16:00-24:00",)) + _days(1, 2, 3, 4, 5, spans=("00:00-02:00",))),
)
_SCHEDULE_WEIGHTS = [schedule[0] for schedule in SCHEDULES]

FIRST_NAMES = (
    "Ana",
    "Amina",
    "Carlos",
    "Chen",
    "Daniel",
    "Elena",
    "Fatima",
    "Hiroshi",
    "Ibrahim",
    "Irina",
    "Jean",
    "Kwame",
    "Laila",
    "Lucas",
    "Maria",
    "Mohammed",
    "Nadia",
    "Olga",
    "Pedro",
    "Priya",
    "Rahul",
    "Sara",
    "Siti",
    "Tomás",
    "Wei",
    "Yusuf",
    "Zanele",
    "Hana",
    "Omar",
    "Sofia",
)
LAST_NAMES = (
    "Alvarez",
    "Banda",
    "Costa",
    "Dubois",
    "Eze",
    "Fernandes",
    "García",
    "Haddad",
    "Ivanova",
    "Jung",
    "Kamau",
    "Li",
    "Mensah",
    "Nakamura",
    "Okafor",
    "Petrov",
    "Quispe",
    "Rahman",
    "Silva",
    "Tan",
    "Usman",
    "Vargas",
    "Wang",
    "Yilmaz",
    "Zhou",
    "Diallo",
    "Kowalski",
    "Santos",
    "Suzuki",
    "Nguyen",
)
SEAT_TITLES = ("Head of unit", "Deputy head", "Case officer", "Duty officer")
VISIBILITIES = (
    {},
    {"phone": "public", "email": "public"},
    {"mobile": "network"},
    {"secure_channel": "secretariat"},
    {"name": "members", "title": "members"},
)
LANGUAGES = ("en", "fr", "es", "pt", "ru", "ar", "zh", "de", "id", "ja", "sw", "hi", "tr", "it")


@dataclass(frozen=True)
class ScaleResult:
    wanted: int
    existing: int
    authorities_created: int
    contacts_created: int


def _time(text: str) -> dt.time:
    hour, minute = text.split(":")
    return dt.time(int(hour), int(minute))


def _authority(index: int, seed: int, country: Country, now: dt.datetime):
    """One synthetic authority and its rows; nothing is saved here."""
    rng = random.Random(f"{seed}:{index}")  # noqa: S311 - reproducible test data, not a secret
    number = index + 1
    body = rng.choice(BODIES)
    _weight, code, instrument, unit = rng.choices(UNITS, weights=_UNIT_WEIGHTS)[0]
    always = code == "cybercrime_24_7"
    names = {
        language: f"{body[language]} – {unit[language]} #{number}"
        for language in rng.sample(OTHER_LANGUAGES, rng.randint(0, 2))
    }
    zone = country.primary_timezone if is_valid_timezone(country.primary_timezone) else "UTC"
    cc = country.iso2.lower()
    accepted = sorted({"en", *rng.sample(LANGUAGES, rng.randint(0, 2))})
    authority = Authority(
        country=country,
        official_name=f"{body['en']} – {unit['en']} #{number} (synthetic)",
        names=names,
        languages_accepted=accepted,
        channels=sorted(rng.sample(("direct", "diplomatic", "interpol", "electronic", "network"), rng.randint(1, 3))),
        urgent_channels=sorted(rng.sample(("email", "phone", "interpol"), rng.randint(0, 2))),
        untoc_mla_basis=rng.random() < 0.7,
        untoc_extradition_basis=rng.random() < 0.4,
        email=f"authority{number:06d}.{cc}@{SCALE_DOMAIN}",
        phone=f"+0 {number:06d} 0000",
        website=f"https://{cc}.example.gov.test/a{number:06d}",
        timezone=zone,
        always_available=always,
        last_confirmed_at=now - dt.timedelta(days=rng.randint(0, 260), minutes=rng.randint(0, 1439)),
    )
    authority.search_text = authority.build_search_text()
    competences = [(code, instrument)]
    if rng.random() < 0.3:
        extra = rng.choice(EXTRA_COMPETENCES)
        if extra[0] != code:
            competences.append(extra)
    intervals = () if always else rng.choices(SCHEDULES, weights=_SCHEDULE_WEIGHTS)[0][1]
    closures = []
    if rng.random() < 0.02:
        start = now.date() + dt.timedelta(days=rng.randint(-10, 60))
        closures.append((start, start + dt.timedelta(days=rng.randint(0, 6)), "Office move (synthetic)"))
    contacts = []
    for position, title in enumerate(SEAT_TITLES):
        name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)} (synthetic)"
        contacts.append(
            {
                "title": title,
                "name": name,
                "languages": sorted({accepted[0], rng.choice(LANGUAGES)}),
                "email": f"c{number:06d}.{position}@{SCALE_DOMAIN}",
                "phone": f"+0 {number:06d} {position:04d}",
                "mobile": f"+0 {number:06d} 9{position:03d}" if rng.random() < 0.5 else "",
                "secure_channel": f"c{number:06d}.{position}@secure.{SCALE_DOMAIN}" if rng.random() < 0.3 else "",
                "always_available": always or (position == 3 and rng.random() < 0.15),
                "visibility": dict(rng.choice(VISIBILITIES)),
                "start_date": now.date() - dt.timedelta(days=rng.randint(30, 2000)),
                "last_confirmed_at": now - dt.timedelta(days=rng.randint(0, 260)),
            }
        )
    return authority, competences, intervals, closures, contacts


def directory_scale_seed(
    *,
    count: int,
    seed: int = 2026,
    batch_size: int = 500,
    progress: Callable[[int, int], None] | None = None,
    now: dt.datetime | None = None,
) -> ScaleResult:
    """Make sure `count` synthetic authorities exist (4 contact points each), spread over every country."""
    from comity.directory.demo import refuse_in_production

    refuse_in_production()
    if count < 0:
        raise ValueError("count must not be negative")
    now = now or timezone.now()
    countries = list(Country.objects.order_by("iso2"))
    if not countries:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("Reference data is missing; run load_reference first.")
    existing = Authority.objects.filter(email__endswith="@" + SCALE_DOMAIN).count()
    created = contacts_created = 0
    for start in range(existing, count, batch_size):
        indexes = range(start, min(count, start + batch_size))
        with transaction.atomic():
            contacts_created += _create_batch(indexes, seed, countries, now)
        created += len(indexes)
        if progress:
            progress(start + len(indexes), count)
    return ScaleResult(wanted=count, existing=existing, authorities_created=created, contacts_created=contacts_created)


def _create_batch(indexes: range, seed: int, countries: list[Country], now: dt.datetime) -> int:
    rows = [_authority(index, seed, countries[index % len(countries)], now) for index in indexes]
    authorities = Authority.objects.bulk_create([row[0] for row in rows])
    competences, hours, closures, seats, contact_rows = [], [], [], [], []
    for authority, (_a, codes, intervals, closure_rows, contacts) in zip(authorities, rows, strict=True):
        competences += [
            AuthorityCompetence(authority=authority, code=code, instrument=instrument) for code, instrument in codes
        ]
        hours += [
            OfficeHours(authority=authority, weekday=day, opens=_time(opens), closes=_time(closes) if closes else None)
            for day, opens, closes in intervals
        ]
        closures += [Closure(authority=authority, start_date=s, end_date=e, reason=r) for s, e, r in closure_rows]
        for position, contact in enumerate(contacts):
            seats.append(Seat(authority=authority, title=contact["title"], position=position))
            contact_rows.append(contact)
    AuthorityCompetence.objects.bulk_create(competences)
    OfficeHours.objects.bulk_create(hours)
    Closure.objects.bulk_create(closures)
    Seat.objects.bulk_create(seats)
    Contact.objects.bulk_create(
        [Contact(seat=seat, authority=seat.authority, **row) for seat, row in zip(seats, contact_rows, strict=True)]
    )
    return len(contact_rows)
