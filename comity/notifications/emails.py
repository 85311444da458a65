"""The text of notification e-mail, in the recipient's language, honouring the thread's handling mark.

For a thread marked TLP:AMBER, AMBER+STRICT or RED an e-mail carries only a link (plus the mark and the
kind of event): never the title, the space, the text or the author. TLP:CLEAR and GREEN may carry them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from comity.core.i18n import territory_name
from comity.forum.models import RESTRICTED_TLP, TLP
from comity.notifications import links
from comity.notifications.models import NotificationKind

EXCERPT_CHARS = 1500


@dataclass
class Composed:
    subject: str
    body_text: str
    headers: dict[str, str] = field(default_factory=dict)


def is_restricted(tlp: str) -> bool:
    return tlp in RESTRICTED_TLP


def tlp_label(tlp: str) -> str:
    return TLP(tlp).label


def _excerpt(text: str) -> str:
    text = (text or "").strip()
    if len(text) <= EXCERPT_CHARS:
        return text
    return text[:EXCERPT_CHARS].rstrip() + " […]"


def _reason(kind: str, *, author: str, title: str, country: str, days: int | None) -> str:
    values = {"author": author, "title": title, "country": country, "days": days}
    if kind == NotificationKind.MENTION:
        return _("%(author)s mentioned you in “%(title)s”.") % values
    if kind == NotificationKind.COUNTRY_MENTION:
        return _("%(author)s mentioned your country (%(country)s) in “%(title)s”.") % values
    if kind == NotificationKind.QUESTION_TO_COUNTRY:
        return _("%(author)s asked your country (%(country)s) a question: “%(title)s”.") % values
    if kind == NotificationKind.REPLY:
        return _("%(author)s replied to you in “%(title)s”.") % values
    if kind == NotificationKind.QUESTION_REMINDER:
        return (
            _("The question “%(title)s” to your country (%(country)s) is still open after %(days)s business days.")
            % values
        )
    return _("%(author)s posted in “%(title)s”.") % values


def _footer(*, unsubscribe_url: str, unsubscribe_label: str) -> str:
    prefs = links.absolute(reverse("notifications:preferences"))
    return "\n".join(
        [
            "-- ",
            _("You receive this e-mail because of your notification settings in Comity."),
            f"{unsubscribe_label}: {unsubscribe_url}",
            f"{_('Change your notification preferences')}: {prefs}",
        ]
    )


def notification_email(
    *, user, notification, thread, space, post=None, business_days: int | None = None, unsubscribe_scope: str = "thread"
) -> Composed:
    """One immediate e-mail about one notification. Call with the recipient's language active."""
    open_url = links.absolute(reverse("notifications:open", kwargs={"pk": notification.pk}))
    object_id = space.pk if unsubscribe_scope == "space" else thread.pk
    unsubscribe = links.unsubscribe_url(user_id=user.pk, scope=unsubscribe_scope, object_id=object_id)
    label = _("Stop e-mail about this space") if unsubscribe_scope == "space" else _("Stop e-mail about this thread")
    mark = tlp_label(thread.tlp)
    country = territory_name(notification.country_code) if notification.country_code else ""
    greeting = _("Hello %(name)s,") % {"name": user.display_name}
    if is_restricted(thread.tlp):
        kind_label = str(NotificationKind(notification.kind).label)
        subject = _("[Comity] %(event)s (%(mark)s)") % {"event": kind_label, "mark": mark}
        lines = [
            greeting,
            "",
            _("There is something new for you in Comity: %(event)s.") % {"event": kind_label},
            _("The thread is marked %(mark)s, so this e-mail carries no title, text or author.") % {"mark": mark},
            "",
            f"{_('Open it in Comity')}: {open_url}",
        ]
    else:
        author = post.author.display_name if post is not None else ""
        subject = _("[Comity] %(title)s") % {"title": thread.title}
        lines = [
            greeting,
            "",
            _reason(notification.kind, author=author, title=thread.title, country=country, days=business_days),
            "",
            f"{_('Space')}: {space.localized_name()}",
            f"{_('Handling mark')}: {mark}",
        ]
        if post is not None:
            lines += ["", _excerpt(post.body)]
        lines += ["", f"{_('Open it in Comity')}: {open_url}"]
    body = "\n".join(lines) + "\n\n" + _footer(unsubscribe_url=unsubscribe, unsubscribe_label=label) + "\n"
    return Composed(subject=subject, body_text=body, headers=links.list_unsubscribe_headers(unsubscribe))


def digest_email(*, user, period: str, groups, day) -> Composed:
    """A digest: notifications grouped by space and thread. `groups` is [(space, [(thread, [notes])])]."""
    from babel.dates import format_date

    from comity.core.i18n import babel_locale

    unsubscribe = links.unsubscribe_url(user_id=user.pk, scope=period)
    date_text = format_date(day, format="full", locale=babel_locale(translation.get_language()))
    if period == "weekly":
        subject = _("[Comity] Your weekly digest, %(date)s") % {"date": date_text}
    else:
        subject = _("[Comity] Your daily digest, %(date)s") % {"date": date_text}
    total = sum(len(notes) for _space, threads in groups for _thread, notes in threads)
    lines = [
        _("Hello %(name)s,") % {"name": user.display_name},
        "",
        ngettext(
            "%(count)s new notification since your last digest.",
            "%(count)s new notifications since your last digest.",
            total,
        )
        % {"count": total},
    ]
    hidden = []
    for space, threads in groups:
        visible = [(t, n) for t, n in threads if not is_restricted(t.tlp)]
        hidden += [(t, n) for t, n in threads if is_restricted(t.tlp)]
        if not visible:
            continue
        lines += ["", f"== {space.localized_name()} =="]
        for thread, notes in visible:
            lines += ["", f"* {thread.title} [{tlp_label(thread.tlp)}]"]
            for note in notes:
                author = note.post.author.display_name if note.post_id else ""
                country = territory_name(note.country_code) if note.country_code else ""
                lines.append("  - " + _reason(note.kind, author=author, title=thread.title, country=country, days=None))
            lines.append("  " + links.absolute(reverse("notifications:open", kwargs={"pk": notes[0].pk})))
    if hidden:
        lines += [
            "",
            "== " + _("Restricted threads") + " ==",
            _("Threads marked TLP:AMBER, AMBER+STRICT or RED are listed without title, space or text."),
        ]
        for thread, notes in hidden:
            lines += [
                "",
                "* "
                + ngettext(
                    "A thread marked %(mark)s: %(count)s new notification",
                    "A thread marked %(mark)s: %(count)s new notifications",
                    len(notes),
                )
                % {"mark": tlp_label(thread.tlp), "count": len(notes)},
            ]
            lines.append("  " + links.absolute(reverse("notifications:open", kwargs={"pk": notes[0].pk})))
    label = _("Stop the weekly digest") if period == "weekly" else _("Stop the daily digest")
    body = "\n".join(lines) + "\n\n" + _footer(unsubscribe_url=unsubscribe, unsubscribe_label=label) + "\n"
    return Composed(subject=subject, body_text=body, headers=links.list_unsubscribe_headers(unsubscribe))
