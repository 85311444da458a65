"""The plan of the synthetic forum: which thread, author, language and text each position of the post stream
gets, from the seed alone (see `comity.forum.demo_scale`)."""

from __future__ import annotations

import bisect
import datetime as dt
import math
import random
import re
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured

from comity.forum import markdown
from comity.forum.demo_scale.texts import BODIES, COMPARISON_TITLE, LONG_TITLE, RARE_BODY, TITLES
from comity.forum.models import Space, SpaceKind

DEMO_DOMAIN = "demo.comity.test"
BLOCK = 10_000  # stream positions per random block and per transaction
EPOCH = dt.datetime(2022, 1, 3, 8, 0, tzinfo=dt.UTC)
SPACING_SECONDS = 90
LONG_THREAD = 0  # plan index of the long thread
COMPARISON_THREAD = 1  # plan index of the comparison thread
DEFAULTS = {"threads": 2000, "long": 5000, "comparison": 54, "seed": 2026}
TITLE_SUFFIX = re.compile(r" \(synthetic (\d+)\)$")
SIGMA = 1.0
READ_SHARE = 0.30
REPLY_KEEPS_LANGUAGE = 0.75
RARE_WORD = "kittiwake"
RARE_EVERY = 5_000
HIDDEN_EVERY = 1_000
EDITED_EVERY = 100
SPACE_WEIGHTS = {
    SpaceKind.PLENARY: 30,
    SpaceKind.REGIONAL: 8,
    SpaceKind.NETWORK: 8,
    SpaceKind.THEMATIC: 6,
    SpaceKind.PRIVATE: 5,
}
LANGUAGES = (("en", 40), ("es", 12), ("fr", 12), ("pt", 12), ("ru", 8), ("ar", 8), ("zh-hans", 8))


class DemoDataMissing(ImproperlyConfigured):
    """seed_demo has not run: the synthetic forum needs its users and spaces."""


def synthetic_title(title: str, index: int) -> str:
    return f"{title} (synthetic {index})"


@dataclass(frozen=True)
class Rendered:
    language: str
    body: str
    body_html: str
    search_text: str


@dataclass(frozen=True)
class ThreadPlan:
    index: int
    space: Space
    title: str
    language: str
    author_id: int
    poster_ids: tuple[int, ...]
    weight: float


# --- the plan ----------------------------------------------------------------------------------------------------


def _weighted(rng_value: float, cumulative: list[float]) -> int:
    return min(bisect.bisect_right(cumulative, rng_value * cumulative[-1]), len(cumulative) - 1)


def _cumulative(weights) -> list[float]:
    total, out = 0.0, []
    for weight in weights:
        total += weight
        out.append(total)
    return out


_LANGUAGE_CUMULATIVE = _cumulative(weight for _code, weight in LANGUAGES)


def language_for(rng_value: float) -> str:
    return LANGUAGES[_weighted(rng_value, _LANGUAGE_CUMULATIVE)][0]


def rendered_bodies() -> tuple[dict[str, list[Rendered]], Rendered]:
    """Every body rendered once, as `services._post_insert` renders a post."""

    def render(language: str, body: str) -> Rendered:
        return Rendered(language, body, markdown.render(body), markdown.plain_text(body))

    by_language = {language: [render(language, body) for body in bodies] for language, bodies in BODIES.items()}
    return by_language, render("en", RARE_BODY)


def demo_users() -> list:
    from comity.accounts.models import User

    users = list(User.objects.filter(email__endswith="@" + DEMO_DOMAIN, is_active=True).order_by("email"))
    if not users:
        raise DemoDataMissing("The demo users are missing: run `manage.py seed_demo` first.")
    return users


def demo_spaces() -> list[Space]:
    from comity.forum.demo import CONSULTATION, SPACES

    slugs = [spec["slug"] for spec in SPACES] + [CONSULTATION["slug"]]
    spaces = list(Space.objects.filter(slug__in=slugs).select_related("network").order_by("slug"))
    if not any(space.kind == SpaceKind.PLENARY for space in spaces):
        raise DemoDataMissing("The demo forum is missing: run `manage.py seed_demo` first.")
    return spaces


def _posters(users: list, spaces: list[Space]) -> dict[int, tuple[int, ...]]:
    """{space pk: ids of demo users who may start a thread there}, in e-mail order."""
    from comity.forum import permissions

    posters: dict[int, list[int]] = {space.pk: [] for space in spaces}
    for user in users:
        for space in spaces:
            if permissions.can_start_thread(user, space):
                posters[space.pk].append(user.pk)
    return {pk: tuple(ids) for pk, ids in posters.items()}


def build_plan(*, seed: int, threads: int, users: list, spaces: list[Space]) -> list[ThreadPlan]:
    """The synthetic threads: space, title, language, author and reply weight of each, from the seed alone."""
    posters = _posters(users, spaces)
    usable = [space for space in spaces if posters[space.pk]]
    plenary = next(space for space in usable if space.kind == SpaceKind.PLENARY)
    space_cumulative = _cumulative(SPACE_WEIGHTS[space.kind] for space in usable)
    rng = random.Random(f"{seed}:threads")  # noqa: S311 - reproducible test data, not a secret
    plan = []
    for index in range(threads):
        space_value, language_value, title_value, author_value, weight_value = (rng.random() for _ in range(5))
        if index in (LONG_THREAD, COMPARISON_THREAD):
            space, language = plenary, "en"
            title = LONG_TITLE if index == LONG_THREAD else COMPARISON_TITLE
        else:
            space = usable[_weighted(space_value, space_cumulative)]
            language = language_for(language_value)
            titles = TITLES[language]
            title = titles[int(title_value * len(titles))]
        ids = posters[space.pk]
        # Log-normal weight, clipped so that no thread outgrows the long one at a million posts.
        z = max(-3.0, min(2.6, _normal(weight_value, rng)))
        plan.append(
            ThreadPlan(
                index=index,
                space=space,
                title=synthetic_title(title, index),
                language=language,
                author_id=ids[int(author_value * len(ids))],
                poster_ids=ids,
                weight=math.exp(SIGMA * z),
            )
        )
    return plan


def _normal(first: float, rng: random.Random) -> float:
    """A standard normal draw (Box-Muller) from `first` and one more value of the generator."""
    return math.sqrt(-2.0 * math.log(1.0 - first)) * math.cos(2.0 * math.pi * rng.random())


class Stream:
    """Which thread stream position k belongs to (see the module docstring)."""

    def __init__(self, plan: list[ThreadPlan], *, long: int, comparison: int) -> None:
        self.long = long
        self.comparison = comparison
        self.others = len(plan) - 2
        self.second = self.others + long  # length of part 2
        self.replies_from = comparison + self.second
        self.cumulative = _cumulative(thread.weight for thread in plan[2:])

    def _longs_before(self, j: int) -> int:
        return (j * self.long + self.second - 1) // self.second

    def thread_of(self, k: int, rng_value: float) -> int:
        if k < self.comparison:
            return COMPARISON_THREAD
        if k < self.replies_from:
            j = k - self.comparison
            before = self._longs_before(j)
            if self._longs_before(j + 1) > before:
                return LONG_THREAD
            return 2 + j - before
        return 2 + _weighted(rng_value, self.cumulative)


def post_time(k: int, jitter: float) -> dt.datetime:
    return EPOCH + dt.timedelta(seconds=k * SPACING_SECONDS + int(jitter * (SPACING_SECONDS - 1)))
