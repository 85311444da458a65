"""Code versions and data sets for the HTTP benchmark (bench/http_bench.py).

A *version* is a source tree: the current working tree, or an older commit checked out with `git worktree add`
into the run's temporary folder (with the current `seed_forum` command copied in, so both versions get the same
synthetic forum). A *data set* is one PostgreSQL database per (version, size), built with that version's own
migrations and commands under development settings:

    migrate, load_reference, seed_demo, seed_demo --scale 5000, seed_forum --posts N --seed S, VACUUM ANALYZE

A finished database is marked with a comment and reused by the next run (only `migrate` runs again, followed by
ANALYZE when it applied something); `--rebuild` drops it first. An unfinished one is completed: every step tops
up to its target."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PG_URL = "postgres://postgres@127.0.0.1:5432"
DEMO_PASSWORD = "Brasilia-to-Jakarta-2026"  # noqa: S105 - the documented demo password (settings default)
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXP"  # noqa: S105 - the documented demo TOTP secret (settings default)
DIRECTORY_SCALE = 5000
SEEDER_FILES = (
    "comity/forum/demo_scale/__init__.py",
    "comity/forum/demo_scale/plan.py",
    "comity/forum/demo_scale/texts.py",
    "comity/forum/management/commands/seed_forum.py",
)
# Titles end so in comity/forum/demo_scale/plan.py: plan index 0 is the long thread, 1 the comparison thread.
LONG_SUFFIX = " (synthetic 0)"
COMPARISON_SUFFIX = " (synthetic 1)"
STEP_TIMEOUT = {"migrate": 1800, "seed_forum": 3 * 3600}
DEFAULT_STEP_TIMEOUT = 1800


@dataclass
class Version:
    label: str  # "current", or the commit's short hash
    path: Path
    commit: str
    note: str = ""  # e.g. "+ uncommitted changes in 7 files"
    worktree: bool = False


@dataclass
class DataSet:
    version: Version
    size: int
    database: str
    reused: bool = False
    steps: list[tuple[str, float]] = field(default_factory=list)
    facts: dict = field(default_factory=dict)


def size_label(size: int) -> str:
    for unit, suffix in ((1_000_000, "m"), (1_000, "k")):
        if size % unit == 0:
            return f"{size // unit}{suffix}"
    return str(size)


def database_name(version: Version, size: int) -> str:
    return f"comity_bench_{version.label}_{size_label(size)}".lower()


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def git(*args: str, cwd: Path = REPO) -> str:
    return subprocess.run(  # noqa: S603
        ["git", *args],  # noqa: S607
        cwd=cwd,
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    ).stdout.strip()


# --- versions ----------------------------------------------------------------------------------------------------


def current_version() -> Version:
    commit = git("rev-parse", "HEAD")
    changed = [line for line in git("status", "--porcelain").splitlines() if line.strip()]
    note = f"HEAD {commit[:12]} + uncommitted changes in {len(changed)} files" if changed else f"HEAD {commit[:12]}"
    return Version("current", REPO, commit, note)


def before_version(reference: str, workdir: Path) -> Version:
    """Check `reference` out into a worktree under `workdir`, with the current seeder and compiled messages."""
    commit = git("rev-parse", "--verify", f"{reference}^{{commit}}")
    path = workdir / f"tree-{commit[:12]}"
    log(f"git worktree add {path} ({reference} = {commit[:12]})")
    git("worktree", "add", "--detach", str(path), commit)
    version = Version(commit[:12], path, commit, f"commit {commit[:12]} ({reference})", worktree=True)
    try:
        for name in SEEDER_FILES:
            target = path / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(REPO / name, target)
        compile_messages(path)
    except BaseException:
        remove_worktree(version)
        raise
    return version


def remove_worktree(version: Version) -> None:
    if not version.worktree:
        return
    try:
        git("worktree", "remove", "--force", str(version.path))
    except (subprocess.SubprocessError, OSError) as exc:
        log(f"git worktree remove failed ({exc}); removing the folder and pruning")
        shutil.rmtree(version.path, ignore_errors=True)
        with contextlib.suppress(subprocess.SubprocessError, OSError):
            git("worktree", "prune")


def compile_messages(path: Path, *, only_missing: bool = False) -> None:
    """Compiled catalogues are build output (git-ignored): a fresh checkout needs them for translated pages."""
    catalogues = sorted((path / "comity" / "locale").glob("*/LC_MESSAGES/django.po"))
    if not catalogues:
        return
    if only_missing and all(po.with_suffix(".mo").exists() for po in catalogues):
        return
    pybabel = Path(sys.executable).with_name("pybabel")
    subprocess.run(  # noqa: S603
        [str(pybabel), "-q", "compile", "-D", "django", "-d", str(path / "comity" / "locale")],
        check=True,
        timeout=300,
    )


def posts_per_page(version: Version) -> int:
    """POSTS_PER_PAGE of that version's forum selectors (50 when it cannot be read)."""
    source = version.path / "comity" / "forum" / "selectors.py"
    match = re.search(r"^POSTS_PER_PAGE\s*=\s*(\d+)", source.read_text(encoding="utf-8"), re.MULTILINE)
    return int(match.group(1)) if match else 50


