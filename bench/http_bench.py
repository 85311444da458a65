"""HTTP benchmark through a real server: gunicorn, production settings, PostgreSQL and Redis, measured with wrk.

    .venv/bin/python -m bench.http_bench [--sizes 10000,1000000] [--before COMMIT] [--seconds 15]
                                         [--connections 16] [--only NAMES] [--rebuild] [--build-only]

For each code version (the current tree, and with --before an older commit in a temporary `git worktree`) and
each size (posts in the forum), it builds or reuses a PostgreSQL database (bench/http_data.py), serves it with
its own gunicorn under production settings (bench/http_server.py), signs in for real as member.br, then runs wrk
on every endpoint, alternating between the servers endpoint by endpoint. Each figure is reported against the
static-file rate of the same server in the same run. Results go to bench/results/<date>.md (and .json).

See bench/README.md ("HTTP benchmark") for what is measured and how to read it."""

from __future__ import annotations

import argparse
import datetime as dt
import fnmatch
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
from dataclasses import asdict, dataclass
from pathlib import Path

from bench import http_cpu, http_data, http_server
from bench.http_data import DataSet, Version, log
from bench.http_report import Report, Result, fmt, render

LUA = Path(__file__).with_name("wrk_report.lua")
RESULTS = Path(__file__).with_name("results")


@dataclass(frozen=True)
class Endpoint:
    name: str
    path: str  # {long}, {long_last} and {comparison} come from the database's facts
    auth: str = "anon"  # anon | session (signed-in cookies) | token (API token)


def _q(text: str) -> str:
    return urllib.parse.quote(text)


STATIC = "/static/core/comity.css"
SEARCH_TERMS = (
    ("common", "request"),  # in about a third of the posts
    ("rare", "kittiwake"),  # one post in 5,000
    ("none", "xylophone"),  # in no post
    ("zh", "司法协助"),
    ("ar", "المساعدة"),
)
ENDPOINTS = (
    Endpoint("static", STATIC),
    Endpoint("healthz", "/healthz"),
    Endpoint("country-br", "/en/countries/BR/"),
    Endpoint("directory", "/en/directory/authorities/", "session"),
    Endpoint("directory-justice", "/en/directory/authorities/?q=justice", "session"),
    Endpoint("directory-zh", f"/en/directory/authorities/?q={_q('司法部')}", "session"),
    Endpoint("directory-ar", f"/en/directory/authorities/?q={_q('العدل')}", "session"),
    Endpoint("finder", "/en/directory/finder/?requesting=BR&requested=ID&type=mla", "session"),
    Endpoint("finder-api", "/api/v1/finder/?from=BR&to=ID&type=mla", "token"),
    Endpoint("authorities-api-p20", "/api/v1/authorities/?page=20", "token"),
    Endpoint("forum", "/en/forum/", "session"),
    Endpoint("thread-long-p1", "/en/forum/t/{long}/", "session"),
    Endpoint("thread-long-last", "/en/forum/t/{long}/?page={long_last}", "session"),
    Endpoint("thread-54", "/en/forum/t/{comparison}/", "session"),
    Endpoint("space-threads", "/en/forum/s/plenary/", "session"),
    Endpoint("threads-api", "/api/v1/threads/", "token"),
    *(
        endpoint
        for label, term in SEARCH_TERMS
        for endpoint in (
            Endpoint(f"search-{label}", f"/en/forum/search/?q={_q(term)}", "session"),
            Endpoint(f"search-{label}-api", f"/api/v1/search/?q={_q(term)}", "token"),
        )
    ),
    # The rare word matches 2 posts at 10k and 200 at 1M: its pages above show 2, then 20 (50 in the API) hits.
    # With two hits a page, both sizes show as many, and the growth is that of the data alone.
    Endpoint("search-rare-api-2", f"/api/v1/search/?q={_q('kittiwake')}&page_size=2", "token"),
    Endpoint("static-end", STATIC),
)
CROWD = Endpoint("crowd-thread-long", "/en/forum/t/{long}/", "session")


# --- measuring ---------------------------------------------------------------------------------------------------


def load1() -> float:
    return float(Path("/proc/loadavg").read_text().split()[0])


SERVERS_IDLE_CPU = 0.05  # of one core: below this, a server is not working through a previous run's queue


