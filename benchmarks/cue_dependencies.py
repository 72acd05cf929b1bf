"""Could the cue matcher's dependency reading be spaCy ``DependencyMatcher`` patterns generated from the ontology?
(issue 21, item 6: rules as data.)

    python -m benchmarks.cue_dependencies [--sets devset,train01,train05,train10] [--repeat 3] [--json]

The one cue class ``graph.language.extract.cues.CueMatcher`` reads over the parse rather than the words is a
two-word active cue ending in a preposition ("operates in", "threat to", "attack* on"): the verb or noun (by its
lemma, or a stem's start) with that preposition among its dependents, to its right, not governing a date
("had operated freely in Afghanistan", "threats to Pakistan"). This script generates one ``DependencyMatcher``
pattern per (part of speech, lemma or stem, preposition) from the same cue tables the matcher builds from the
ontology, reads the reports of the sets given (development and training sets only), and reports

- whether the hits are the same as the hand-written loop's on every report (they must be for the change to keep
  the reader's output), and
- the time of each way over the same parsed documents, the fastest of ``--repeat`` runs, beside the time of the
  whole ``CueMatcher.find`` and of the spaCy pipeline that parsed them.

The argument finding after the cue (``slots.py``, ``tree.py``) is not measured here: see docs/extraction.md
("Rules as data") for why it stays code.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from spacy.language import Language
from spacy.matcher import DependencyMatcher
from spacy.tokens import Doc, Token

from graph.domain.ontology import load_ontology
from graph.domain.resources import evaluation_dir
from graph.language.extract import DEFAULT_MODEL
from graph.language.extract.cues import CueMatcher
from graph.language.pipeline import load_pipeline

BLIND = {"theatres1", "theatres2", "theatres3", "holdout10"}
Hit = tuple[str, int, int]


def _lower_lemma(token: Token) -> str:
    return token.lemma_.lower()


def _cue_with_prep(cue: dict[str, object], prep_word: str) -> list[dict[str, object]]:
    """The one pattern shape both ways of grouping the cues use: a token matching ``cue`` with a ``prep`` child whose
    lowercased word is ``prep_word``; what else the loop asks of that child is ``_loop_would_match``'s."""
    return [{"RIGHT_ID": "cue", "RIGHT_ATTRS": cue},
            {"LEFT_ID": "cue", "REL_OP": ">", "RIGHT_ID": "prep", "RIGHT_ATTRS": {"DEP": "prep", "LOWER": prep_word}}]


def _loop_would_match(doc: Doc, cue_i: int, prep_i: int, prep_word: str) -> bool:
    """What a pattern cannot say, checked after its match as the hand-written loop checks it: the matched
    preposition is the cue word's first ``prep`` child of that word, stands to its right, and governs no date or
    time ("operated in 2019" is no place)."""
    first = next((c for c in doc[cue_i].children if c.dep_ == "prep" and c.lower_ == prep_word), None)
    return first is not None and first.i == prep_i and prep_i > cue_i and not any(
        g.ent_type_ in ("DATE", "TIME") for g in first.children)


class DependencyPrepCues:
    """The verb-and-preposition cues as ``DependencyMatcher`` patterns: the cue word (part of speech and lowercased
    lemma, whole or as a stem's start) with a ``prep`` child of the cue's preposition. What a pattern cannot say is
    checked after the match, as the loop does: the preposition is the cue word's first such child, to its right,
    and governs no date or time."""

    def __init__(self, nlp: Language, matcher: CueMatcher, *, lemma_attr: bool = False) -> None:
        if not Token.has_extension("kg_lower_lemma"):
            Token.set_extension("kg_lower_lemma", getter=_lower_lemma)
        self.matcher = DependencyMatcher(nlp.vocab)
        self.types: dict[str, list[str]] = {}
        tables = [(matcher._verb_preps, False), (matcher._stem_preps, True)]
        for table, stem in tables:
            for (pos, word), entries in table.items():
                for type_name, prep_word in entries:
                    key = f"{pos}|{word}|{prep_word}|{'stem' if stem else 'lemma'}"
                    self.types.setdefault(key, []).append(type_name)
                    if len(self.types[key]) > 1:
                        continue
                    lemma = {"REGEX": f"^{word}"} if stem else word
                    # the loop compares the lowercased lemma: an extension does that; the parser's LEMMA is faster
                    # but keeps a capital the lemmatizer left ("Attacks" at a headline's start)
                    cue: dict[str, object] = {"POS": pos, "LEMMA": lemma} if lemma_attr else {
                        "POS": pos, "_": {"kg_lower_lemma": lemma}}
                    self.matcher.add(key, [_cue_with_prep(cue, prep_word)])

    def hits(self, doc: Doc) -> list[Hit]:
        found: list[Hit] = []
        for match_id, (cue_i, prep_i) in self.matcher(doc):
            key = doc.vocab.strings[match_id]
            if not _loop_would_match(doc, cue_i, prep_i, key.split("|")[2]):
                continue
            found += [(f"{type_name}|active", cue_i, prep_i + 1) for type_name in self.types[key]]
        return found