# --- PostgreSQL --------------------------------------------------------------------------------------------------


def connect(database: str = "postgres", pg_url: str = PG_URL):
    import psycopg

    return psycopg.connect(f"{pg_url}/{database}", autocommit=True, connect_timeout=10)


def database_exists(name: str, pg_url: str = PG_URL) -> bool:
    with connect(pg_url=pg_url) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None


def database_comment(name: str, pg_url: str = PG_URL) -> str:
    with connect(pg_url=pg_url) as conn:
        row = conn.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
    return (row[0] or "") if row else ""


def _identifier(name: str) -> str:
    if not re.fullmatch(r"[a-z0-9_]+", name):
        raise ValueError(f"unexpected database name {name!r}")
    return name


def create_database(name: str, pg_url: str = PG_URL) -> None:
    with connect(pg_url=pg_url) as conn:
        conn.execute(f"CREATE DATABASE {_identifier(name)}")


def drop_database(name: str, pg_url: str = PG_URL) -> None:
    with connect(pg_url=pg_url) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {_identifier(name)} WITH (FORCE)")


def mark_complete(name: str, marker: str, pg_url: str = PG_URL) -> None:
    with connect(pg_url=pg_url) as conn:
        conn.execute(f"COMMENT ON DATABASE {_identifier(name)} IS '{marker}'")


def vacuum_analyze(name: str, *, full: bool = True, pg_url: str = PG_URL) -> None:
    with connect(name, pg_url) as conn:
        conn.execute("VACUUM ANALYZE" if full else "ANALYZE")


def active_queries(databases: list[str], pg_url: str = PG_URL) -> int:
    with connect(pg_url=pg_url) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = ANY(%s) AND state = 'active' "
            "AND pid <> pg_backend_pid()",
            [databases],
        ).fetchone()
    return int(row[0])


def backend_pids(databases: list[str], pg_url: str = PG_URL) -> list[int]:
    with connect(pg_url=pg_url) as conn:
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = ANY(%s) AND pid <> pg_backend_pid()", [databases]
        ).fetchall()
    return [row[0] for row in rows]


