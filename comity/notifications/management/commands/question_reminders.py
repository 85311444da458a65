"""Remind addressed countries of open questions after N of their business days; run it every hour or so."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from comity.notifications.reminders import send_question_reminders


class Command(BaseCommand):
    help = "Remind contact points (then national coordinators) of questions still open after N business days."

    def handle(self, *args, **options):
        failures: list[tuple[int, int, int]] = []
        sent = send_question_reminders(failures=failures)
        for reminder in sent:
            self.stdout.write(
                f"thread {reminder.thread_id} {reminder.country.iso2}: level {reminder.level}, "
                f"{len(reminder.recipients)} recipients"
            )
        self.stdout.write(f"reminders sent: {len(sent)}")
        if failures:  # a non-zero exit, for the operators' alerting; the others went out
            raise CommandError(f"{len(failures)} reminders failed (see the log); the next run tries them again")
