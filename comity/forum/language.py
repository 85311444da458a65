"""The language of a post: a default (the thread's language, else the writer's last choice), and detection from
the text when the detector is confident.

The detector is py3langid (a maintained fork of langid.py: a naive Bayes model over byte n-grams for 97
languages, pure Python with numpy, loaded once per process in under a second). It was chosen over lingua
(accurate, but a large compiled package) and langdetect (unmaintained, non-deterministic). It answers only for
texts long enough to judge (MIN_BYTES) and with a normalised probability of at least CONFIDENT; otherwise
the writer's choice stands.
"""

from __future__ import annotations

import functools
import threading

from comity.core.i18n import UI_LANGUAGES, is_language_code

MIN_BYTES = 25  # UTF-8 bytes, so that a short sentence in Chinese (three bytes a character) counts too
CONFIDENT = 0.9
# The detector speaks ISO 639-1; the interface calls these languages by their interface codes.
_TO_INTERFACE = {code.split("-")[0]: code for code in UI_LANGUAGES if "-" in code}
_lock = threading.Lock()


@functools.cache
def _identifier():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    with _lock:
        return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def detect(text: str) -> str | None:
    """The language of `text` when the detector is confident, as a code the forum accepts; else None."""
    # Quotes of other posts and code are not the writer's words.
    sample = " ".join(line for line in (text or "").splitlines() if not line.lstrip().startswith((">", "    ")))
    sample = " ".join(sample.split())
    if len(sample.encode()) < MIN_BYTES:
        return None
    code, probability = _identifier().classify(sample[:5000])
    if probability < CONFIDENT:
        return None
    code = _TO_INTERFACE.get(code, code)
    return code if code in UI_LANGUAGES or is_language_code(code) else None
