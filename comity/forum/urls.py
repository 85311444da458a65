"""The forum's pages, under /<lang>/forum/ (namespace "forum"); one module of views per topic."""

from django.urls import path

from comity.forum.views import consultations, drafts, moderation, posts, search, spaces, threads, translate

app_name = "forum"

urlpatterns = [
    path("", spaces.space_list, name="space_list"),
    path("search/", search.search_page, name="search"),
    path("consultations/new/", consultations.consultation_create, name="consultation_create"),
    path("moderation/", moderation.moderation_queue, name="moderation_queue"),
    path("moderation/flags/<int:pk>/dismiss/", moderation.flag_dismiss, name="flag_dismiss"),
    # Spaces
    path("s/<slug:slug>/", spaces.space_detail, name="space_detail"),
    path("s/<slug:slug>/new/", threads.thread_create, name="thread_create"),
    path("s/<slug:slug>/draft/", drafts.draft_save, name="draft_save"),
    path("s/<slug:slug>/mention/", drafts.mention_suggestions, name="mention_suggestions"),
    path("s/<slug:slug>/join/", spaces.space_join, name="space_join"),
    path("s/<slug:slug>/leave/", spaces.space_leave, name="space_leave"),
    path("s/<slug:slug>/close/", spaces.space_close, name="space_close"),
    path("s/<slug:slug>/notifications/", spaces.space_notify, name="space_notify"),
    path("s/<slug:slug>/members/", spaces.space_members, name="space_members"),
    path("s/<slug:slug>/retention/", moderation.space_retention, name="space_retention"),
    # Threads
    path("t/<int:pk>/", threads.thread_detail, name="thread_detail"),
    path("t/<int:pk>/new-posts/", threads.thread_new_posts, name="thread_new_posts"),
    path("t/<int:pk>/unread/", threads.thread_unread, name="thread_unread"),
    path("t/<int:pk>/reply/", posts.post_create, name="post_create"),
    path("t/<int:pk>/notifications/", threads.thread_notify, name="thread_notify"),
    path("t/<int:pk>/accept/", threads.question_accept, name="question_accept"),
    path("t/<int:pk>/unaccept/", threads.question_unaccept, name="question_unaccept"),
    path("t/<int:pk>/lock/", moderation.thread_lock, name="thread_lock"),
    path("t/<int:pk>/unlock/", moderation.thread_unlock, name="thread_unlock"),
    path("t/<int:pk>/pin/", moderation.thread_pin, name="thread_pin"),
    path("t/<int:pk>/unpin/", moderation.thread_unpin, name="thread_unpin"),
    path("t/<int:pk>/move/", moderation.thread_move, name="thread_move"),
    path("t/<int:pk>/legal-hold/", moderation.thread_legal_hold, name="thread_legal_hold"),
    path("t/<int:pk>/export/", moderation.thread_export, name="thread_export"),
    path("people/<int:pk>/", drafts.person_detail, name="person"),
    # Posts
    path("p/<int:pk>/", posts.post_detail, name="post_detail"),
    path("p/<int:pk>/edit/", posts.post_edit, name="post_edit"),
    path("p/<int:pk>/history/", posts.post_history, name="post_history"),
    path("p/<int:pk>/flag/", moderation.post_flag, name="post_flag"),
    path("p/<int:pk>/hide/", moderation.post_hide, name="post_hide"),
    path("p/<int:pk>/restore/", moderation.post_restore, name="post_restore"),
    path("p/<int:pk>/translate/", translate.post_translate, name="post_translate"),
]
