"""Notifications and e-mail. The forum calls `on_post_created` after a post is committed.

Contract: `on_post_created(post_id: int)` runs after commit; it decides who is told (mentions, country
mentions, questions to countries, thread and space subscriptions), creates in-app notifications and queues
e-mail through the outbox, honouring the thread's handling mark.
"""

from __future__ import annotations


def on_post_created(post_id: int) -> None:
    """Placeholder until the notifications app implements delivery."""
    return
