"""The HTTP benchmark's Markdown report: one table per (version, size), growth from the smallest to the largest
size, before -> current per size, the crowd run, memory, and notes. See bench/http_bench.py."""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass, field


@dataclass
class Result:
    server: str  # "<version>/<size>"
    version: str
    size: int
    endpoint: str
    path: str
    auth: str
    connections: int
    seconds: int
    status: int | None = None  # of the single probe request before the run
    kilobytes: float | None = None
    wrk: dict | None = None
    note: str = ""
    load_before: float = 0.0
    load_after: float = 0.0
    drained: float = 0.0  # seconds waited for the previous run's queries to finish
    others_cpu: float | None = None  # CPU used by other jobs during the run, % of the machine

    @property
    def rate(self) -> float | None:
        if not self.wrk or not self.wrk["duration_us"]:
            return None
        return self.wrk["requests"] / (self.wrk["duration_us"] / 1e6)

    @property
    def responses(self) -> int:
        return self.wrk["requests"] if self.wrk else 0

    def ms(self, key: str) -> float | None:
        if not self.wrk or not self.wrk["requests"]:
            return None
        return self.wrk[key] / 1000

    @property
    def non_2xx(self) -> int:
        if not self.wrk:
            return 0
        return sum(n for status, n in self.wrk["statuses"].items() if not 200 <= int(status) < 300)

    def count(self, status: int) -> int:
        return self.wrk["statuses"].get(str(status), 0) if self.wrk else 0

    @property
    def socket_errors(self) -> str:
        if not self.wrk:
            return "-"
        e = self.wrk["errors"]
        return f"{e['connect']}/{e['read']}/{e['write']}/{e['timeout']}"


@dataclass
class Report:
    title: str
    header: list[str]
    data_rows: list[list[str]]
    results: list[Result]
    sizes: list[int]
    versions: list[str]  # "current" last
    notes: list[str] = field(default_factory=list)
    memory: dict[str, list[tuple[str, int, int]]] = field(default_factory=dict)


def fmt(value: float | None, digits: int = 1) -> str:
    if value is None:
        return "-"
    if value >= 1000:
        return f"{value:,.0f}"
    if value >= 100 and digits <= 1:
        return f"{value:.0f}"
    return f"{value:.{digits}f}"


def ratio(new: float | None, old: float | None) -> str:
    if new is None or old is None or old == 0:
        return "-"
    return f"{new / old:.2f}×"


