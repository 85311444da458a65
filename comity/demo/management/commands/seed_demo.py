"""Create the demo accounts and the demo directory; with --scale, a synthetic directory for benchmarks.

Refused under production settings."""

import time

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from comity.accounts.models import User
from comity.demo.services import demo_seed, demo_seed_scale


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise ValueError(value)
    return number


class Command(BaseCommand):
    help = (
        "Load demo data: one user per role under @demo.comity.test and a fictional directory of about 30 "
        "countries. --scale N also makes sure N synthetic authorities (4 contact points each) exist. "
        "Refused under production settings."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="do nothing when the database already has users (used by make serve)",
        )
        parser.add_argument(
            "--scale",
            type=_positive,
            metavar="N",
            help="top the directory up to N synthetic authorities with 4 contact points each",
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=2026,
            help="random seed for --scale (default 2026); the same seed gives the same data",
        )

    def handle(self, *args, **options):
        if options["if_empty"] and User.objects.exists():
            self.stdout.write("Demo data: the database already has users; nothing loaded.")
            return
        started = time.perf_counter()
        try:
            result = demo_seed()
        except ImproperlyConfigured as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Demo data: {result['users_created']} user(s) created, {result['users']} demo users.")
        self.stdout.write(
            f"Demo directory: {result['authorities_created']} of {result['authorities']} authorities "
            f"and {result['contacts_created']} contact point(s) created, "
            f"{result['contacts_linked']} linked to demo users."
        )
        self.stdout.write(
            f"Demo forum: {result['forum_spaces']} spaces, {result['forum_threads_created']} thread(s) "
            f"and {result['forum_posts_created']} post(s) created, "
            f"{result['attachments_created']} attachment(s)."
        )
        self.stdout.write(
            f"Demo legal portal: {result['legal_profiles_created']} country profile(s), "
            f"{result['measure_fiches_created']} measure fiche(s), {result['demo_treaties_created']} demo treaty and "
            f"{result['library_documents_created']} library document(s) created."
        )
        if result["countries_missing"]:
            self.stdout.write(
                "Demo directory: skipped countries missing from the reference data: "
                + ", ".join(result["countries_missing"])
            )
        if options["scale"]:
            self._scale(options["scale"], options["seed"])
        self.stdout.write(f"Done in {time.perf_counter() - started:.1f} s.")

    def _scale(self, count: int, seed: int) -> None:
        started = time.perf_counter()

        def progress(done: int, total: int) -> None:
            self.stdout.write(f"  {done}/{total} synthetic authorities ({time.perf_counter() - started:.1f} s)")

        try:
            result = demo_seed_scale(count=count, seed=seed, progress=progress)
        except ImproperlyConfigured as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Synthetic directory: {result.authorities_created} authorities and "
            f"{result.contacts_created} contact points created ({result.existing} existed, "
            f"{result.wanted} wanted) in {time.perf_counter() - started:.1f} s."
        )
