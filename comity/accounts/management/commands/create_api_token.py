"""Create a personal API token from the command line; prints the token alone on its last line."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from comity.accounts import services
from comity.accounts.models import User


class Command(BaseCommand):
    help = "Create an API token for a user. The token is printed once, alone on the last line."

    def add_arguments(self, parser):
        parser.add_argument("--user", required=True, help="the user's e-mail address")
        parser.add_argument("--scope", choices=["read", "write"], default="read")
        parser.add_argument("--name", default="command line")
        parser.add_argument("--days", type=int, default=None)

    def handle(self, *args, **options):
        user = User.objects.filter(email__iexact=options["user"].strip()).first()
        if user is None or not user.is_active:
            raise CommandError(f"No active user with the e-mail address {options['user']!r}.")
        try:
            token, raw = services.api_token_create(
                user=user, name=options["name"], scope=options["scope"], days=options["days"]
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        expires = token.expires_at.strftime("%Y-%m-%d")
        self.stdout.write(f"Token {token.prefix} ({token.scope}) for {user.email}, expires {expires}.")
        self.stdout.write(raw)