def table(headers: list[str], rows: list[list[str]], align: str = "") -> list[str]:
    align = align or "l" * len(headers)
    rule = ["---:" if a == "r" else "---" for a in align]
    lines = ["| " + " | ".join(headers) + " |", "| " + " | ".join(rule) + " |"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return lines


def static_rate(results: list[Result], server: str) -> float | None:
    rates = [r.rate for r in results if r.server == server and r.endpoint in ("static", "static-end") and r.rate]
    return sum(rates) / len(rates) if rates else None


def by_key(results: list[Result]) -> dict[tuple[str, int, str], Result]:
    return {(r.version, r.size, r.endpoint): r for r in results}


def main_rows(results: list[Result], server: str) -> list[list[str]]:
    base = static_rate(results, server)
    rows = []
    for number, r in enumerate((r for r in results if r.server == server), 1):
        share = f"{100 * r.rate / base:.2f} %" if r.rate is not None and base else "-"
        rows.append(
            [
                str(number),
                r.endpoint,
                f"`{urllib.parse.unquote(r.path)}`",
                str(r.status or "-"),
                fmt(r.kilobytes),
                fmt(r.rate),
                share,
                fmt(r.ms("p50_us")),
                fmt(r.ms("p95_us")),
                fmt(r.ms("p99_us")),
                f"{r.responses:,}" if r.wrk else (r.note or "-"),
                str(r.non_2xx) if r.wrk else "-",
                r.socket_errors,
                f"{r.load_before:.2f}→{r.load_after:.2f}",
                f"{r.others_cpu:.0f} %" if r.others_cpu is not None else "-",
            ]
        )
    return rows


def render(report: Report, crowd: list[Result]) -> str:
    lines = [f"# {report.title}", "", *report.header, ""]
    lines += table(
        ["database", "version", "posts wanted", "authorities / contacts", "threads / posts", "long thread",
         "comparison thread", "size", "build"],
        report.data_rows,
    )  # fmt: skip
    servers = sorted({(r.version, r.size, r.server) for r in report.results}, key=lambda s: (
        report.versions.index(s[0]), s[1]))  # fmt: skip
    headers = ["#", "endpoint", "path", "status", "KB", "req/s", "% of static", "p50 ms", "p95 ms", "p99 ms",
               "responses", "non-2xx", "errors c/r/w/timeout", "load1", "other jobs' CPU"]  # fmt: skip
    for version, size, server in servers:
        lines += ["", f"## {version} at {size:,} posts (server {server})", ""]
        lines += table(headers, main_rows(report.results, server), "rllrrrrrrrrrrlr")
    lines += growth(report)
    lines += versions(report)
    if crowd:
        lines += crowd_table(crowd)
    if report.memory:
        lines += ["", "## Memory of the gunicorn processes after the runs (MiB)", ""]
        rows = [
            [server, name, str(rss), str(peak)] for server, procs in report.memory.items() for name, rss, peak in procs
        ]
        lines += table(["server", "process", "RSS", "peak RSS (VmHWM)"], rows, "llrr")
    if report.notes:
        lines += ["", "## Notes", ""] + [f"- {note}" for note in report.notes]
    return "\n".join(lines) + "\n"


def _endpoints(results: list[Result]) -> list[str]:
    seen: list[str] = []
    for r in results:
        if r.endpoint not in seen:
            seen.append(r.endpoint)
    return seen


def growth(report: Report) -> list[str]:
    if len(report.sizes) < 2:
        return []
    small, large = min(report.sizes), max(report.sizes)
    index = by_key(report.results)
    lines = []
    for version in report.versions:
        rows = []
        for endpoint in _endpoints(report.results):
            a, b = index.get((version, small, endpoint)), index.get((version, large, endpoint))
            if a is None or b is None:
                continue
            rows.append(
                [
                    endpoint,
                    f"{fmt(a.ms('p50_us'))} → {fmt(b.ms('p50_us'))}",
                    ratio(b.ms("p50_us"), a.ms("p50_us")),
                    f"{fmt(a.rate)} → {fmt(b.rate)}",
                    ratio(b.rate, a.rate),
                ]
            )
        lines += ["", f"## Growth {small:,} → {large:,} posts ({version})", ""]
        lines += table(["endpoint", "p50 ms", "× p50", "req/s", "× req/s"], rows, "lrrrr")
    return lines


def versions(report: Report) -> list[str]:
    if len(report.versions) < 2:
        return []
    old, new = report.versions[0], report.versions[-1]
    index = by_key(report.results)
    lines = []
    for size in report.sizes:
        base_old = static_rate(report.results, f"{old}/{size:,}")
        base_new = static_rate(report.results, f"{new}/{size:,}")
        rows = []
        for endpoint in _endpoints(report.results):
            a, b = index.get((old, size, endpoint)), index.get((new, size, endpoint))
            if a is None or b is None:
                continue
            share_a = f"{100 * a.rate / base_old:.2f}" if a.rate is not None and base_old else "-"
            share_b = f"{100 * b.rate / base_new:.2f}" if b.rate is not None and base_new else "-"
            rows.append(
                [
                    endpoint,
                    f"{fmt(a.ms('p50_us'))} → {fmt(b.ms('p50_us'))}",
                    ratio(b.ms("p50_us"), a.ms("p50_us")),
                    f"{fmt(a.rate)} → {fmt(b.rate)}",
                    ratio(b.rate, a.rate),
                    f"{share_a} → {share_b}",
                ]
            )
        lines += ["", f"## {old} → {new} at {size:,} posts", ""]
        lines += table(["endpoint", "p50 ms", "× p50", "req/s", "× req/s", "% of static"], rows, "lrrrrr")
    return lines


def crowd_table(crowd: list[Result]) -> list[str]:
    first = crowd[0]
    lines = ["", f"## {first.connections} connections for {first.seconds} s on `{first.path.split('?')[0]}`", ""]
    rows = []
    for r in crowd:
        rows.append(
            [
                r.server,
                f"{r.responses:,}" if r.wrk else (r.note or "-"),
                fmt(r.rate),
                str(r.responses - r.non_2xx) if r.wrk else "-",
                str(r.non_2xx) if r.wrk else "-",
                str(r.count(503)) if r.wrk else "-",
                r.socket_errors,
                fmt(r.ms("p50_us")),
                fmt(r.ms("p95_us")),
                fmt(r.ms("p99_us")),
                fmt(r.ms("max_us")),
                f"{100 - r.wrk['within_2s_pct']:.1f} %" if r.wrk and r.wrk["requests"] else "-",
                f"{r.others_cpu:.0f} %" if r.others_cpu is not None else "-",
            ]
        )
    headers = ["server", "responses", "req/s", "2xx", "non-2xx", "503", "errors c/r/w/timeout", "p50 ms", "p95 ms",
               "p99 ms", "max ms", "> 2 s", "other jobs' CPU"]  # fmt: skip
    return lines + table(headers, rows, "lrrrrrlrrrrrr")
