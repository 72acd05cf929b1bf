"""Training and cross-validating the relation model from the gold sets the roles allow.

``collect`` parses every report of the sets whose role in ``evaluation/sets.yaml`` is training or
development (a blind set is refused by name, never opened), builds the candidate pairs, their
features and the rules' claims, and labels each pair from the gold: a gold claim's quote names
its sentence, and the pair in that sentence whose ends are the claim's takes its type
(a symmetric type labels both orders). A pair whose ends a gold claim of the report joins in
another sentence is left out of training: the gold codes one sentence per triple, and the
restatement is not a negative.

``fit`` trains the logistic regression; ``out_of_fold`` and ``nested`` cross-validate with folds
grouped by report or by outlet (``folds``: no report, or no outlet, is on both sides of a fold) and
score triples per report exactly as ``kg eval`` does, with the threshold and calibration of each
fold chosen on the other folds only.

Training is deterministic: reports are read in the order of their ids, the vocabulary and classes
are sorted, folds come from hashes of the report or outlet names, the solver runs on one BLAS
thread and the config's seed is the only seed; so ``kg train --check`` rebuilds the shipped model
exactly, and the model's version is a hash of the data, the config and the parser only.
"""

from __future__ import annotations

import hashlib
import random
import urllib.parse
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from graph.domain.errors import KgError
from graph.domain.model import Entity
from graph.domain.ontology import Ontology
from graph.language.extract.pipeline import Extractor
from graph.language.extract.text import ReportInput
from graph.language.learn.candidates import ACTOR_KINDS, pairs_of
from graph.language.learn.features import CueIndex, marked, pair_features
from graph.language.learn.model import FORMAT, NONE, Calibration, RelationModel, fingerprint
from graph.language.learn.reader import rule_votes, triple_of
from graph.language.pipeline import DEFAULT_MODEL
from graph.services.loader import read_bundle

Triple = tuple[str, str, str]
CONFIG = Path(__file__).resolve().parent.parent / "language" / "learn" / "relclf.yaml"
GRID = [round(0.05 * i, 2) for i in range(2, 20)]


@dataclass
class PairRow:
    """One candidate pair of the training data."""

    set_name: str
    report: str
    features: list[str]
    label: str | None  # a type, NONE, or None (left out of training)
    subject: str
    object: str
    subject_kind: str
    object_kind: str
    sentence_start: int
    text: str  # the sentence with both ends marked, for the encoder
    outlet: str = ""


@dataclass
class ReportRow:
    """What one report's gold says and its rules read, between actors."""

    set_name: str
    report: str
    gold: set[Triple]
    rules: dict[Triple, tuple[float, tuple[int, str, str] | None]]  # confidence, the pair that carries it
    outlet: str = ""


@dataclass
class Corpus:
    """The training data: pairs, reports, and the hash of what they were read from."""

    pairs: list[PairRow] = field(default_factory=list)
    reports: list[ReportRow] = field(default_factory=list)
    data_hash: str = ""
    sets: list[str] = field(default_factory=list)


def training_sets(evaluation: Path, roles: Iterable[str], hold_out: Iterable[str] = ()) -> list[str]:
    """The claims sets whose role is one of ``roles``, less those held out; a blind role is never allowed."""
    wanted = set(roles)
    if "blind" in wanted:
        raise KgError("training never reads a blind set: remove `blind` from the config's roles")
    table = yaml.safe_load((evaluation / "sets.yaml").read_text(encoding="utf-8"))["claims"]
    held = set(hold_out)
    unknown = sorted(held - set(table))
    if unknown:
        raise KgError(f"the config's hold_out names sets evaluation/sets.yaml lacks: {', '.join(unknown)}")
    return sorted(name for name, info in table.items() if info.get("role") in wanted and name not in held
                  and (evaluation / "claims" / name).is_dir())


def config_sets(evaluation: Path, config: dict[str, Any]) -> list[str]:
    """The sets a config trains on (its ``roles`` less its ``hold_out``)."""
    return training_sets(evaluation, config["roles"], config.get("hold_out") or ())


