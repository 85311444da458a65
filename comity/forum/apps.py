from django.apps import AppConfig


class ForumConfig(AppConfig):
    name = "comity.forum"
    label = "forum"
    verbose_name = "Secure forum"

    def ready(self) -> None:
        from comity.accounts.models import User
        from comity.audit.models import AuditEvent
        from comity.core import generations
        from comity.directory.models import Contact
        from comity.forum import logfilters, models
        from comity.forum.permissions import MEMBERS_GENERATION
        from comity.forum.selectors import GENERATION
        from comity.reference.models import NetworkMembership

        logfilters.install()
        # Kept pages of posts (views/threads.py posts_shown) are replaced after any write to posts, threads and
        # revisions (files: files/apps.py), and after any audited action (hiding a post, locking a thread... which
        # update rows in bulk, without signals).
        generations.bump_on_change(
            GENERATION, models.Post, models.Thread, models.PostRevision, models.Space, AuditEvent
        )
        # Who reads a space and who is told of a reply (spaces_visible_to, the reply form's audience).
        generations.bump_on_change(
            MEMBERS_GENERATION,
            models.Space,
            models.SpaceMember,
            models.SpaceAuthority,
            models.ThreadSubscription,
            User,
            Contact,
            NetworkMembership,
            m2m=[User.liaison_networks.through],
        )
