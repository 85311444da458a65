"""The forum's web pages: spaces, threads and posts, reading state, questions and private consultations."""

from comity.forum.views.consultations import consultation_create
from comity.forum.views.posts import post_create, post_detail, post_edit, post_history
from comity.forum.views.spaces import space_detail, space_join, space_leave, space_list, space_members, space_notify
from comity.forum.views.threads import (
    question_accept,
    thread_create,
    thread_detail,
    thread_new_posts,
    thread_notify,
    thread_unread,
)

__all__ = [
    "consultation_create",
    "post_create",
    "post_detail",
    "post_edit",
    "post_history",
    "question_accept",
    "space_detail",
    "space_join",
    "space_leave",
    "space_list",
    "space_members",
    "space_notify",
    "thread_create",
    "thread_detail",
    "thread_new_posts",
    "thread_notify",
    "thread_unread",
]
