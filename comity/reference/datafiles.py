"""The reference data files in comity/reference/data/: each records its source and "as of" date."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"


def read(name: str, data_dir: Path | None = None) -> dict:
    """Parse one data file; a given `data_dir` (tests, a staged update) is read afresh every time."""
    if data_dir is None:
        return _read_default(name)
    return json.loads((Path(data_dir) / name).read_text(encoding="utf-8"))


@lru_cache(maxsize=8)
def _read_default(name: str) -> dict:
    return json.loads((DATA_DIR / name).read_text(encoding="utf-8"))
