"""A small language guess for the languages notices come in (zh, en, es, fr)."""

from __future__ import annotations

import re

_WORDS = re.compile(r"[a-záéíóúñàâçèêëîïôûü]+")
_STOPWORDS = {
    "en": {"the", "of", "and", "to", "for", "in", "is", "on", "with", "this", "from", "by"},
    "es": {"el", "la", "los", "las", "de", "del", "y", "para", "en", "por", "con", "que", "se"},
    "fr": {"le", "la", "les", "des", "du", "et", "pour", "en", "dans", "sur", "par", "au", "aux"},
}


def guess_language(text: str) -> str:
    """``zh`` when CJK characters make up a good part of the text, else the
    Latin-script language whose common words occur most (``en`` by default)."""
    sample = text[:4000]
    cjk = sum(1 for ch in sample if "\u4e00" <= ch <= "\u9fff")
    if cjk and cjk >= 0.2 * len(sample.replace(" ", "")):
        return "zh"
    words = _WORDS.findall(sample.lower())
    scores = {lang: sum(w in stop for w in words) for lang, stop in _STOPWORDS.items()}
    best = max(scores, key=lambda lang: scores[lang])
    return best if scores[best] > scores["en"] else "en"
