"""The fixed text of letters: loading the data file into `LetterModel` rows, and the texts of one letter.

The letter is written in the language chosen for it, whatever the language of the page: its fixed text comes from
these rows (data the secretariat edits), never from the UI catalogues."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from comity.requests.models import LETTER_LANGUAGES, LetterModel

DATA_FILE = Path(__file__).resolve().parent / "data" / "letter_models.json"
RTL_LANGUAGES = frozenset({"ar"})
# Codes the directory may record for a language of the seven, mapped to the letter's code.
LANGUAGE_ALIASES = {"zh": "zh-hans", "zh-cn": "zh-hans", "zh-hans": "zh-hans", "pt-br": "pt", "pt-pt": "pt"}


def normalise_language(code: str) -> str:
    code = (code or "").strip().lower()
    return LANGUAGE_ALIASES.get(code, code)


@dataclass
class LoadResult:
    created: int = 0
    updated: int = 0
    kept: int = 0


def letters_load(*, path: Path | None = None, overwrite: bool = False) -> LoadResult:
    """Create the letter models of the data file that do not exist yet. An existing row is left alone (the
    secretariat may have edited it) unless `overwrite` is given and the row was not edited. Idempotent."""
    data = json.loads((path or DATA_FILE).read_text(encoding="utf-8"))
    result = LoadResult()
    existing = {(m.coop_type, m.measure, m.language): m for m in LetterModel.objects.all()}
    new = []
    with transaction.atomic():
        for entry in data["models"]:
            key = (entry["coop_type"], entry["measure"], entry["language"])
            row = existing.get(key)
            if row is None:
                new.append(
                    LetterModel(
                        **dict(zip(("coop_type", "measure", "language"), key, strict=True)),
                        texts=entry["texts"],
                        source=data["source"],
                    )
                )
            elif overwrite and not row.edited and row.texts != entry["texts"]:
                row.texts = entry["texts"]
                row.save(update_fields=["texts"])
                result.updated += 1
            else:
                result.kept += 1
        LetterModel.objects.bulk_create(new)
    result.created = len(new)
    return result


@dataclass
class LetterTexts:
    language: str
    common: dict[str, str]
    type_texts: dict[str, str]
    measure_labels: dict[str, str]

    @property
    def rtl(self) -> bool:
        return self.language in RTL_LANGUAGES

    def get(self, key: str) -> str:
        return self.type_texts.get(key) or self.common.get(key) or ""


def letter_texts(*, coop_type: str, language: str) -> LetterTexts:
    """The fixed texts of one letter (one query). Missing rows fall back to English, so that a letter is never
    empty; the loader seeds all seven languages."""
    language = language if language in LETTER_LANGUAGES else "en"
    rows = list(LetterModel.objects.filter(language__in={language, "en"}, coop_type__in=["", coop_type]))
    out = LetterTexts(language=language, common={}, type_texts={}, measure_labels={})
    for lang in ("en", language):  # the chosen language overwrites the English fallback
        for row in rows:
            if row.language != lang:
                continue
            if row.measure:
                out.measure_labels[row.measure] = row.texts.get("label", "")
            elif row.coop_type:
                out.type_texts.update(row.texts)
            else:
                out.common.update(row.texts)
    return out
