"""Top the forum up to N posts with synthetic, deterministic threads for benchmarks (see forum/demo_scale.py).

Refused under production settings; needs the demo data (`seed_demo`)."""

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from comity.forum.demo_scale import DEFAULTS, forum_scale_seed


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise ValueError(value)
    return number


class Command(BaseCommand):
    help = (
        "Make sure the forum holds N posts in all: synthetic threads of skewed lengths in the demo spaces, in the "
        "seven UI languages, with one long thread, plus read markers for the demo users. Running it again with a "
        "bigger N adds only the difference; the same seed gives the same data. Refused under production settings."
    )

    def add_arguments(self, parser):
        parser.add_argument("--posts", type=_positive, required=True, metavar="N", help="posts wanted in all")
        parser.add_argument("--seed", type=int, default=DEFAULTS["seed"], help="random seed (default 2026)")
        parser.add_argument(
            "--threads", type=_positive, default=DEFAULTS["threads"], help="synthetic threads (default 2000)"
        )
        parser.add_argument(
            "--long-thread", type=_positive, default=DEFAULTS["long"], help="posts of the long thread (default 5000)"
        )
        parser.add_argument(
            "--comparison-thread",
            type=_positive,
            default=DEFAULTS["comparison"],
            help="posts of the comparison thread (default 54)",
        )

    def handle(self, *args, **options):
        last = [0.0]

        def progress(done: int, total: int, elapsed: float) -> None:
            if done == total or elapsed - last[0] >= 5:
                last[0] = elapsed
                self.stdout.write(f"  {done:,}/{total:,} synthetic posts ({elapsed:.1f} s)")

        try:
            result = forum_scale_seed(
                posts=options["posts"],
                seed=options["seed"],
                threads=options["threads"],
                long=options["long_thread"],
                comparison=options["comparison_thread"],
                progress=progress,
            )
        except ImproperlyConfigured as exc:
            raise CommandError(str(exc)) from exc
        rate = result.posts_created / result.seconds if result.seconds else 0
        self.stdout.write(
            f"Synthetic forum: {result.posts_created:,} posts and {result.threads_created:,} threads created "
            f"({result.existing:,} synthetic posts existed, {result.wanted:,} posts wanted in all), "
            f"{result.markers:,} read markers set, in {result.seconds:.1f} s ({rate:,.0f} posts/s)."
        )
        if result.longest:
            longest = ", ".join(f"thread {pk}: {count:,}" for pk, count in result.longest)
            self.stdout.write(f"Longest synthetic threads: {longest}.")