def facts(name: str, version: Version, pg_url: str = PG_URL) -> dict:
    """What the benchmark needs to know about a database: sizes, and the long and comparison threads."""
    with connect(name, pg_url) as conn:

        def one(sql: str, params=()):
            row = conn.execute(sql, params).fetchone()
            return row[0] if row else None

        def thread(suffix: str) -> tuple[int | None, int]:
            row = conn.execute(
                "SELECT t.id, (SELECT count(*) FROM forum_post p WHERE p.thread_id = t.id) FROM forum_thread t "
                "WHERE t.title LIKE %s ORDER BY t.id LIMIT 1",
                ["%" + suffix],
            ).fetchone()
            return (row[0], row[1]) if row else (None, 0)

        long_id, long_posts = thread(LONG_SUFFIX)
        comparison_id, comparison_posts = thread(COMPARISON_SUFFIX)
        per_page = posts_per_page(version)
        return {
            "authorities": one("SELECT count(*) FROM directory_authority"),
            "contacts": one("SELECT count(*) FROM directory_contact"),
            "threads": one("SELECT count(*) FROM forum_thread"),
            "posts": one("SELECT count(*) FROM forum_post"),
            "size_mb": round(one("SELECT pg_database_size(current_database())") / 2**20),
            "post_table_mb": round(one("SELECT pg_total_relation_size('forum_post')") / 2**20),
            "long_thread": long_id,
            "long_posts": long_posts,
            "long_last_page": max(1, -(-long_posts // per_page)),
            "comparison_thread": comparison_id,
            "comparison_posts": comparison_posts,
            "posts_per_page": per_page,
        }


# --- building ----------------------------------------------------------------------------------------------------


def build_env(version: Version, database: str, var_dir: Path, pg_url: str = PG_URL) -> dict[str, str]:
    """Development settings on the benchmark database: seeding is refused under production settings."""
    env = base_env(version)
    env.update(
        DJANGO_SETTINGS_MODULE="comity.config.settings.dev",
        DATABASE_URL=f"{pg_url}/{database}",
        COMITY_VAR_DIR=str(var_dir),
        COMITY_DEMO_PASSWORD=DEMO_PASSWORD,
        COMITY_DEMO_TOTP_SECRET=DEMO_TOTP_SECRET,
        LOG_LEVEL="WARNING",
        # manage.py refuses a DATABASE_URL under development settings unless told it is on purpose.
        COMITY_ALLOW_DEV_DATABASE_URL="1",
    )
    return env


def base_env(version: Version) -> dict[str, str]:
    """A small, explicit environment: nothing of the caller's Django or database settings leaks in."""
    env = {name: os.environ[name] for name in ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "TZ") if name in os.environ}
    env.setdefault("LANG", "C.UTF-8")
    env["PYTHONPATH"] = str(version.path)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def manage(version: Version, env: dict[str, str], *args: str, timeout: float, echo: bool = True) -> str:
    """Run `manage.py args` of that version; echo its output with a prefix; return it. Killed at `timeout`."""
    command = [sys.executable, str(version.path / "manage.py"), *args]
    process = subprocess.Popen(  # noqa: S603
        command, cwd=version.path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    timer = threading.Timer(timeout, process.kill)
    timer.start()
    lines = []
    try:
        assert process.stdout is not None
        for line in process.stdout:
            lines.append(line)
            if echo:
                print(f"    {line.rstrip()}", flush=True)
        code = process.wait()
    finally:
        timer.cancel()
        if process.poll() is None:
            process.kill()
            process.wait()
    output = "".join(lines)
    if code != 0:
        tail = "\n".join(output.splitlines()[-15:])
        raise RuntimeError(f"manage.py {' '.join(args)} failed ({code}) for {version.label}:\n{tail}")
    return output


def build(
    version: Version,
    size: int,
    *,
    seed: int,
    rebuild: bool,
    workdir: Path,
    pg_url: str = PG_URL,
) -> DataSet:
    name = database_name(version, size)
    data = DataSet(version, size, name)
    marker = f"comity-bench complete: posts={size} seed={seed} scale={DIRECTORY_SCALE}"
    if rebuild and database_exists(name, pg_url):
        log(f"{name}: dropping (--rebuild)")
        drop_database(name, pg_url)
    if not database_exists(name, pg_url):
        log(f"{name}: creating")
        create_database(name, pg_url)
    data.reused = database_comment(name, pg_url) == marker
    env = build_env(version, name, workdir / f"build-var-{version.label}", pg_url)
    steps: list[tuple[str, list[str]]] = [("migrate", ["migrate", "--noinput"])]
    if not data.reused:
        steps += [
            ("load_reference", ["load_reference"]),
            ("seed_demo", ["seed_demo"]),
            (f"seed_demo --scale {DIRECTORY_SCALE}", ["seed_demo", "--scale", str(DIRECTORY_SCALE)]),
            (f"seed_forum --posts {size}", ["seed_forum", "--posts", str(size), "--seed", str(seed)]),
        ]
    log(f"{name}: {'reusing a finished database' if data.reused else 'building'} ({version.note})")
    migrated = False
    for label, args in steps:
        log(f"{name}: {label}")
        started = time.perf_counter()
        output = manage(version, env, *args, timeout=STEP_TIMEOUT.get(args[0], DEFAULT_STEP_TIMEOUT))
        data.steps.append((label, time.perf_counter() - started))
        if args[0] == "migrate":
            migrated = "No migrations to apply" not in output
    if not data.reused or migrated:
        label = "VACUUM ANALYZE" if not data.reused else "ANALYZE (after migrations)"
        log(f"{name}: {label}")
        started = time.perf_counter()
        vacuum_analyze(name, full=not data.reused, pg_url=pg_url)
        data.steps.append((label, time.perf_counter() - started))
    mark_complete(name, marker, pg_url)
    data.facts = facts(name, version, pg_url)
    log(
        f"{name}: {data.facts['authorities']:,} authorities, {data.facts['posts']:,} posts, "
        f"{data.facts['size_mb']:,} MB; long thread {data.facts['long_thread']} "
        f"({data.facts['long_posts']:,} posts), comparison thread {data.facts['comparison_thread']} "
        f"({data.facts['comparison_posts']} posts)"
    )
    return data
