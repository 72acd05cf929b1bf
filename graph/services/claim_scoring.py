"""Scoring extracted claims against curated ones, and timing the extractor.

Claims match on (subject, type, object), with symmetric types read either way, once per
report: a report that says the same thing in three sentences says it once. Precision,
recall and F1 are given overall and per relation type; the status is scored as a second
figure, on the matched triples (right when an extracted status is one the curators gave).
"""

from __future__ import annotations

import random
import time
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from graph.domain.model import Claim, Entity
from graph.domain.ontology import Ontology
from graph.language.extract.pipeline import Extractor
from graph.language.extract.text import ReportInput
from graph.language.pipeline import DEFAULT_MODEL, parse_plain
from graph.services.loader import read_bundle

Triple = tuple[str, str, str, str]  # report, subject, type, object
SCOPES = {"groups-states": frozenset({"armed_group", "state"}), "all": None}


@dataclass
class Counts:
    """True positives, false positives and false negatives, and the figures from them."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict[str, float | int]:
        return {"tp": self.tp, "fp": self.fp, "fn": self.fn, "precision": round(self.precision, 3),
                "recall": round(self.recall, 3), "f1": round(self.f1, 3)}


# confidence bands the precision of extracted claims is reported in (lower bound included)
BANDS = ((0.8, 1.01), (0.7, 0.8), (0.5, 0.7), (0.0, 0.5))


def band_label(band: tuple[float, float]) -> str:
    """ "0.70-0.80", "0.80-1.00"."""
    return f"{band[0]:.2f}-{min(band[1], 1.0):.2f}"


@dataclass
class Score:
    """Overall and per-type counts, status agreement, precision by confidence band, the triples missed and added."""

    overall: Counts = field(default_factory=Counts)
    by_type: dict[str, Counts] = field(default_factory=lambda: defaultdict(Counts))
    by_band: dict[str, Counts] = field(default_factory=lambda: {band_label(b): Counts() for b in BANDS})
    status_right: int = 0
    status_total: int = 0
    missed: list[Triple] = field(default_factory=list)
    spurious: list[Triple] = field(default_factory=list)

    @property
    def status_accuracy(self) -> float:
        return self.status_right / self.status_total if self.status_total else 0.0

    def as_dict(self) -> dict[str, object]:
        return {"overall": self.overall.as_dict(),
                "by_type": {t: c.as_dict() for t, c in sorted(self.by_type.items())},
                "by_confidence": {b: {"tp": c.tp, "fp": c.fp, "precision": round(c.precision, 3)}
                                  for b, c in self.by_band.items()},
                "status": {"right": self.status_right, "matched": self.status_total,
                           "accuracy": round(self.status_accuracy, 3)},
                "missed": [list(t) for t in self.missed], "spurious": [list(t) for t in self.spurious]}


def _triples(claims: Iterable[Claim], report: str, ontology: Ontology, kinds: dict[str, str],
             scope: frozenset[str] | None) -> dict[Triple, tuple[set[str], float]]:
    """Each (report, subject, type, object) once, with the statuses given and the highest confidence."""
    found: dict[Triple, tuple[set[str], float]] = {}
    for claim in claims:
        if scope is not None and (kinds.get(claim.subject) not in scope or kinds.get(claim.object) not in scope):
            continue
        subject, obj = claim.subject, claim.object
        if ontology.relation_types[claim.type].symmetric and obj < subject:
            subject, obj = obj, subject
        key = (report, subject, claim.type, obj)
        statuses, confidence = found.get(key, (set(), 0.0))
        found[key] = (statuses | {claim.status}, max(confidence, claim.confidence))
    return found


def score(extracted: Mapping[str, Sequence[Claim]], gold: Mapping[str, Sequence[Claim]], ontology: Ontology,
          kinds: dict[str, str], scope: str = "groups-states") -> Score:
    """Score extracted against gold claims, both keyed by report id."""
    allowed = SCOPES[scope]
    result = Score()
    for report in sorted(set(extracted) | set(gold)):
        got = _triples(extracted.get(report, []), report, ontology, kinds, allowed)
        want = _triples(gold.get(report, []), report, ontology, kinds, allowed)
        for triple in sorted(set(got) | set(want)):
            counts = result.by_type[triple[2]]
            band = result.by_band[band_label(next(b for b in BANDS if triple not in got or got[triple][1] >= b[0]))]
            if triple in got and triple in want:
                counts.tp += 1
                band.tp += 1
                result.overall.tp += 1
                result.status_total += 1
                result.status_right += bool(got[triple][0] & want[triple][0])
            elif triple in got:
                counts.fp += 1
                band.fp += 1
                result.overall.fp += 1
                result.spurious.append(triple)
            else:
                counts.fn += 1
                result.overall.fn += 1
                result.missed.append(triple)
    return result


def evaluate_bundle(path: Path, ontology: Ontology, registry: Sequence[Entity], *,
                    scope: str = "groups-states", model: str = DEFAULT_MODEL) -> tuple[Score, int]:
    """Extract every report of a bundle and score it against the bundle's curated claims."""
    batch = read_bundle(path, ontology, known_entities=registry)
    entities = {e.id: e for e in registry}
    entities.update({e.id: e for e in batch.entities})
    extractor = Extractor(ontology, entities.values(), model=model)
    reports = [ReportInput(text=source.text, title=source.title, outlet=source.outlet, outlet_id=source.outlet_id,
                           url=source.url, published=source.published, origin=source.id) for source in batch.sources]
    runs = extractor.run_many(reports, source_ids=[source.id for source in batch.sources])
    extracted = {source.id: run.claims for source, run in zip(batch.sources, runs, strict=True)}
    gold: dict[str, list[Claim]] = defaultdict(list)
    for claim in batch.claims:
        gold[claim.source].append(claim)
    kinds = {e.id: e.kind for e in entities.values()}
    return score(extracted, gold, ontology, kinds, scope), len(batch.sources)


