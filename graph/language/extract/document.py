"""A report as the rules read it: its readable paragraphs parsed, sentence by sentence, with the names in them.

Building one is the expensive step (the statistical parse); everything after it only reads.
The text the parser sees differs from the report's in three ways, none of which moves a
character: a dateline ("PESHAWAR, Pakistan (Reuters) -") is left out of its paragraph, a
title-case headline is put in sentence case (so that "Threatens Uzbekistan" is a verb and its
object, not a person), and every registry name becomes one token, as does every name read before
the parse (``graph.language.extract.propernames``: a branch's name grown out of a registry group's,
a transliterated name joined by particles).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from spacy.language import Language
from spacy.tokens import Doc, Span

from graph.domain.dates import PartialDate
from graph.language.extract.lexicon import Lexicon
from graph.language.extract.mentions import Mention, MentionFinder
from graph.language.extract.propernames import NameFinder, NameSpan, PreName
from graph.language.extract.sentences import Paragraph, paragraphs
from graph.language.extract.text import ReportInput
from graph.language.pipeline import process

# "PESHAWAR, Pakistan (Reuters) -", "KABUL (AP) —", "ISLAMABAD, May 3 -": a wire dateline opens a paragraph
_DATELINE = re.compile(
    r"\A(?:"
    r"[A-Z][A-Z.'\-]{2,}(?: [A-Z][A-Z.'\-]+){0,3}"  # the city in capitals ("PESHAWAR", "NEW DELHI")
    r"(?:, [A-Z][A-Za-z0-9.' ]{1,30}?)?(?: ?\([A-Za-z/ .]{1,30}\))?"  # a country or date, the agency
    r"(?:\s+[-—–]{1,2}|\s*[—–])"  # a dash set off by spaces, or an em or en dash
    r"|[A-Z][A-Z.'\-]{4,}(?: [A-Z][A-Z.'\-]+){0,3}:"  # "ISLAMABAD:"
    r"|(?!The |A |An )[A-Z][A-Za-z.'\-]{2,}(?: [A-Z][A-Za-z.'\-]+){0,2}"  # "Moscow (CNN) —"
    r"(?:, [A-Z][A-Za-z0-9.' ]{1,30}?)? ?\([A-Za-z/ .]{1,30}\)\s*[-—–]{1,2}"
    r")\s+")


@dataclass(frozen=True)
class Sentence:
    """One sentence of a report: its tokens in the parsed paragraph, its place in the text, its names."""

    span: Span
    start: int
    end: int
    text: str
    headline: bool
    mentions: tuple[Mention, ...]
    unresolved: tuple[Span, ...]
    number: int
    names: tuple[PreName, ...] = ()  # names read before the parse, one token each


    def mention_at(self, i: int) -> Mention | None:
        """The registry name at token ``i`` of the paragraph, if any (names are single tokens)."""
        for mention in self.mentions:
            if mention.start == i:
                return mention
        return None


@dataclass(frozen=True)
class ParsedReport:
    """What the parse made of one report; read-only for the rules."""

    report: ReportInput
    published: PartialDate | None
    sentences: tuple[Sentence, ...]
    skipped: Mapping[str, int] = field(default_factory=dict)
    docs: tuple[Doc, ...] = ()


class Preparer:
    """Turns readable paragraphs into docs ready for the statistical components: names merged, headlines cased."""

    def __init__(self, nlp: Language, finder: MentionFinder, parse_as: Mapping[str, str] | None = None,
                 names: NameFinder | None = None) -> None:
        self.nlp = nlp
        self.finder = finder
        self.parse_as = dict(parse_as or {})
        self.names = names

    def doc(self, text: str, at: PartialDate | None, *, headline: bool) -> Doc:
        """The tokens of one paragraph, with its registry names found, merged and kept in ``user_data``."""
        doc = self.nlp.make_doc(text)
        found, unresolved = self.finder.find(doc, at)
        if headline:
            doc = _sentence_case(doc, {i for m in found for i in range(m.start, m.end)})
        names: list[NameSpan] = []
        if self.names is not None:
            names, found = self.names.find(doc, found, [(s.start, s.end) for s in unresolved])
        spans = [(m.start_char, m.end_char, m.kind) for m in found] + [
            (s.start_char, s.end_char, "") for s in unresolved] + [
            (n.start_char, n.end_char, n.kind or "default") for n in names]
        merged: list[tuple[str, str]] = []  # (the merged name, its kind)
        with doc.retokenize() as retokenizer:
            for start, end, kind in spans:
                span = doc.char_span(start, end)
                if span is not None and len(span) > 1:
                    retokenizer.merge(span, attrs={"LEMMA": span.text})
                    merged.append((span.text, kind))
        for name, kind in merged:
            self._parse_as(name, kind)
        by_char = {t.idx: t.i for t in doc}
        doc.user_data["kg_mentions"] = [m._replace(start=by_char[m.start_char], end=by_char[m.start_char] + 1)
                                        for m in found if m.start_char in by_char]
        doc.user_data["kg_unresolved"] = [(by_char[s.start_char], s.end_char) for s in unresolved
                                          if s.start_char in by_char]
        doc.user_data["kg_names"] = [PreName(by_char[n.start_char], n.kind or "", n.parent or "", n.relation or "",
                                             n.swallowed or "") for n in names if n.start_char in by_char]
        return doc


    def _parse_as(self, text: str, kind: str) -> None:
        """Give a merged name the features of a familiar name of its kind.

        The statistical components read a token through its norm, prefix, suffix and shape: a
        merged "Jaish al-Adl" looks like no word they know and is tagged as a common noun, which
        breaks the parse around it. Read as "Taliban" (or "Pakistan", "Smith"…), it is a proper
        noun where it stands. Only merged strings (with a space or hyphen inside) are touched.
        """
        model = self.parse_as.get(kind) or self.parse_as.get("default") or "Smith"
        lexeme = self.nlp.vocab[text]
        lexeme.norm_ = model.lower()
        lexeme.shape_ = "Xxxxx"
        lexeme.prefix_ = model[:1]
        lexeme.suffix_ = model[-3:]


def _sentence_case(doc: Doc, names: set[int]) -> Doc:
    """A title-case headline as the parser expects a sentence: capitals kept on names, acronyms and the first word."""
    words = []
    for token in doc:
        text = token.text
        keep = token.i == 0 or token.i in names or text.isupper() or not text[:1].isupper()
        words.append(text if keep else text[:1].lower() + text[1:])
    return Doc(doc.vocab, words=words, spaces=[bool(t.whitespace_) for t in doc])


def read_reports(reports: Sequence[ReportInput], nlp: Language, preparer: Preparer,
                 lexicon: Lexicon, *, n_process: int = 1) -> list[ParsedReport]:
    """Parse the reports' readable paragraphs (in batches across reports) and split them into sentences."""
    plans = []
    prepared: list[Doc] = []
    for report in reports:
        published = report.published_date
        skipped = {"caption": 0, "furniture": 0}
        readable: list[tuple[Paragraph, int]] = []
        for para in paragraphs(report.text, lexicon):
            if para.kind in skipped:
                skipped[para.kind] += 1
                continue
            match = _DATELINE.match(para.text) if para.kind == "body" else None
            lead = match.end() if match and match.end() < len(para.text) else 0
            readable.append((para, lead))
            prepared.append(preparer.doc(para.text[lead:], published,
                                         headline=para.kind == "headline" and _title_case(para.text)))
        plans.append((report, published, skipped, readable))
    docs = iter(process(nlp, prepared, n_process=n_process))
    return [_sentences(report, published, skipped, [(para, lead, next(docs)) for para, lead in readable])
            for report, published, skipped, readable in plans]


