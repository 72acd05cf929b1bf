"""Scoring extracted claims against curated ones, and timing the extractor.

Claims match on (subject, type, object), with symmetric types read either way, once per
report: a report that says the same thing in three sentences says it once. Precision,
recall and F1 are given overall and per relation type; the status is scored as a second
figure, on the matched triples (right when an extracted status is one the curators gave).

Actors the registry lacks: the extractor names them by candidate ids of its own
(``Extraction.entities``). A candidate stands for the set's entity whose name or alias its name
or an alias matches (in any case, spelling of hyphens and apostrophes, or transliteration),
else for the entity it proposes a merge into, else for itself (its claims then match nothing);
its claims are scored under that id. The actors section (``ActorScore``) says:
- of the armed groups and states the gold claims name (per report), how many the extraction
  names at all, as an end of a claim or as a candidate entity, existing or new;
- of the merges proposed, how many are right (into the entity the gold means);
- how many extracted claims give an act to another actor: same report, same sentence, same
  relation as a gold claim, one end the gold's and the other a different actor (the gold
  actor's parent, or a neighbour).
``--registry seeds`` keeps the set's own entities from the extractor, so that they are
actors to discover; the default gives them to it, as every figure before this section did.
"""

from __future__ import annotations

import random
import time
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from graph.domain.model import Claim, Entity
from graph.domain.names import AliasIndex
from graph.domain.ontology import Ontology
from graph.language.extract.actors import CandidateEntity, variant_key
from graph.language.extract.pipeline import Extraction, Extractor
from graph.language.extract.text import ReportInput
from graph.language.pipeline import DEFAULT_MODEL, parse_plain
from graph.services.loader import read_bundle

Triple = tuple[str, str, str, str]  # report, subject, type, object
SCOPES = {"groups-states": frozenset({"armed_group", "state"}), "all": None}
REGISTRIES = ("bundle", "seeds")  # what the extractor knows: the seeds and the set's entities, or the seeds only
ACTOR_KINDS = frozenset({"armed_group", "state"})


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
class ActorScore:
    """The actors section: groups and states found, merges right, claims given to another actor."""

    named: int = 0
    found: int = 0
    found_new: int = 0
    missed: list[tuple[str, str]] = field(default_factory=list)  # (report, entity id)
    merges: int = 0
    merges_right: int = 0
    wrong_merges: list[tuple[str, str, str]] = field(default_factory=list)  # (report, candidate name, merged into)
    misattributed: list[dict[str, str]] = field(default_factory=list)
    candidates: int = 0
    matched: int = 0

    @property
    def found_share(self) -> float:
        return self.found / self.named if self.named else 0.0

    def as_dict(self) -> dict[str, object]:
        return {"named": self.named, "found": self.found, "found_share": round(self.found_share, 3),
                "found_existing": self.found - self.found_new, "found_new": self.found_new,
                "missed": [list(m) for m in self.missed],
                "candidate_entities": self.candidates, "candidates_matched": self.matched,
                "merges": {"proposed": self.merges, "right": self.merges_right,
                           "wrong": [list(w) for w in self.wrong_merges]},
                "given_to_another_actor": {"count": len(self.misattributed), "claims": self.misattributed}}


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
    actors: ActorScore | None = None

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
                "missed": [list(t) for t in self.missed], "spurious": [list(t) for t in self.spurious],
                **({"actors": self.actors.as_dict()} if self.actors is not None else {})}


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
                    scope: str = "groups-states", model: str = DEFAULT_MODEL,
                    registry_mode: str = "bundle", trained: bool = True) -> tuple[Score, int]:
    """Extract every report of a bundle and score it against the bundle's curated claims, with the actors section.

    ``registry_mode`` "bundle" gives the extractor the seeds and the set's own entities; "seeds" the seeds only,
    so that the set's entities are actors it must discover (and candidates are matched to them by name).
    ``trained`` False: the rules alone, without the trained relation model (its baseline).
    """
    if registry_mode not in REGISTRIES:
        raise ValueError(f"registry_mode must be one of {REGISTRIES}, not {registry_mode!r}")
    batch = read_bundle(path, ontology, known_entities=registry)
    entities = {e.id: e for e in registry}
    entities.update({e.id: e for e in batch.entities})
    given = entities if registry_mode == "bundle" else {e.id: e for e in registry}
    extractor = Extractor(ontology, given.values(), model=model, relations=None if not trained else True)
    reports = [ReportInput(text=source.text, title=source.title, outlet=source.outlet, outlet_id=source.outlet_id,
                           url=source.url, published=source.published, origin=source.id) for source in batch.sources]
    runs = extractor.run_many(reports, source_ids=[source.id for source in batch.sources])
    gold: dict[str, list[Claim]] = defaultdict(list)
    for claim in batch.claims:
        gold[claim.source].append(claim)
    kinds = {e.id: e.kind for e in entities.values()}
    matcher = _GoldNames(entities.values(), extractor.actors.particles)
    extracted: dict[str, list[Claim]] = {}
    mapped: dict[str, dict[str, str]] = {}
    for source, run in zip(batch.sources, runs, strict=True):
        ids = {e.id: matcher.match(e) for e in run.entities}
        for entity in run.entities:
            kinds.setdefault(ids[entity.id], entity.kind)
        mapped[source.id] = ids
        extracted[source.id] = [_renamed(c, ids) for c in run.claims]
    result = score(extracted, gold, ontology, kinds, scope)
    parents = _parents(batch.claims, entities.values(), runs, mapped, set(ontology.parent_relations))
    result.actors = score_actors(runs, mapped, extracted, gold, ontology, kinds, set(given), parents,
                                 matcher, SCOPES[scope])
    return result, len(batch.sources)


