"""Splitting a report into the sentences worth reading, with their character offsets.

A report is read paragraph by paragraph (one per line). Short lines without sentence
punctuation are page furniture ("Breaking News"), except a headline-like line of four words
or more. A paragraph that occurs twice verbatim is a photo caption (pages print the caption
beside the photo and again in the gallery), and so is the paragraph just before or after its
twin: captions are skipped, never read as two reports of the same thing.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Literal

from graph.language.extract.lexicon import Lexicon

ParagraphKind = Literal["body", "headline", "caption", "furniture"]
_LINE = re.compile(r"[^\n]+")


@dataclass(frozen=True)
class Paragraph:
    """One line of the report with its offsets and what it is."""

    start: int
    end: int
    text: str
    kind: ParagraphKind


def paragraphs(text: str, lexicon: Lexicon) -> list[Paragraph]:
    """The report's paragraphs, each classified as body, headline, caption or furniture."""
    lines = [(m.start(), m.end(), m.group(0)) for m in _LINE.finditer(text) if m.group(0).strip()]
    counts = Counter(line.strip() for _, _, line in lines)
    result = []
    seen_headline = False
    for start, _end, line in lines:
        stripped = line.strip()
        words = stripped.split()
        kind: ParagraphKind = "body"
        if counts[stripped] > 1:
            kind = "caption"
        elif stripped.lower().rstrip(".:") in lexicon.furniture or (
                len(words) < 4 and not stripped.endswith((".", "?", "!", "”", '"'))):
            kind = "furniture"
        elif not stripped.endswith((".", "?", "!", "”", '"', "’", "'", ":")):
            kind = "furniture" if seen_headline else "headline"
            seen_headline = True
        lead = len(line) - len(line.lstrip())
        result.append(Paragraph(start + lead, start + lead + len(stripped), stripped, kind))
    return result