@dataclass
class Throughput:
    """Articles and sentences a second, for the extractor and for the language pipeline alone (the floor)."""

    articles: int
    words: int
    sentences: int
    extractor_seconds: float
    baseline_seconds: float
    model: str

    def as_dict(self) -> dict[str, float | int | str]:
        return {"articles": self.articles, "words_per_article": self.words // max(self.articles, 1),
                "sentences": self.sentences, "model": self.model,
                "extractor_articles_per_s": round(self.articles / self.extractor_seconds, 1),
                "extractor_sentences_per_s": round(self.sentences / self.extractor_seconds, 1),
                "baseline_articles_per_s": round(self.articles / self.baseline_seconds, 1),
                "baseline_sentences_per_s": round(self.sentences / self.baseline_seconds, 1),
                "overhead_percent": round(100 * (self.extractor_seconds / self.baseline_seconds - 1), 1)}


def synthetic_articles(texts: Sequence[str], count: int, words: int = 600, seed: int = 7) -> list[str]:
    """``count`` articles of about ``words`` words, each a fresh shuffle of the given texts' paragraphs."""
    paragraphs = [p.strip() for t in texts for p in t.splitlines() if len(p.split()) >= 8]
    rng = random.Random(seed)  # noqa: S311 - a reproducible sample, not a secret
    articles = []
    for _ in range(count):
        chosen: list[str] = []
        total = 0
        while total < words:
            paragraph = rng.choice(paragraphs)
            chosen.append(paragraph)
            total += len(paragraph.split())
        articles.append("\n\n".join(chosen))
    return articles


def benchmark(extractor: Extractor, articles: Sequence[str], published: str = "2024-06", *,
              repeat: int = 3) -> Throughput:
    """Time the extractor over ``articles`` on one core, and the language pipeline alone on the same paragraphs.

    The floor is what no extractor built on this parse can beat: spaCy's pipeline over every
    paragraph of the articles. Time is the process's CPU time (one core), and each side is
    timed ``repeat`` times with the fastest run kept: on a shared machine wall-clock time and
    the slower runs measure the neighbours.
    """
    paragraphs = [p for a in articles for p in a.split("\n") if p.strip()]
    reports = [ReportInput(text=text, published=published, outlet_id="") for text in articles]
    baseline_seconds = extractor_seconds = float("inf")
    sentences = 0
    for _ in range(repeat):
        start = time.process_time()
        parse_plain(extractor.nlp, paragraphs)
        baseline_seconds = min(baseline_seconds, time.process_time() - start)
        start = time.process_time()
        sentences = sum(run.sentences for run in extractor.run_many(reports))
        extractor_seconds = min(extractor_seconds, time.process_time() - start)
    return Throughput(len(articles), sum(len(a.split()) for a in articles), sentences, extractor_seconds,
                      baseline_seconds, extractor.model)