class _GoldNames:
    """The set's entities (seeds and its own) by every name, for telling which one a candidate is."""

    def __init__(self, entities: Iterable[Entity], particles: Iterable[str]) -> None:
        self.index = AliasIndex(entities)
        self.particles = frozenset(particles)
        self.variants: dict[str, set[str]] = defaultdict(set)
        for entity in self.index.entities():
            for name in (entity.name, *(a.name for a in entity.aliases)):
                key = variant_key(name, self.particles)
                if len(key) >= 4:
                    self.variants[key].add(entity.id)

    def by_name(self, entity: CandidateEntity) -> str | None:
        """The set's entity one of the candidate's names is a name of (one only), else None."""
        for name in (entity.name, *entity.aliases):
            readings = {e.id for e in self.index.readings(name)} if self.index.knows(name) else set()
            if len(readings) == 1:
                return readings.pop()
        for name in (entity.name, *entity.aliases):
            found = self.variants.get(variant_key(name, self.particles), set())
            if len(found) == 1:
                return next(iter(found))
        return None

    def match(self, entity: CandidateEntity) -> str:
        """The id a candidate's claims are scored under: the set's entity it names, its merge, or itself."""
        return self.by_name(entity) or entity.merge_into or entity.id


def _renamed(claim: Claim, ids: dict[str, str]) -> Claim:
    if not ids:
        return claim
    subject, obj, by = (ids.get(e, e) for e in (claim.subject, claim.object, claim.asserted_by))
    return claim.model_copy(update={"subject": subject, "object": obj, "asserted_by": by})


def _parents(gold: Iterable[Claim], entities: Iterable[Entity], runs: Sequence[Extraction],
             mapped: dict[str, dict[str, str]], parent_types: Collection[str]) -> dict[str, set[str]]:
    """Who is whose parent, by the gold's claims of the ontology's parent relations, the entities' own
    ``parent`` (where the model has one) and the candidates' parents: to tell a claim given to a parent."""
    parents: dict[str, set[str]] = defaultdict(set)
    for claim in gold:
        if claim.type in parent_types:
            parents[claim.subject].add(claim.object)
    for entity in entities:
        parent = getattr(entity, "parent", None)
        if isinstance(parent, str):
            parents[entity.id].add(parent)
    for run in runs:
        ids = mapped.get(run.source_id, {})
        for candidate in run.entities:
            if candidate.parent:
                parents[ids.get(candidate.id, candidate.id)].add(ids.get(candidate.parent, candidate.parent))
    return parents


def score_actors(runs: Sequence[Extraction], mapped: dict[str, dict[str, str]], extracted: dict[str, list[Claim]],
                 gold: dict[str, list[Claim]], ontology: Ontology, kinds: dict[str, str], known: set[str],
                 parents: dict[str, set[str]], matcher: _GoldNames,
                 scope: frozenset[str] | None) -> ActorScore:
    """The actors section of a score (see the module docstring)."""
    result = ActorScore()
    for run in runs:
        report = run.source_id
        ids = mapped.get(report, {})
        named = {e for c in gold.get(report, []) for e in (c.subject, c.object) if kinds.get(e) in ACTOR_KINDS}
        output = {e for c in extracted.get(report, []) for e in (c.subject, c.object)} | set(ids.values())
        new = set(ids.values()) - known
        for actor in sorted(named):
            result.named += 1
            if actor in output:
                result.found += 1
                result.found_new += actor in new
            else:
                result.missed.append((report, actor))
        result.candidates += len(run.entities)
        gold_actors = {e for c in gold.get(report, []) for e in (c.subject, c.object)}
        for candidate in run.entities:
            by_name = matcher.by_name(candidate)
            result.matched += by_name is not None
            if candidate.merge_into is None:
                continue
            result.merges += 1
            right = candidate.merge_into == by_name if by_name is not None else candidate.merge_into in gold_actors
            result.merges_right += right
            if not right:
                result.wrong_merges.append((report, candidate.name, candidate.merge_into))
        result.misattributed.extend(given_to_another(report, extracted.get(report, []), gold.get(report, []),
                                                      ontology, kinds, parents, scope))
    return result


