"""Run every benchmark in turn: `.venv/bin/python -m bench` (after `.venv/bin/python -m bench.prepare`)."""

from bench import availability_bench, endpoints, export_memory

for title, module in (
    ("(a) pages and API", endpoints),
    ("(b) availability", availability_bench),
    ("(c) CSV export memory", export_memory),
):
    print(f"\n== {title} ==")
    module.main([])