def data_hash(evaluation: Path, sets: Sequence[str]) -> str:
    """The sha256 of every file of these sets (names and contents): what the model's version says it read."""
    return _hash_files([p for name in sets for p in (evaluation / "claims" / name).rglob("*") if p.is_file()],
                       evaluation)


def model_version(data_sha256: str, config_text: str, spacy_model: str) -> str:
    """The model's version: a hash of the data, the config, the parser and the model file's format, nothing else (so
    equal inputs, equal versions, and ``kg train --check`` compares the coefficients under the same version; a new
    format, which reads the same data differently, is a new version)."""
    return fingerprint(data_sha256, fingerprint(config_text), spacy_model, f"format {FORMAT}")[:10]


def _hash_files(paths: Iterable[Path], root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def outlet_group(url: str | None, outlet: str | None) -> str:
    """The outlet a report is grouped by in cross-validation: the host of the reporting it paraphrases (the gold
    sets name themselves as the outlet, and the url says whose reporting it was), else its outlet."""
    host = (urllib.parse.urlsplit(url).hostname or "") if url else ""
    host = host.removeprefix("www.").removeprefix("m.")
    return host or outlet or "unknown-outlet"


def collect(evaluation: Path, ontology: Ontology, registry: Sequence[Entity], sets: Sequence[str], *,
            model: str | None = None, progress: Callable[[str], None] | None = None,
            max_reports: int | None = None) -> Corpus:
    """Parse the named sets' reports and build their labelled pairs and per-report gold and rules.

    ``max_reports``: read only the first this many reports of each set, by id (a small slice, for tests)."""
    corpus = Corpus(sets=list(sets))
    cues = CueIndex(ontology)
    for set_name in sets:
        path = evaluation / "claims" / set_name
        batch = read_bundle(path, ontology, known_entities=registry)
        batch.sources = sorted(batch.sources, key=lambda s: s.id)[:max_reports]
        entities = {e.id: e for e in registry}
        entities.update({e.id: e for e in batch.entities})
        kinds = {e.id: e.kind for e in entities.values()}
        extractor = Extractor(ontology, entities.values(), relations=None, model=model or DEFAULT_MODEL)
        reports = [ReportInput(text=s.text, title=s.title, outlet=s.outlet, outlet_id=s.outlet_id, url=s.url,
                               published=s.published, origin=s.id) for s in batch.sources]
        parsed = extractor.parse(reports)
        gold_by_report: dict[str, list[Any]] = defaultdict(list)
        for claim in batch.claims:
            gold_by_report[claim.source].append(claim)
        for source, report in zip(batch.sources, parsed, strict=True):
            reading = extractor.rules(report, source.id)
            outlet = outlet_group(source.url, source.outlet_id or source.outlet)
            gold = [c for c in gold_by_report[source.id]
                    if kinds.get(c.subject) in ACTOR_KINDS and kinds.get(c.object) in ACTOR_KINDS]
            gold_triples = {triple_of(ontology, c.subject, c.type, c.object) for c in gold}
            joined = {frozenset((c.subject, c.object)) for c in gold}
            pairs = pairs_of(reading.sentences)
            pair_keys = {p.key for p in pairs}
            labels: dict[tuple[int, str, str], str] = {}
            for sentence in reading.sentences:
                norm = " ".join(sentence.text.split())
                for claim in gold:
                    quote = " ".join(claim.quote.split())
                    if not (norm in quote or quote in norm):
                        continue
                    ends = [(claim.subject, claim.object)]
                    if ontology.relation_types[claim.type].symmetric:
                        ends.append((claim.object, claim.subject))
                    for s, o in ends:
                        key = (sentence.start, s, o)
                        if key in pair_keys and (key not in labels or claim.type < labels[key]):
                            labels[key] = claim.type
            votes = rule_votes(reading.claims, ontology)
            for pair in pairs:
                label: str | None = labels.get(pair.key, NONE)
                reverse = (pair.key[0], pair.key[2], pair.key[1])
                if label == NONE and reverse not in labels and \
                        frozenset((pair.subject.entity_id, pair.object.entity_id)) in joined:
                    label = None  # said in another sentence the gold quotes: not a negative
                corpus.pairs.append(PairRow(set_name, source.id, pair_features(pair, cues, votes), label,
                                            pair.subject.entity_id, pair.object.entity_id, pair.subject.kind,
                                            pair.object.kind, pair.sentence.start, marked(pair), outlet))
            ruled: dict[Triple, tuple[float, tuple[int, str, str] | None]] = {}
            for claim in reading.claims:
                if kinds.get(claim.subject) not in ACTOR_KINDS or kinds.get(claim.object) not in ACTOR_KINDS:
                    continue
                triple = triple_of(ontology, claim.subject, claim.type, claim.object)
                carrier: tuple[int, str, str] | None = None
                if claim.span is not None and claim.type != ontology.denial_type:
                    start = claim.span[0]
                    for k in ((start, claim.subject, claim.object), (start, claim.object, claim.subject)):
                        if k in pair_keys:
                            carrier = k
                            break
                if triple not in ruled or claim.confidence > ruled[triple][0]:
                    ruled[triple] = (claim.confidence, carrier)
            corpus.reports.append(ReportRow(set_name, source.id, gold_triples, ruled, outlet))
        if progress:
            progress(f"{set_name}: {len(batch.sources)} reports read")
    corpus.data_hash = data_hash(evaluation, sets)
    return corpus


# --- fitting ------------------------------------------------------------------------------


def _vectorize(rows: Sequence[Sequence[str]], vocabulary: dict[str, int]) -> Any:
    from scipy.sparse import csr_matrix  # noqa: PLC0415 - scikit-learn's dependency, needed only to train

    indptr, indices = [0], []
    for row in rows:
        cols = sorted({vocabulary[f] for f in row if f in vocabulary})
        indices += cols
        indptr.append(len(indices))
    return csr_matrix((np.ones(len(indices)), indices, indptr), shape=(len(rows), len(vocabulary)))


def _keep(features: Sequence[str], use_rules: bool) -> list[str]:
    return list(features) if use_rules else [f for f in features if not f.startswith("rule")]


@dataclass
class Fitted:
    """A fitted classifier over sparse features and, optionally, sentence embeddings."""

    classes: list[str]
    vocabulary: list[str]
    coef: np.ndarray
    intercept: np.ndarray
    use_rules: bool = True
    dense: int = 0

    def probabilities(self, rows: Sequence[PairRow], embeddings: np.ndarray | None = None) -> np.ndarray:
        index = {f: i for i, f in enumerate(self.vocabulary)}
        x = _vectorize([_keep(r.features, self.use_rules) for r in rows], index)
        scores = np.asarray(x @ self.coef[:, :len(self.vocabulary)].T) + self.intercept
        if self.dense and embeddings is not None:
            scores += embeddings @ self.coef[:, len(self.vocabulary):].T
        scores -= scores.max(axis=1, keepdims=True)
        exp = np.exp(scores)
        return np.asarray(exp / exp.sum(axis=1, keepdims=True))


def fit(rows: Sequence[PairRow], config: dict[str, Any], *, use_rules: bool = True, sparse: bool = True,
        embeddings: np.ndarray | None = None) -> Fitted:
    """Logistic regression on the labelled pairs (``embeddings``: one row per pair, beside or instead of sparse)."""
    from scipy.sparse import csr_matrix, hstack  # noqa: PLC0415
    from sklearn.linear_model import LogisticRegression  # noqa: PLC0415 - training only, never at run time

    labelled = [i for i, r in enumerate(rows) if r.label is not None]
    counts = Counter(rows[i].label for i in labelled)
    classes = sorted(c for c, n in counts.items() if c is not None and (c == NONE or n >= config["min_class_examples"]))
    if NONE not in classes:
        classes.insert(0, NONE)
    y = [rows[i].label if rows[i].label in classes else NONE for i in labelled]
    vocabulary: list[str] = []
    if sparse:
        seen = Counter(f for i in labelled for f in set(_keep(rows[i].features, use_rules)))
        vocabulary = sorted(f for f, n in seen.items() if n >= config["min_feature_count"])
    x = _vectorize([_keep(rows[i].features, use_rules) for i in labelled], {f: j for j, f in enumerate(vocabulary)})
    dense = 0
    if embeddings is not None:
        dense = embeddings.shape[1]
        x = hstack([x, csr_matrix(embeddings[labelled])], format="csr")
    from threadpoolctl import threadpool_limits  # noqa: PLC0415 - scikit-learn's dependency

    clf = LogisticRegression(C=float(config["C"]), max_iter=int(config["max_iter"]), random_state=int(config["seed"]))
    with threadpool_limits(limits=1):  # one BLAS thread: the same sums in the same order, the same coefficients
        clf.fit(x, y)
    coef, intercept = np.asarray(clf.coef_), np.asarray(clf.intercept_)
    if len(clf.classes_) == 2:  # one row for the second class: as softmax rows, the first class's is zero
        coef = np.vstack([np.zeros_like(coef[0]), coef[0]])
        intercept = np.array([0.0, intercept[0]])
    order = [list(clf.classes_).index(c) for c in classes if c in clf.classes_]
    return Fitted([c for c in classes if c in clf.classes_], vocabulary, coef[order], intercept[order], use_rules,
                  dense)


def isotonic(scores: Sequence[float], right: Sequence[bool]) -> Calibration:
    """An isotonic map from raw scores to the share right, as a short list of points."""
    from sklearn.isotonic import IsotonicRegression  # noqa: PLC0415

    if len(set(right)) < 2:
        return Calibration()
    iso = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip").fit(list(scores), [float(r) for r in right])
    xs = [round(float(v), 6) for v in iso.X_thresholds_]
    ys = [round(float(v), 6) for v in iso.y_thresholds_]
    return Calibration(xs, ys)


# --- cross-validation ---------------------------------------------------------------------


@dataclass
class Scored:
    """Per report: the model's best raw score for each triple it proposes, and the rules' triples scored."""

    proposed: dict[str, dict[Triple, float]]
    rule_scores: dict[str, dict[Triple, float | None]]  # the model's raw score for a rules' triple (None: no pair)


def score_pairs(rows: Sequence[PairRow], probs: np.ndarray, classes: Sequence[str], ontology: Ontology,
                reports: Sequence[ReportRow]) -> Scored:
    """Turn pair probabilities into triple scores per report, as the reader does at run time."""
    proposed: dict[str, dict[Triple, float]] = defaultdict(dict)
    by_pair: dict[tuple[str, int, str, str], dict[str, float]] = {}
    types = [c for c in classes if c != NONE]
    for row, p in zip(rows, probs, strict=True):
        probs_row = {c: float(v) for c, v in zip(classes, p, strict=True) if c != NONE}
        by_pair[(row.report, row.sentence_start, row.subject, row.object)] = probs_row
        if not types:
            continue
        best = max(types, key=lambda t: probs_row[t])
        rel = ontology.relation_types[best]
        ok = (row.subject_kind in rel.subject_kinds and row.object_kind in rel.object_kinds) or (
            rel.symmetric and row.object_kind in rel.subject_kinds and row.subject_kind in rel.object_kinds)
        if not ok:
            continue
        triple = triple_of(ontology, row.subject, best, row.object)
        seen = proposed[row.report]
        seen[triple] = max(seen.get(triple, 0.0), probs_row[best])
    rule_scores: dict[str, dict[Triple, float | None]] = defaultdict(dict)
    for report in reports:
        for triple, (_, key) in report.rules.items():
            found = by_pair.get((report.report, *key)) if key is not None else None
            rule_scores[report.report][triple] = found.get(triple[1]) if found is not None else None
    return Scored(proposed, rule_scores)


@dataclass(frozen=True)
class Calibrations:
    """The three maps from a score to the share right (see ``RelationModel``): the model's proposals, the model's
    score of the rules' triples, the rules' own confidence where the model has no pair."""

    proposed: Calibration
    rules: Calibration
    voted: Calibration


def predict(reports: Sequence[ReportRow], scored: Scored, policy: str, threshold: float,
            maps: Calibrations) -> dict[str, dict[Triple, float]]:
    """The triples the extractor outputs per report under a policy, with their confidence."""
    out: dict[str, dict[Triple, float]] = {}
    for report in reports:
        got: dict[Triple, float] = {}
        if policy in ("rules", "union", "model"):
            for triple, (confidence, _) in report.rules.items():
                raw = scored.rule_scores.get(report.report, {}).get(triple)
                if raw is None:  # read across sentences, or a type the model has no class for: the rules' own
                    got[triple] = maps.rules(confidence) if policy != "rules" else confidence
                    continue
                value = maps.voted(raw)
                if policy == "model" and value < threshold:
                    continue
                got[triple] = value if policy != "rules" else confidence
        if policy in ("union", "model", "model-only"):
            for triple, raw in scored.proposed.get(report.report, {}).items():
                value = maps.proposed(raw)
                if value >= threshold and triple not in got:
                    got[triple] = value
        out[report.report] = got
    return out


@dataclass
class Tally:
    """Triple counts overall and per type."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    by_type: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0, 0]))

    def figures(self) -> dict[str, float]:
        return _prf(self.tp, self.fp, self.fn)


def _prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return {"tp": tp, "fp": fp, "fn": fn, "precision": round(p, 3), "recall": round(r, 3),
            "f1": round(2 * p * r / (p + r), 3) if p + r else 0.0}


def tally(reports: Sequence[ReportRow], predicted: dict[str, dict[Triple, float]]) -> Tally:
    """Score predicted triples against each report's gold, once per report, as ``kg eval`` does."""
    result = Tally()
    for report in reports:
        got = set(predicted.get(report.report, {}))
        for triple in got | report.gold:
            cell = result.by_type[triple[1]]
            if triple in got and triple in report.gold:
                result.tp += 1
                cell[0] += 1
            elif triple in got:
                result.fp += 1
                cell[1] += 1
            else:
                result.fn += 1
                cell[2] += 1
    return result


def _calibration_data(reports: Sequence[ReportRow], scored: Scored) -> dict[str, tuple[list[float], list[bool]]]:
    """Scores and whether each was right, apart for the three maps: a model proposal the rules did not read (the
    only ones the policy can add), the model's score of a triple the rules read, the rules' own confidence of one
    the model has no pair for."""
    data: dict[str, tuple[list[float], list[bool]]] = {"proposed": ([], []), "voted": ([], []), "rules": ([], [])}

    def add(which: str, value: float, right: bool) -> None:
        data[which][0].append(value)
        data[which][1].append(right)

    for report in reports:
        for triple, raw in scored.proposed.get(report.report, {}).items():
            if triple not in report.rules:
                add("proposed", raw, triple in report.gold)
        for triple, (confidence, key) in report.rules.items():
            rule_raw = scored.rule_scores.get(report.report, {}).get(triple)
            if rule_raw is not None:
                add("voted", rule_raw, triple in report.gold)
            elif key is None:
                add("rules", confidence, triple in report.gold)
    return data


def choose(reports: Sequence[ReportRow], scored: Scored, policy: str,
           floor: float = 0.0) -> tuple[float, Calibrations]:
    """Calibration fitted on these reports' out-of-fold scores, and the threshold from ``floor`` up that maximises
    their F1 (a floor keeps the model from adding claims it is more likely wrong than right about)."""
    data = _calibration_data(reports, scored)
    maps = Calibrations(isotonic(*data["proposed"]), isotonic(*data["rules"]), isotonic(*data["voted"]))
    if policy == "rules":
        return 1.0, maps
    grid = [t for t in GRID if t >= floor] or [max(GRID)]
    best = max(grid, key=lambda t: (tally(reports, predict(reports, scored, policy, t, maps)).figures()["f1"], -t))
    return best, maps


@dataclass
class CrossValidation:
    """Out-of-fold scores of one system, ready to be read under any policy, with the folds that made them."""

    scored: Scored
    system: str
    folds: dict[str, str] = field(default_factory=dict)  # report -> fold


GROUPINGS = ("report", "outlet", "set")


def _rank(name: str, seed: int) -> str:
    return hashlib.sha256(f"{seed}:{name}".encode()).hexdigest()


def make_folds(corpus: Corpus, by: str, k: int, seed: int) -> dict[str, str]:
    """Each report's fold, grouped ``by`` report, outlet or set: every report of a group is in one fold.

    Groups are dealt, in the order of a seeded hash of their names, to the fold with the fewest reports so far (the
    largest groups first), so the folds are balanced and the same on every machine. ``set``: one fold per set."""
    if by not in GROUPINGS:
        raise KgError(f"cross-validation groups by one of {', '.join(GROUPINGS)}, not {by!r}")
    if by == "set":
        return {r.report: r.set_name for r in corpus.reports}
    members: dict[str, list[str]] = defaultdict(list)
    for report in corpus.reports:
        members[report.report if by == "report" else report.outlet].append(report.report)
    if len(members) < 2:
        raise KgError(f"cross-validation by {by} needs two {by}s or more; the data has {len(members)}")
    k = max(2, min(k, len(members)))
    sizes = [0] * k
    folds: dict[str, str] = {}
    for group in sorted(members, key=lambda g: (-len(members[g]), _rank(g, seed))):
        fold = min(range(k), key=lambda f: (sizes[f], f))
        sizes[fold] += len(members[group])
        for name in members[group]:
            folds[name] = f"{by}-fold-{fold + 1}"
    return folds


def out_of_fold(corpus: Corpus, config: dict[str, Any], ontology: Ontology, folds: dict[str, str], *,
                use_rules: bool = True, sparse: bool = True, embeddings: np.ndarray | None = None,
                fraction: float = 1.0, system: str = "") -> CrossValidation:
    """Each fold's pairs scored by a model trained on the other folds' (a ``fraction`` of their reports, drawn with
    the config's seed)."""
    proposed: dict[str, dict[Triple, float]] = {}
    rule_scores: dict[str, dict[Triple, float | None]] = {}
    for held in sorted(set(folds.values())):
        train_idx = [i for i, r in enumerate(corpus.pairs) if folds[r.report] != held]
        if fraction < 1.0:
            reports = sorted({corpus.pairs[i].report for i in train_idx})
            rng = random.Random(int(config["seed"]))  # noqa: S311 - a reproducible sample
            chosen = set(rng.sample(reports, max(1, round(fraction * len(reports)))))
            train_idx = [i for i in train_idx if corpus.pairs[i].report in chosen]
        test_idx = [i for i, r in enumerate(corpus.pairs) if folds[r.report] == held]
        fitted = fit([corpus.pairs[i] for i in train_idx], config, use_rules=use_rules, sparse=sparse,
                     embeddings=embeddings[train_idx] if embeddings is not None else None)
        probs = fitted.probabilities([corpus.pairs[i] for i in test_idx],
                                     embeddings[test_idx] if embeddings is not None else None)
        held_reports = [r for r in corpus.reports if folds[r.report] == held]
        part = score_pairs([corpus.pairs[i] for i in test_idx], probs, fitted.classes, ontology, held_reports)
        proposed.update(part.proposed)
        rule_scores.update(part.rule_scores)
    return CrossValidation(Scored(proposed, rule_scores), system, folds)


def nested(corpus: Corpus, cv: CrossValidation, policy: str,
           floor: float = 0.0) -> tuple[Tally, list[tuple[float, bool]]]:
    """Each fold scored with the threshold and calibration chosen on the other folds' out-of-fold scores;
    also every output triple's confidence and whether it was right (for the reliability table)."""
    total = Tally()
    confidences: list[tuple[float, bool]] = []
    for held in sorted(set(cv.folds.values())):
        others = [r for r in corpus.reports if cv.folds[r.report] != held]
        mine = [r for r in corpus.reports if cv.folds[r.report] == held]
        threshold, maps = choose(others, cv.scored, policy, floor)
        predicted = predict(mine, cv.scored, policy, threshold, maps)
        part = tally(mine, predicted)
        total.tp += part.tp
        total.fp += part.fp
        total.fn += part.fn
        for t, cell in part.by_type.items():
            for k in range(3):
                total.by_type[t][k] += cell[k]
        gold = {r.report: r.gold for r in mine}
        confidences += [(value, triple in gold[report]) for report, got in predicted.items()
                        for triple, value in got.items()]
    return total, confidences


def reliability(confidences: Sequence[tuple[float, bool]],
                bands: Sequence[tuple[float, float]] = ((0.0, 0.3), (0.3, 0.5), (0.5, 0.6), (0.6, 0.7), (0.7, 0.8),
                                                        (0.8, 0.9), (0.9, 1.01))) -> list[dict[str, Any]]:
    """Per confidence band: how many claims, their mean confidence and the share right."""
    rows = []
    for low, high in bands:
        inside = [(c, r) for c, r in confidences if low <= c < high]
        if not inside:
            continue
        mean = sum(c for c, _ in inside) / len(inside)
        right = sum(r for _, r in inside) / len(inside)
        rows.append({"band": f"{low:.1f}-{min(high, 1.0):.1f}", "claims": len(inside),
                     "mean_confidence": round(mean, 3), "share_right": round(right, 3), "gap": round(right - mean, 3)})
    return rows


# --- the shipped model --------------------------------------------------------------------


@dataclass
class Figures:
    """One grouping's cross-validated figures: per policy, P/R/F1 and the reliability of the confidence."""

    by: str
    folds: int
    systems: dict[str, dict[str, float]]
    reliability: list[dict[str, Any]]  # of the shipped policy

    def as_dict(self) -> dict[str, Any]:
        return {"by": self.by, "folds": self.folds, "systems": self.systems, "reliability": self.reliability}


def cross_validate(corpus: Corpus, config: dict[str, Any], ontology: Ontology, by: str) -> tuple[CrossValidation,
                                                                                                  Figures]:
    """Out-of-fold scores grouped ``by`` report or outlet, and the rules alone, the model alone and the shipped
    policy read from them (each fold's threshold and calibration chosen on the other folds)."""
    folds = make_folds(corpus, by, int(config.get("folds", 5)), int(config["seed"]))
    cv = out_of_fold(corpus, config, ontology, folds, system=by)
    systems: dict[str, dict[str, float]] = {}
    reliable: list[dict[str, Any]] = []
    policy = str(config["policy"])
    for name in dict.fromkeys(("rules", "model-only", policy)):
        tallied, confidences = nested(corpus, cv, name, float(config.get("min_threshold", 0.0)))
        systems[name] = tallied.figures()
        if name == policy:
            reliable = reliability(confidences)
    return cv, Figures(by, len(set(folds.values())), systems, reliable)


def train(corpus: Corpus, config: dict[str, Any], ontology: Ontology, *, config_text: str,
          spacy_model: str) -> tuple[RelationModel, list[Figures]]:
    """The shipped model: fitted on every pair, calibrated and thresholded on the out-of-fold scores of the
    cross-validation grouped by the config's ``calibrate_by``; the figures of every grouping the config's
    ``cross_validate`` lists."""
    figures: list[Figures] = []
    calibrate_by = str(config.get("calibrate_by", "report"))
    groupings = list(dict.fromkeys([calibrate_by, *config.get("cross_validate", [])]))
    chosen: CrossValidation | None = None
    for by in groupings:
        cv, figure = cross_validate(corpus, config, ontology, by)
        figures.append(figure)
        if by == calibrate_by:
            chosen = cv
    assert chosen is not None
    policy = str(config["policy"])
    threshold, maps = choose(corpus.reports, chosen.scored, policy, float(config.get("min_threshold", 0.0)))
    fitted = fit(corpus.pairs, config)
    model = RelationModel(fitted.classes, fitted.vocabulary, fitted.coef, fitted.intercept,
                          maps.proposed, maps.rules, maps.voted, threshold, policy, {})
    model.provenance = {
        "version": model_version(corpus.data_hash, config_text, spacy_model),
        "data_sha256": corpus.data_hash, "config_sha256": fingerprint(config_text), "sets": corpus.sets,
        "pairs": len(corpus.pairs), "labelled": sum(r.label is not None for r in corpus.pairs),
        "positives": sum(r.label not in (None, NONE) for r in corpus.pairs), "spacy_model": spacy_model,
        "cross_validation": {f.by: {"folds": f.folds, **f.systems[policy]} for f in figures}}
    return model, figures