def wait_quiet(databases: list[str], limit: float, groups: set[int] | None = None) -> float:
    """Wait until no query runs on the benchmark databases and the servers themselves are idle: a slow run leaves
    queued requests behind, and a server still rendering them takes the cores from the next run (its CPU counts as
    the benchmark's own, so the "other jobs" column does not show it)."""
    started = time.monotonic()
    calm = 0
    previous = http_cpu.snapshot(groups, []) if groups else None
    while time.monotonic() - started < limit:
        time.sleep(0.5)
        idle = http_data.active_queries(databases) == 0
        if previous is not None:
            now = http_cpu.snapshot(groups or set(), [])
            used = sum(seconds - previous.ours.get(pid, 0.0) for pid, seconds in now.ours.items())
            idle = idle and used / max(now.at - previous.at, 1e-3) < SERVERS_IDLE_CPU
            previous = now
        calm = calm + 1 if idle else 0
        if calm >= 2:
            break
    return time.monotonic() - started


def wait_load(limit: float, most: float = 1200) -> None:
    """Before the series: wait (at most 20 min) until the 1-minute load is at most `limit` (the machine is shared)."""
    if limit <= 0:
        return
    started = time.monotonic()
    while load1() > limit and time.monotonic() - started < most:
        log(f"load1 {load1():.2f} > {limit}: waiting")
        time.sleep(30)