class GroupedPrepCues:
    """The same cues in as few patterns as the matcher allows: one per part of speech and preposition, the cue words
    as a set of lemmas (and one alternation of stems); the relation types are looked up after the match, from the
    cue word's lemma, as the loop looks them up."""

    def __init__(self, nlp: Language, matcher: CueMatcher) -> None:
        self.cues = matcher
        self.matcher = DependencyMatcher(nlp.vocab)
        lemmas: dict[tuple[str, str], set[str]] = {}
        stems: dict[tuple[str, str], set[str]] = {}
        for table, into in ((matcher._verb_preps, lemmas), (matcher._stem_preps, stems)):
            for (pos, word), entries in table.items():
                for _type_name, prep_word in entries:
                    into.setdefault((pos, prep_word), set()).add(word)
        for kind, grouped in (("lemma", lemmas), ("stem", stems)):
            for (pos, prep_word), words in grouped.items():
                alternatives = "|".join(sorted(words))
                cue: dict[str, object] = {"POS": pos, "_": {"kg_lower_lemma": (
                    {"IN": sorted(words)} if kind == "lemma" else {"REGEX": f"^(?:{alternatives})"})}}
                self.matcher.add(f"{pos}|{prep_word}|{kind}", [_cue_with_prep(cue, prep_word)])

    def hits(self, doc: Doc) -> list[Hit]:
        found: list[Hit] = []
        for match_id, (cue_i, prep_i) in self.matcher(doc):
            pos, prep_word, kind = doc.vocab.strings[match_id].split("|")
            if not _loop_would_match(doc, cue_i, prep_i, prep_word):
                continue
            lemma = doc[cue_i].lemma_.lower()
            entries = self.cues._verb_preps.get((pos, lemma), []) if kind == "lemma" else [
                e for (p, stem), es in self.cues._stem_preps.items() if p == pos and lemma.startswith(stem) for e in es]
            found += [(f"{t}|active", cue_i, prep_i + 1) for t, p in entries if p == prep_word]
        return found


def loop_hits(matcher: CueMatcher, doc: Doc) -> list[Hit]:
    """The verb-and-preposition hits exactly as ``CueMatcher.find`` reads them (its loop, less the one-word lemmas)."""
    found: list[Hit] = []
    for token in doc:
        if token.pos_ in ("VERB", "NOUN"):
            found.extend(matcher.verb_prep_hits(token, token.lemma_.lower()))
    return found


def _fastest(run: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sets", default="devset,train01,train05,train10")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    sets = [s for s in args.sets.split(",") if s]
    if blind := BLIND & set(sets):
        sys.stderr.write(f"refused: {sorted(blind)} are blind sets\n")
        return 2
    texts = [p.read_text(encoding="utf-8") for s in sets
             for p in sorted(Path(evaluation_dir() / "claims" / s / "reports").glob("*.txt"))]
    nlp = load_pipeline(DEFAULT_MODEL)
    matcher = CueMatcher(nlp, load_ontology())
    dependency = DependencyPrepCues(nlp, matcher)
    by_lemma = DependencyPrepCues(nlp, matcher, lemma_attr=True)
    grouped = GroupedPrepCues(nlp, matcher)
    start = time.perf_counter()
    docs = list(nlp.pipe(texts))
    parse = time.perf_counter() - start
    differ = [i for i, doc in enumerate(docs) if sorted(loop_hits(matcher, doc)) != sorted(dependency.hits(doc))]
    differ_by_lemma = [i for i, doc in enumerate(docs)
                       if sorted(loop_hits(matcher, doc)) != sorted(by_lemma.hits(doc))]
    differ_grouped = [i for i, doc in enumerate(docs)
                      if sorted(loop_hits(matcher, doc)) != sorted(grouped.hits(doc))]
    hits = sum(len(loop_hits(matcher, doc)) for doc in docs)
    words = sum(len(doc) for doc in docs)
    figures = {
        "sets": sets, "reports": len(docs), "tokens": words, "hits": hits, "reports_differing": len(differ),
        "patterns": len(dependency.matcher), "parse_s": round(parse, 3),
        "loop_s": round(_fastest(lambda: [loop_hits(matcher, d) for d in docs], args.repeat), 4),
        "dependency_matcher_s": round(_fastest(lambda: [dependency.hits(d) for d in docs], args.repeat), 4),
        "reports_differing_by_lemma": len(differ_by_lemma),
        "dependency_matcher_by_lemma_s": round(_fastest(lambda: [by_lemma.hits(d) for d in docs], args.repeat), 4),
        "grouped_patterns": len(grouped.matcher), "reports_differing_grouped": len(differ_grouped),
        "dependency_matcher_grouped_s": round(_fastest(lambda: [grouped.hits(d) for d in docs], args.repeat), 4),
        "cue_matcher_find_s": round(_fastest(lambda: [matcher.find(d) for d in docs], args.repeat), 4),
    }
    if args.json:
        sys.stdout.write(json.dumps(figures, indent=2) + "\n")
    else:
        for key, value in figures.items():
            sys.stdout.write(f"{key:22} {value}\n")
    return 1 if differ or differ_grouped else 0


if __name__ == "__main__":
    sys.exit(main())
