"""Moderation, retention, export, search and translation pages (namespace "forum", under /<lang>/forum/)."""

from django.urls import path

from comity.forum import views_moderation, views_search, views_translate

urlpatterns = [
    path("search/", views_search.search_page, name="search"),
    path("moderation/", views_moderation.moderation_queue, name="moderation_queue"),
    path("moderation/flags/<int:pk>/dismiss/", views_moderation.flag_dismiss, name="flag_dismiss"),
    path("p/<int:pk>/flag/", views_moderation.post_flag, name="post_flag"),
    path("p/<int:pk>/hide/", views_moderation.post_hide, name="post_hide"),
    path("p/<int:pk>/restore/", views_moderation.post_restore, name="post_restore"),
    path("p/<int:pk>/translate/", views_translate.post_translate, name="post_translate"),
    path("t/<int:pk>/lock/", views_moderation.thread_lock, name="thread_lock"),
    path("t/<int:pk>/unlock/", views_moderation.thread_unlock, name="thread_unlock"),
    path("t/<int:pk>/pin/", views_moderation.thread_pin, name="thread_pin"),
    path("t/<int:pk>/unpin/", views_moderation.thread_unpin, name="thread_unpin"),
    path("t/<int:pk>/move/", views_moderation.thread_move, name="thread_move"),
    path("t/<int:pk>/legal-hold/", views_moderation.thread_legal_hold, name="thread_legal_hold"),
    path("t/<int:pk>/export/", views_moderation.thread_export, name="thread_export"),
    path("s/<slug:slug>/retention/", views_moderation.space_retention, name="space_retention"),
]