def redis_pids() -> list[int]:
    """redis-server counts as the benchmark's own: the runs are nearly all of its work."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == "redis-server":
                    pids.append(int(entry.name))
            except OSError:
                continue
    return pids


def resolve(endpoint: Endpoint, facts: dict) -> str | None:
    try:
        path = endpoint.path.format(
            long=facts["long_thread"], long_last=facts["long_last_page"], comparison=facts["comparison_thread"]
        )
    except KeyError:
        return None
    return None if "None" in path else path


def run_wrk(server: http_server.Server, endpoint: Endpoint, path: str, *, connections, seconds, threads, timeout):
    headers = {**http_server.FORWARDED, **http_server.auth_headers(server, endpoint.auth)}
    command = ["wrk", f"-t{min(threads, connections)}", f"-c{connections}", f"-d{seconds}s", f"--timeout={timeout}s"]
    command += ["-s", str(LUA)]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    command.append(f"http://{http_server.HOST}:{server.port}{path}")
    completed = subprocess.run(  # noqa: S603
        command, capture_output=True, text=True, timeout=seconds + timeout + 60, check=False
    )
    for line in completed.stdout.splitlines():
        if line.startswith("BENCHJSON "):
            return json.loads(line[len("BENCHJSON ") :])
    raise RuntimeError(f"wrk gave no result ({completed.returncode}): {completed.stdout[-500:]} {completed.stderr}")


def probe(server: http_server.Server, endpoint: Endpoint, path: str, timeout: float) -> tuple[int, float, str]:
    """One request first: status and size, a warm-up, and a new sign-in if the session was lost."""
    headers = http_server.auth_headers(server, endpoint.auth)
    status, response_headers, body = http_server.request(server.port, path, headers=headers, timeout=timeout)
    location = dict((k.lower(), v) for k, v in response_headers).get("location", "")
    if endpoint.auth == "session" and status == 302 and "/accounts/login/" in location:
        log(f"{server.name}: the session ended; signing in again")
        http_server.sign_in(server)
        return probe(server, endpoint, path, timeout)
    return status, len(body) / 1024, location


def measure(server, endpoint: Endpoint, args, *, servers, connections: int, seconds: int) -> Result:
    path = resolve(endpoint, server.data.facts)
    result = Result(
        server=server.name,
        version=server.version.label,
        size=server.data.size,
        endpoint=endpoint.name,
        path=path or endpoint.path,
        auth=endpoint.auth,
        connections=connections,
        seconds=seconds,
    )
    if path is None:
        result.note = "no such thread in this database"
        return result
    databases = [s.data.database for s in servers]
    result.drained = wait_quiet(
        databases, args.drain_seconds, {s.process.pid for s in servers if s.process is not None}
    )
    try:
        result.status, result.kilobytes, location = probe(server, endpoint, path, args.timeout)
    except (OSError, TimeoutError) as exc:
        result.note = f"probe failed: {exc}"
        return result
    if not 200 <= result.status < 300:
        result.note = f"HTTP {result.status}{' → ' + location if location else ''}: not measured"
        log(f"{server.name} {endpoint.name}: {result.note}")
        return result
    result.load_before = load1()
    groups = {s.process.pid for s in servers if s.process is not None}
    backends = http_data.backend_pids(databases) + redis_pids()
    before = http_cpu.snapshot(groups, backends)
    result.wrk = run_wrk(
        server, endpoint, path, connections=connections, seconds=seconds, threads=args.wrk_threads,
        timeout=args.timeout,
    )  # fmt: skip
    # Connections opened during the run count whole: they did not exist before it.
    backends += [pid for pid in http_data.backend_pids(databases) if pid not in backends]
    result.others_cpu = http_cpu.others_percent(before, http_cpu.snapshot(groups, backends))
    result.load_after = load1()
    log(
        f"{server.name} {endpoint.name}: {fmt(result.rate)} req/s, p50 {fmt(result.ms('p50_us'))} ms, "
        f"p99 {fmt(result.ms('p99_us'))} ms, {result.responses:,} responses, {result.non_2xx} non-2xx, "
        f"errors {result.socket_errors}, other jobs' CPU {result.others_cpu:.0f} %"
    )
    return result


# --- the run -----------------------------------------------------------------------------------------------------


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,1000000", help="forum posts per database (default 10000,1000000)")
    parser.add_argument("--before", metavar="COMMIT", help="also serve this older commit (git worktree)")
    parser.add_argument("--seconds", type=int, default=15, help="wrk duration per endpoint (default 15)")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections (default 16)")
    parser.add_argument("--wrk-threads", type=int, default=2, help="wrk threads (default 2)")
    parser.add_argument("--timeout", type=int, default=30, help="wrk per-request timeout in seconds (default 30)")
    parser.add_argument("--crowd-connections", type=int, default=200, help="connections of the crowd run (200)")
    parser.add_argument("--crowd-seconds", type=int, default=30, help="duration of the crowd run (default 30)")
    parser.add_argument("--no-crowd", action="store_true", help="skip the crowd run")
    parser.add_argument("--only", help="comma-separated endpoint names or globs (the static baseline always runs)")
    parser.add_argument("--list", action="store_true", help="list the endpoints and exit")
    parser.add_argument("--rebuild", action="store_true", help="drop and rebuild the databases")
    parser.add_argument("--build-only", action="store_true", help="build the databases, measure nothing")
    parser.add_argument("--seed", type=int, default=2026, help="seed_forum seed (default 2026)")
    parser.add_argument(
        "--gunicorn-config", default="auto", help="auto (a config file in the tree if any), none, or a path"
    )
    parser.add_argument(
        "--config-workers",
        action="store_true",
        help="with a config file, let it choose workers, threads and worker class (default: 2 x 4 gthread)",
    )
    parser.add_argument("--gunicorn-arg", action="append", default=[], help="extra gunicorn argument (repeatable)")
    parser.add_argument("--port-base", type=int, default=18500, help="first port on 127.0.0.1 (default 18500)")
    parser.add_argument("--redis-db-base", type=int, default=10, help="first Redis database number (default 10)")
    parser.add_argument("--drain-seconds", type=float, default=120, help="most to wait for queries between runs")
    parser.add_argument("--wait-load", type=float, default=0, help="before measuring, wait until load1 is at most this")
    parser.add_argument("--max-minutes", type=float, default=240, help="stop measuring after this long (240)")
    parser.add_argument("--results", type=Path, default=RESULTS, help="folder for the results (bench/results)")
    args = parser.parse_args(argv)
    args.sizes = sorted({int(size.replace("_", "")) for size in args.sizes.split(",") if size.strip()})
    return args


def selected(args) -> list[Endpoint]:
    if not args.only:
        return list(ENDPOINTS)
    patterns = [name.strip() for name in args.only.split(",") if name.strip()]
    chosen = [e for e in ENDPOINTS if e.name.startswith("static") or any(fnmatch.fnmatch(e.name, p) for p in patterns)]
    unknown = [p for p in patterns if not any(fnmatch.fnmatch(e.name, p) for e in (*ENDPOINTS, CROWD))]
    if unknown:
        raise SystemExit(f"unknown endpoints: {', '.join(unknown)} (see --list)")
    return chosen


def preflight() -> None:
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: apt-get install -y wrk")
    try:
        http_data.active_queries([])
    except Exception as exc:
        raise SystemExit(f"PostgreSQL at {http_data.PG_URL} is not reachable: {exc}") from exc
    try:
        import redis

        redis.Redis.from_url(http_server.REDIS, socket_timeout=5).ping()
    except Exception as exc:
        raise SystemExit(f"Redis at {http_server.REDIS} is not reachable: {exc}") from exc


def _terminate(signum, _frame):
    raise SystemExit(128 + signum)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    endpoints = selected(args)
    if args.list:
        for endpoint in (*ENDPOINTS, CROWD):
            print(f"{endpoint.name:22} {endpoint.auth:8} {endpoint.path}")
        return 0
    preflight()
    signal.signal(signal.SIGTERM, _terminate)
    signal.signal(signal.SIGHUP, _terminate)
    started = time.monotonic()
    stamp = dt.datetime.now(dt.UTC).astimezone()
    workdir = Path(tempfile.mkdtemp(prefix="comity-http-bench-"))
    versions: list[Version] = []
    servers: list[http_server.Server] = []
    try:
        current = http_data.current_version()
        http_data.compile_messages(current.path, only_missing=True)
        if args.before:
            versions.append(http_data.before_version(args.before, workdir))
        versions.append(current)
        datasets = [
            http_data.build(version, size, seed=args.seed, rebuild=args.rebuild, workdir=workdir)
            for version in versions
            for size in args.sizes
        ]
        if args.build_only:
            for data in datasets:
                steps = ", ".join(f"{label} {seconds:.1f} s" for label, seconds in data.steps)
                print(f"{data.database}: {steps}")
            return 0
        secrets_ = http_server.Secrets()
        checks: dict[str, str] = {}
        for position, data in enumerate(datasets):
            server = http_server.Server(
                data, args.port_base + position, args.redis_db_base + position, workdir,
                config=http_server.find_config(data.version, args.gunicorn_config),
                config_workers=args.config_workers,
            )  # fmt: skip
            if data.version.label not in checks:
                checks[data.version.label] = http_server.prepare_version(data.version, server, secrets_)
            servers.append(server)
            http_server.start(server, secrets_, gunicorn_args=args.gunicorn_arg)
        for server in servers:
            http_server.sign_in(server)
            http_server.create_token(server, secrets_)
        databases = [server.data.database for server in servers]
        deadline = started + args.max_minutes * 60
        estimate = len(endpoints) * len(servers) * (args.seconds + 3) + len(servers) * (args.crowd_seconds + 5)
        wait_load(args.wait_load)
        log(f"measuring {len(endpoints)} endpoints on {len(servers)} servers, about {estimate / 60:.0f} min")
        results: list[Result] = []
        crowd: list[Result] = []
        notes: list[str] = []
        runs = [(endpoint, server, args.connections, args.seconds) for endpoint in endpoints for server in servers]
        patterns = [p.strip() for p in (args.only or "*").split(",")]
        if not args.no_crowd and any(fnmatch.fnmatch(CROWD.name, p) for p in patterns):
            runs += [(CROWD, server, args.crowd_connections, args.crowd_seconds) for server in servers]
        for endpoint, server, connections, seconds in runs:
            if time.monotonic() > deadline:
                notes.append(f"stopped before {endpoint.name} on {server.name}: --max-minutes {args.max_minutes}")
                break
            try:
                result = measure(server, endpoint, args, servers=servers, connections=connections, seconds=seconds)
            except (RuntimeError, OSError, subprocess.SubprocessError) as exc:
                log(f"{server.name} {endpoint.name}: failed: {exc}")
                notes.append(f"{server.name} {endpoint.name}: not measured: {exc}")
                continue
            (crowd if endpoint is CROWD else results).append(result)
        wait_quiet(databases, args.drain_seconds)
        memory = {server.name: http_server.memory(server) for server in servers}
        for server in servers:
            notes += [f"{server.name}: {note}" for note in server.notes]
            tail = http_server.log_tail(server, 10)
            if tail.strip():
                notes.append(f"{server.name}: gunicorn log (last lines): `{' / '.join(tail.splitlines())}`")
        report = Report(
            title=f"HTTP benchmark, {stamp:%Y-%m-%d %H:%M %Z}",
            header=header(args, versions, servers, checks, started),
            data_rows=[data_row(data, server) for data, server in zip(datasets, servers, strict=True)],
            results=results,
            sizes=args.sizes,
            versions=[version.label for version in versions],
            notes=notes,
            memory=memory,
        )
        text = render(report, crowd)
        args.results.mkdir(parents=True, exist_ok=True)
        target = args.results / f"{stamp:%Y-%m-%d-%H%M}.md"
        target.write_text(text, encoding="utf-8")
        raw = {"results": [asdict(r) for r in results], "crowd": [asdict(r) for r in crowd]}
        target.with_suffix(".json").write_text(json.dumps(raw, indent=1, ensure_ascii=False), encoding="utf-8")
        print("\n" + text)
        log(f"written to {target} (and .json) in {(time.monotonic() - started) / 60:.1f} min")
        return 0
    finally:
        for server in servers:
            http_server.stop(server)
        for server in servers:
            try:
                http_server.flush_redis(server.redis_db)
            except Exception as exc:
                log(f"could not empty redis db {server.redis_db}: {exc}")
        for version in versions:
            http_data.remove_worktree(version)
        shutil.rmtree(workdir, ignore_errors=True)


def header(args, versions: list[Version], servers, checks: dict[str, str], started: float) -> list[str]:
    cores = os.cpu_count()
    memory = Path("/proc/meminfo").read_text().split("\n")[0].split()[1]
    with http_data.connect() as conn:
        postgres = conn.execute("SHOW server_version").fetchone()[0]
    wrk = subprocess.run(["wrk", "--version"], capture_output=True, text=True, check=False).stdout.split(" [")[0]  # noqa: S607
    gunicorn = subprocess.run(  # noqa: S603
        [str(Path(sys.executable).with_name("gunicorn")), "--version"], capture_output=True, text=True, check=False
    ).stdout.strip()
    lines = [
        f"Machine: {cores} cores, {int(memory) / 2**20:.0f} GiB RAM, load1 {load1():.2f} at the end; wrk shares the "
        "cores with the servers, PostgreSQL and Redis, so compare ratios, not absolute values.",
        f"Run: `python -m bench.http_bench {' '.join(sys.argv[1:])}`; wrk -t{args.wrk_threads} -c{args.connections} "
        f"-d{args.seconds}s --timeout {args.timeout}s, endpoints alternated between the servers; {wrk}; {gunicorn}; "
        f"PostgreSQL {postgres}; Python {sys.version.split()[0]}.",
        "Servers: gunicorn --workers 2 --worker-class gthread --threads 4, production settings, each with its own "
        "database and Redis database; requests carry `X-Forwarded-Proto: https`; signed-in pages use member.br's "
        "session cookies, the API its read token. The static baseline (`/static/core/comity.css` through "
        "StaticFilesHandler in the same process) is the mean of the first and last runs of each server.",
        "",
    ]
    for version in versions:
        config = next((s.config for s in servers if s.version is version), None)
        warning = http_server.config_warning(config)
        if warning:
            warning = f" ({warning}; {'the file decides' if args.config_workers else 'overridden by 2 x 4 gthread'})"
        lines.append(
            f"- **{version.label}**: {version.note}; gunicorn config: {config or 'none'}{warning}; "
            f"check --deploy: {checks.get(version.label, '-')}"
        )
    return lines


def data_row(data: DataSet, server) -> list[str]:
    f = data.facts
    build = "reused" if data.reused else "built"
    build += " (" + ", ".join(f"{label} {seconds:.0f} s" for label, seconds in data.steps) + ")"
    return [
        data.database,
        data.version.label,
        f"{data.size:,}",
        f"{f['authorities']:,} / {f['contacts']:,}",
        f"{f['threads']:,} / {f['posts']:,}",
        f"t/{f['long_thread']}: {f['long_posts']:,} posts, last page {f['long_last_page']}",
        f"t/{f['comparison_thread']}: {f['comparison_posts']} posts",
        f"{f['size_mb']:,} MB (forum_post {f['post_table_mb']:,} MB)",
        build,
    ]


if __name__ == "__main__":
    sys.exit(main())