def given_to_another(report: str, extracted: Sequence[Claim], gold: Sequence[Claim], ontology: Ontology,
                      kinds: dict[str, str], parents: dict[str, set[str]],
                      scope: frozenset[str] | None) -> list[dict[str, str]]:
    """Extracted claims of a sentence and relation the gold has, with one end the gold's and the other another
    actor: the act given to the gold actor's parent, or to a neighbour."""
    def ends(claim: Claim) -> tuple[str, str]:
        if ontology.relation_types[claim.type].symmetric and claim.object < claim.subject:
            return claim.object, claim.subject
        return claim.subject, claim.object

    def in_scope(claim: Claim) -> bool:
        return scope is None or (kinds.get(claim.subject) in scope and kinds.get(claim.object) in scope)

    wanted = {(c.type, *ends(c)) for c in gold}
    found: list[dict[str, str]] = []
    seen: set[tuple[str, str, str]] = set()
    for claim in extracted:
        subject, obj = ends(claim)
        if (claim.type, subject, obj) in wanted or not in_scope(claim) or (claim.type, subject, obj) in seen:
            continue
        for truth in gold:
            if truth.type != claim.type or not in_scope(truth) or not _overlap(truth.span, claim.span):
                continue
            gold_subject, gold_object = ends(truth)
            if subject == gold_subject and obj != gold_object:
                wrong, right, end = obj, gold_object, "object"
            elif obj == gold_object and subject != gold_subject:
                wrong, right, end = subject, gold_subject, "subject"
            else:
                continue
            seen.add((claim.type, subject, obj))
            found.append({"report": report, "claim": f"{subject} {claim.type} {obj}",
                          "gold": f"{gold_subject} {truth.type} {gold_object}", "end": end, "given_to": wrong,
                          "instead_of": right, "as": "parent" if wrong in parents.get(right, set()) else "neighbour"})
            break
    return found


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return max(a[0], b[0]) < min(a[1], b[1])


@dataclass
class Throughput:
    """Articles and sentences a second, for the extractor and for the language pipeline alone (the floor)."""

    articles: int
    words: int
    sentences: int
    extractor_seconds: float
    baseline_seconds: float
    model: str
    rules_seconds: float | None = None  # the same extractor without its trained relation model, if timed

    def as_dict(self) -> dict[str, float | int | str]:
        rules = {} if self.rules_seconds is None else {
            "rules_articles_per_s": round(self.articles / self.rules_seconds, 1),
            "rules_sentences_per_s": round(self.sentences / self.rules_seconds, 1),
            "model_cost_percent": round(100 * (self.extractor_seconds / self.rules_seconds - 1), 1)}
        return {**rules, "articles": self.articles, "words_per_article": self.words // max(self.articles, 1),
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
              repeat: int = 3, rules: Extractor | None = None) -> Throughput:
    """Time the extractor over ``articles`` on one core, and the language pipeline alone on the same paragraphs.

    The floor is what no extractor built on this parse can beat: spaCy's pipeline over every
    paragraph of the articles. Time is the process's CPU time (one core), and each side is
    timed ``repeat`` times with the fastest run kept: on a shared machine wall-clock time and
    the slower runs measure the neighbours. ``rules``: the same extractor without the trained relation
    model, timed in the same rounds, so the model's cost is measured beside its baseline in one run.
    """
    paragraphs = [p for a in articles for p in a.split("\n") if p.strip()]
    reports = [ReportInput(text=text, published=published, outlet_id="") for text in articles]
    baseline_seconds = extractor_seconds = rules_seconds = float("inf")
    sentences = 0
    for _ in range(repeat):
        if rules is not None:
            start = time.process_time()
            rules.run_many(reports)
            rules_seconds = min(rules_seconds, time.process_time() - start)
        start = time.process_time()
        parse_plain(extractor.nlp, paragraphs)
        baseline_seconds = min(baseline_seconds, time.process_time() - start)
        start = time.process_time()
        sentences = sum(run.sentences for run in extractor.run_many(reports))
        extractor_seconds = min(extractor_seconds, time.process_time() - start)
    return Throughput(len(articles), sum(len(a.split()) for a in articles), sentences, extractor_seconds,
                      baseline_seconds, extractor.model, rules_seconds if rules is not None else None)
