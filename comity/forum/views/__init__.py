"""The forum's web pages, one module per topic: spaces, threads, posts, consultations, moderation, search and
translation; `common` holds what several of them share. `comity/forum/urls.py` maps them."""
