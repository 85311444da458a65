"""Post numbers, stored revision counts and read markers by number, so that no page counts a thread's posts.

Schema first, then one backfill pass per table, then the unique (thread, number) index, built once over the
filled column. Every new column has a database default, so the previous release can still insert rows during a
rolling deploy; a post it writes has no number until `manage.py forum_number_posts` runs after the deploy.

The backfill is plain SQL that PostgreSQL and SQLite (3.33 or later, for UPDATE ... FROM) both run: one UPDATE
numbers every post by (created_at, id) within its thread with a window function and sets its revision count in
the same pass, instead of one statement per thread or per post. On PostgreSQL that UPDATE writes a new version of
every post, and keeping each secondary index up to date row by row costs more than building it again: the
indexes are dropped first and built again from their own definitions after (whichever indexes exist then, e.g.
search indexes of a migration applied before this one). The migration holds the table's lock throughout anyway.
"""

import sqlite3

from django.db import migrations, models

NUMBER_POSTS = """
UPDATE forum_post SET number = ranked.position, revision_count = ranked.revisions
FROM (
    SELECT p.id,
           ROW_NUMBER() OVER (PARTITION BY p.thread_id ORDER BY p.created_at, p.id) AS position,
           COALESCE(r.revisions, 0) AS revisions
    FROM forum_post p
    LEFT JOIN (SELECT post_id, COUNT(*) AS revisions FROM forum_postrevision GROUP BY post_id) r ON r.post_id = p.id
) AS ranked
WHERE forum_post.id = ranked.id
"""

# Numbers are dense after NUMBER_POSTS, so the last number is also the true post count (fixed here if it drifted).
COUNT_THREADS = """
UPDATE forum_thread SET last_post_number = counted.posts, post_count = counted.posts
FROM (SELECT thread_id, COUNT(*) AS posts FROM forum_post GROUP BY thread_id) AS counted
WHERE forum_thread.id = counted.thread_id
"""

MARKERS_BY_POST = """
UPDATE forum_readmarker SET last_read_number = p.number
FROM forum_post p
WHERE p.id = forum_readmarker.last_read_post_id AND p.thread_id = forum_readmarker.thread_id
"""

# A marker whose post was purged: the reader has read every post with a lower id.
MARKERS_OF_PURGED_POSTS = """
UPDATE forum_readmarker SET last_read_number = COALESCE(
    (SELECT MAX(p.number) FROM forum_post p
     WHERE p.thread_id = forum_readmarker.thread_id AND p.id <= forum_readmarker.last_read_post_id), 0)
WHERE last_read_number = 0 AND last_read_post_id > 0
"""


# PostgreSQL: the indexes of forum_post that no constraint owns (the primary key and unique constraints stay).
SECONDARY_INDEXES = """
SELECT pg_get_indexdef(i.indexrelid)
FROM pg_index i LEFT JOIN pg_constraint c ON c.conindid = i.indexrelid
WHERE i.indrelid = 'forum_post'::regclass AND c.oid IS NULL
"""

DROP_SECONDARY_INDEXES = """
DO $$ DECLARE found record; BEGIN
    FOR found IN
        SELECT i.indexrelid::regclass::text AS name
        FROM pg_index i LEFT JOIN pg_constraint c ON c.conindid = i.indexrelid
        WHERE i.indrelid = 'forum_post'::regclass AND c.oid IS NULL
    LOOP
        EXECUTE 'DROP INDEX ' || found.name;
    END LOOP;
END $$
"""


def backfill(apps, schema_editor) -> None:
    connection = schema_editor.connection
    if connection.vendor == "sqlite" and sqlite3.sqlite_version_info < (3, 33):
        raise RuntimeError(
            f"Numbering posts needs SQLite 3.33 or later (UPDATE ... FROM); this is {sqlite3.sqlite_version}."
        )
    if connection.vendor not in ("postgresql", "sqlite"):
        raise RuntimeError(f"No backfill of post numbers is written for {connection.vendor}.")
    with connection.cursor() as cursor:
        definitions: list[str] = []
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # CREATE INDEX refuses to run with checks pending
            cursor.execute(SECONDARY_INDEXES)
            definitions = [definition for (definition,) in cursor.fetchall()]
            cursor.execute(DROP_SECONDARY_INDEXES)
        cursor.execute(NUMBER_POSTS)
        for definition in definitions:
            cursor.execute(definition)
        for statement in (COUNT_THREADS, MARKERS_BY_POST, MARKERS_OF_PURGED_POSTS):
            cursor.execute(statement)


class Migration(migrations.Migration):
    # The forum's latest migration in the tree (it changes another table), so that the graph keeps one leaf.
    dependencies = [
        ("forum", "0002_alter_spacemember_state"),
    ]

    operations = [
        migrations.AddField(
            model_name="thread",
            name="last_post_number",
            field=models.PositiveIntegerField(db_default=0, default=0, editable=False),
        ),
        migrations.AddField(
            model_name="post",
            name="number",
            field=models.PositiveIntegerField(blank=True, db_default=None, default=None, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="post",
            name="revision_count",
            field=models.PositiveIntegerField(db_default=0, default=0, editable=False),
        ),
        migrations.AddField(
            model_name="readmarker",
            name="last_read_number",
            field=models.PositiveIntegerField(db_default=0, default=0),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True),
        migrations.AddConstraint(
            model_name="post",
            constraint=models.UniqueConstraint(fields=("thread", "number"), name="uniq_post_number"),
        ),
    ]
