"""The last thing `make serve` prints: where to sign in, as which demo account, and how to get its code.

With --wait it first waits (up to --timeout seconds) until the server answers /healthz, so that the hint comes
after the server's own start-up lines and the address works when it is shown."""

import time
import urllib.error
import urllib.request

from django.conf import settings
from django.core.management.base import BaseCommand

from comity.accounts.demo import DEMO_DOMAIN
from comity.accounts.models import User

DEMO_ACCOUNT = f"member.br@{DEMO_DOMAIN}"


class Command(BaseCommand):
    help = "Print where to sign in to the development server, with a demo account and how to get its code."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", default="8000")
        parser.add_argument("--wait", action="store_true", help="Wait until the server answers /healthz.")
        parser.add_argument("--timeout", type=float, default=120.0)
        parser.add_argument("--python", default=".venv/bin/python", help="How the hint spells the interpreter.")

    def handle(self, *args, **options):
        base = f"http://{options['host']}:{options['port']}"
        if options["wait"] and not self._wait(f"{base}/healthz", options["timeout"]):
            self.stderr.write(f"The server did not answer at {base}/healthz within {options['timeout']:.0f} s.")
            return
        self.stdout.write(self.hint(base, options["python"]))

    @staticmethod
    def _wait(url: str, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - our own local server
                    if response.status == 200:
                        return True
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.5)
        return False

    @staticmethod
    def hint(base: str, python: str) -> str:
        user = User.objects.filter(email=DEMO_ACCOUNT, is_active=True).first()
        lines = ["", "Comity is running.", f"  Sign in at  {base}/en/accounts/login/"]
        if user is None:
            lines.append("  No demo account in the database: run `manage.py seed_demo` to create them.")
            return "\n".join(lines) + "\n"
        if user.check_password(settings.DEMO_PASSWORD):
            password = settings.DEMO_PASSWORD
        else:
            password = "(the COMITY_DEMO_PASSWORD the demo was seeded with)"  # noqa: S105 - a hint, not a secret
        lines += [
            f"  E-mail      {DEMO_ACCOUNT}",
            f"  Password    {password}",
            f"  Code        {python} manage.py demo_code   (a new one every 30 seconds)",
            "  Other demo accounts are listed in README.md. Stop the server with Ctrl+C.",
        ]
        return "\n".join(lines) + "\n"
