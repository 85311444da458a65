from django.urls import include, path

from comity.forum import views

app_name = "forum"

urlpatterns = [
    path("", views.space_list, name="space_list"),
    path("consultations/new/", views.consultation_create, name="consultation_create"),
    path("s/<slug:slug>/", views.space_detail, name="space_detail"),
    path("s/<slug:slug>/new/", views.thread_create, name="thread_create"),
    path("s/<slug:slug>/join/", views.space_join, name="space_join"),
    path("s/<slug:slug>/leave/", views.space_leave, name="space_leave"),
    path("s/<slug:slug>/notifications/", views.space_notify, name="space_notify"),
    path("s/<slug:slug>/members/", views.space_members, name="space_members"),
    path("t/<int:pk>/", views.thread_detail, name="thread_detail"),
    path("t/<int:pk>/new-posts/", views.thread_new_posts, name="thread_new_posts"),
    path("t/<int:pk>/unread/", views.thread_unread, name="thread_unread"),
    path("t/<int:pk>/reply/", views.post_create, name="post_create"),
    path("t/<int:pk>/notifications/", views.thread_notify, name="thread_notify"),
    path("t/<int:pk>/accept/", views.question_accept, name="question_accept"),
    path("p/<int:pk>/", views.post_detail, name="post_detail"),
    path("p/<int:pk>/edit/", views.post_edit, name="post_edit"),
    path("p/<int:pk>/history/", views.post_history, name="post_history"),
    # Moderation, search and translation pages live in their own module.
    path("", include("comity.forum.moderation_urls")),
]
