"""Create the demo accounts (and, as later apps arrive, their demo data). Refused in production."""

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from comity.accounts.models import User
from comity.demo.services import demo_seed


class Command(BaseCommand):
    help = "Load demo data: one user per role under @demo.comity.test. Refused under production settings."

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true",
                            help="do nothing when the database already has users (used by make serve)")

    def handle(self, *args, **options):
        if options["if_empty"] and User.objects.exists():
            self.stdout.write("Demo data: the database already has users; nothing loaded.")
            return
        try:
            result = demo_seed()
        except ImproperlyConfigured as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Demo data: {result['users_created']} user(s) created, {result['users']} demo users.")