def _title_case(text: str) -> bool:
    """Most words capitalised: a headline in title case, which the parser reads badly."""
    words = [w for w in text.split() if w[:1].isalpha()]
    return len(words) >= 3 and sum(w[:1].isupper() for w in words) >= 0.6 * len(words)


def _sentences(report: ReportInput, published: PartialDate | None, skipped: dict[str, int],
               parsed: list[tuple[Paragraph, int, Doc]]) -> ParsedReport:
    sentences: list[Sentence] = []
    for para, lead, doc in parsed:
        base = para.start + lead
        # (a doc back from a worker process has its user data as plain lists)
        mentions: Sequence[Mention] = [m if isinstance(m, Mention) else Mention(*m)
                                       for m in doc.user_data.get("kg_mentions", [])]
        unresolved = [doc[s:s + 1] for s, _ in doc.user_data.get("kg_unresolved", [])]
        names = [n if isinstance(n, PreName) else PreName(*n) for n in doc.user_data.get("kg_names", [])]
        for sent in doc.sents:
            if not sent.text.strip():
                continue
            start = base + sent.start_char
            text = report.text[start:base + sent.end_char].rstrip()
            inside = tuple(m for m in mentions if sent.start <= m.start < sent.end)
            vague = tuple(s for s in unresolved if sent.start <= s.start < sent.end)
            own = tuple(n for n in names if sent.start <= n.token < sent.end)
            sentences.append(Sentence(sent, start, start + len(text), text, para.kind == "headline",
                                      inside, vague, len(sentences), own))
    return ParsedReport(report, published, tuple(sentences), skipped, tuple(doc for _, _, doc in parsed))
