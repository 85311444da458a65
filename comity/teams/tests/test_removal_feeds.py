"""A removed member stops receiving the team space's notifications, and the ones they had disappear."""

import pytest

from comity.forum import services as forum_services
from comity.notifications import selectors as notification_selectors
from comity.notifications import services as notification_services
from comity.teams import services


@pytest.mark.django_db
def test_removed_member_loses_the_team_notifications(team, users):
    member = users["member"]
    forum_services.space_notify_level_set(actor=member, space=team.space, level="watching")
    thread = forum_services.thread_create(actor=users["coordinator"], space=team.space, title="Plan", body="First")
    notification_services.notify_post(thread.posts.get().pk)
    assert notification_selectors.notification_list(user=member).count() == 1
    services.member_remove(actor=users["coordinator"], team=team, user=member)
    assert notification_selectors.notification_list(user=member).count() == 0
    assert notification_selectors.notification_unread_count(user=member) == 0
    post = forum_services.post_create(actor=users["coordinator_other"], thread=thread, body="Second")
    assert notification_services.notify_post(post.pk) == 1  # Clara, who watches threads she started; not Bruno
    assert notification_selectors.notification_list(user=member).count() == 0
