"""Training the question reader's intent-and-slot model: generated questions, the development sets, the fit.

``generate`` writes questions the way analysts type them from the ontology's phrasings (each relation
type's, each category's and the other shapes', plus yes/no, counts, "which" and chains through "the group
that"/"those who" derived from them) filled with the seed registry's names and aliases, in styles drawn at
random (lower case, no question mark, a typo, terse without the question word, a time, the name first, a
command). Each is labelled with the query the shape functions read from its clean phrasing (a phrasing they
do not read whole, or read with other names than those filled, is left out and counted), so a label is
always a query the answerer runs. It is seeded and deterministic: the same ontology, registry, parser and
config write the same file.

``development`` adds the questions of the sets whose role in ``evaluation/sets.yaml`` is development (a
blind set is refused by name, never opened), each labelled with the shape functions' reading where it was
right. ``fit`` trains the four decisions (``graph.language.ask.intent``) with scikit-learn's logistic
regression on one thread; the shipped model is plain JSON run with numpy.

``cross_validate`` scores the shape functions alone, the trained reader alone and both combined on each
development set with a model trained without that set, exactly as ``kg ask-eval`` scores answers.
"""

from __future__ import annotations

import json
import random
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from graph.domain.errors import KgError
from graph.domain.model import Entity
from graph.domain.ontology import Ontology
from graph.language.ask import ask
from graph.language.ask.answer import run
from graph.language.ask.evaluate import Question, check, read_questions, score
from graph.language.ask.intent import (
    HEADS,
    IntentModel,
    intent_label,
    relation_label,
    roles_of,
    via_label,
)
from graph.language.ask.model import AskQuery
from graph.language.ask.parse import QuestionReader
from graph.language.learn.model import Calibration, RelationModel, fingerprint
from graph.stores.protocol import GraphStore

CONFIG = Path(__file__).resolve().parent.parent / "language" / "ask" / "intent.yaml"
DATA = Path("intent") / "generated.jsonl"  # under evaluation/
ACTORS = ("armed_group", "state", "person")
ASSERTERS = ("person", "organization", "state")
_OPENING = re.compile(r"^(who|what|whom) (does|did|is|are|has|was) \{x\} (.+)$")
_TERSE = re.compile(r"^(who|what|which|whom)( (is|are|does|do|did|has|have|was|were))? ")
_PLURAL = {"state": "states", "armed_group": "groups", "person": "people", "community": "communities",
           "organization": "organisations"}
CHAIN_SPREAD = 3  # each outer relation is chained with every third inner one: chains stay a few hundred questions
STYLES = ("lower", "bare", "typo", "terse", "time", "topic", "command")


@dataclass(frozen=True)
class Template:
    """A phrasing with slots, the kinds each slot takes, and where it came from."""

    text: str
    x: tuple[str, ...]
    y: tuple[str, ...] = ()
    origin: str = ""


@dataclass
class Example:
    """A question and the query it asks (the label), from the generator or a development set."""

    text: str
    query: dict[str, Any]
    origin: str  # "generated:<template origin>" or the set's name

    def as_json(self) -> str:
        return json.dumps({"q": self.text, "query": self.query, "origin": self.origin}, sort_keys=True)


@dataclass
class Generated:
    """The examples written and what was left out, counted."""

    examples: list[Example]
    skipped: Counter[str] = field(default_factory=Counter)


# --- generating ---------------------------------------------------------------------------------

def templates(ontology: Ontology) -> list[Template]:
    """Every phrasing the ontology gives, and those derived from them (yes/no, counts, "which", chains)."""
    found: list[Template] = []
    location = tuple(ontology.location_kinds)
    for name, rel in sorted(ontology.relation_types.items()):
        subject, object_ = tuple(rel.subject_kinds), tuple(rel.object_kinds)
        for text in rel.phrasings.forward:
            found.append(Template(text, subject, object_, f"{name}:forward"))
            opening = _OPENING.match(text)
            if opening and "{y}" not in text:
                aux, rest = opening.group(2), opening.group(3)
                found.append(Template(f"{aux} {{x}} {rest} {{y}}", subject, object_, f"{name}:yes_no"))
                noun = _PLURAL.get(object_[0], "groups")
                found.append(Template(f"how many {noun} {aux} {{x}} {rest}", subject, (), f"{name}:count"))
                found.append(Template(f"which {noun} {aux} {{x}} {rest}", subject, (), f"{name}:which"))
        for text in rel.phrasings.backward:
            found.append(Template(text, object_, subject, f"{name}:backward"))
            if text.startswith("who ") and text.count("{x}") == 1:
                noun = _PLURAL.get(subject[0], "groups")
                found.append(Template(f"which {noun} {text[4:]}", object_, (), f"{name}:which"))
        for text in rel.phrasings.either:
            found.append(Template(text, tuple(dict.fromkeys(subject + object_)), (), f"{name}:either"))
    for name, category in sorted(ontology.questions.categories.items()):
        for part, texts in (("forward", category.forward), ("backward", category.backward),
                            ("either", category.either)):
            found += [Template(t, ACTORS, (), f"category/{name}:{part}") for t in texts]
    asked = ontology.questions
    for origin, texts, x, y in (("connection", asked.connection, ACTORS, ACTORS), ("pair", asked.pair, ACTORS, ACTORS),
                                ("profile", asked.profile, ACTORS, ()), ("status", asked.status, ACTORS, ()),
                                ("events", asked.events, location, ()),
                                ("assertions", asked.assertions, ASSERTERS, ACTORS),
                                ("denials", asked.denials, ACTORS, ()), ("counts", asked.counts, ACTORS, ()),
                                ("yes_no", asked.yes_no, ACTORS, ACTORS)):
        found += [Template(t, x, y, origin) for t in texts if "attack" not in t or origin != "denials"]
    found += _chains(ontology)
    return found


def _chains(ontology: Ontology) -> list[Template]:
    """Chains: an outer phrasing asked of "the group that <inner phrasing>" ("who backs the group that attacked
    Pakistan"); the styles then write "those who" for it."""
    clauses = []
    for name, rel in sorted(ontology.relation_types.items()):
        if "armed_group" not in rel.subject_kinds:
            continue
        clauses += [(name, t[4:], tuple(rel.object_kinds)) for t in rel.phrasings.backward
                    if t.startswith("who ") and t.count("{x}") == 1][:1]
    found = []
    for number, (name, rel) in enumerate(sorted(ontology.relation_types.items())):
        if "armed_group" not in rel.object_kinds:
            continue
        outer = [t for t in rel.phrasings.backward if t.startswith("who ") and t.endswith("{x}")][:1]
        for text in outer:
            for index, (inner, clause, kinds) in enumerate(clauses):
                if inner != name and index % CHAIN_SPREAD == number % CHAIN_SPREAD:  # a spread of the pairs
                    found.append(Template(text.replace("{x}", "the group that " + clause), kinds, (),
                                          f"{name}<{inner}:chain"))
    return found


def _names(reader: QuestionReader, registry: Sequence[Entity]) -> dict[str, list[tuple[Entity, list[str]]]]:
    """The registry's entities by kind, each with the names of it the reader finds (its name first)."""
    by_kind: dict[str, list[tuple[Entity, list[str]]]] = {}
    for entity in sorted(registry, key=lambda e: e.id):
        names = [n for n in dict.fromkeys([entity.name, *(a.name for a in entity.aliases)])
                 if reader.knows(n) and len(n) > 2]
        if names:
            by_kind.setdefault(entity.kind, []).append((entity, names))
    return by_kind


def _typo(word: str, rng: random.Random) -> str:
    i = rng.randrange(1, len(word) - 1)
    kind = rng.randrange(3)
    if kind == 0:
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]  # two letters swapped
    if kind == 1:
        return word[:i] + word[i + 1:]  # a letter dropped
    return word[:i] + word[i] + word[i:]  # a letter doubled


def styled(template: str, style: str, rng: random.Random) -> str:  # noqa: PLR0911 - one return a style
    """A template written in one analyst's style (slots kept)."""
    text = template
    if style == "lower":
        return text.lower()
    if style == "bare":
        return text
    if style == "typo":
        words = text.split()
        candidates = [i for i, w in enumerate(words) if w.isalpha() and len(w) >= 5]
        if candidates:
            i = rng.choice(candidates)
            words[i] = _typo(words[i], rng)
        return " ".join(words)
    if style == "terse":
        rest = _TERSE.sub("", text)
        return rest if rest != text and len(rest.split()) >= 2 else text
    if style == "time":
        year = rng.randrange(2015, 2025)
        return text + rng.choice((f" in {year}", f" since {year}", f" before {year}", f" after {year}"))
    if style == "topic":
        if text.count("{x}") == 1 and "{y}" not in text and not text.startswith("{x}"):
            return "{x}: " + text.replace("{x}'s", "its").replace("{x}", "it")
        return text
    if style == "command":
        return "tell me " + text if text.split()[0] in ("who", "what", "which") else text
    raise KgError(f"unknown style {style!r}")


def generate(reader: QuestionReader, registry: Sequence[Entity], config: dict[str, Any],
             progress: Callable[[str], None] | None = None) -> Generated:
    """Questions in analysts' styles, each labelled with the shape functions' reading of its clean phrasing."""
    settings = config["generate"]
    rng = random.Random(int(config["seed"]))  # noqa: S311 - seeded, for a reproducible data set
    shapes = reader.with_policy("shapes")
    by_kind = _names(reader, registry)
    statuses = sorted({*reader.ontology.questions.status_words, *reader.vocab.statuses})
    out = Generated([])
    listed = templates(reader.ontology)
    for number, template in enumerate(listed):
        if progress is not None and number % 100 == 0:
            progress(f"generating: {number} of {len(listed)} phrasings")
        pool_x = [e for k in template.x for e in by_kind.get(k, [])]
        pool_y = [e for k in template.y for e in by_kind.get(k, [])]
        if not pool_x or ("{y}" in template.text and not pool_y):
            out.skipped["no names of the kinds the phrasing takes"] += 1
            continue
        fills = settings["fills"] if ":" in template.origin and not template.origin.startswith("category/") \
            else settings["fills_other"]
        for _ in range(int(fills)):
            x = rng.choice(pool_x)
            y = rng.choice([e for e in pool_y if e[0].id != x[0].id] or pool_y) if "{y}" in template.text else None
            names = {"{x}": _pick(x, rng, settings), "{y}": _pick(y, rng, settings) if y else ""}
            status = rng.choice(statuses)
            clean = _fill(template.text, names, status) + "?"
            try:
                query = shapes.read(clean).query
            except KgError:
                out.skipped["phrasing not read whole by the shape functions"] += 1
                continue
            wanted = {x[0].id} | ({y[0].id} if y else set())
            if set(roles_of(query)) != wanted:
                out.skipped["read with other names than those filled"] += 1
                continue
            label = query.model_dump(mode="json", exclude_defaults=True)
            origin = f"generated:{template.origin}"
            out.examples.append(Example(clean, label, origin))
            written = {clean}
            text = template.text.replace("the group that", "those who") if "chain" in template.origin else None
            if text:
                variant = _fill(text, names, status)
                written.add(variant)
                out.examples.append(Example(variant, label, origin))
            for style in rng.sample(STYLES, int(settings["variants"])):
                variant = _fill(styled(template.text, style, rng), names, status,
                                lower=style == "lower") + ("" if style in ("lower", "bare", "terse") else "?")
                if variant not in written:
                    written.add(variant)
                    out.examples.append(Example(variant, label, origin))
    return out


def _pick(entry: tuple[Entity, list[str]] | None, rng: random.Random, settings: dict[str, Any]) -> str:
    if entry is None:
        return ""
    _, names = entry
    if len(names) > 1 and rng.random() < float(settings["alias_share"]):
        return rng.choice(names[1:])
    return names[0]


def _fill(text: str, names: dict[str, str], status: str, *, lower: bool = False) -> str:
    for slot, name in names.items():
        text = text.replace(slot, name.lower() if lower else name)
    return text.replace("{status}", status)


def write_data(path: Path, examples: Iterable[Example]) -> str:
    """Write the generated examples, one JSON object a line; the text written."""
    text = "".join(e.as_json() + "\n" for e in examples)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return text


def read_data(path: Path) -> list[Example]:
    """The generated examples as written by ``write_data``."""
    if not path.exists():
        raise KgError(f"{path}: no generated questions; run `kg train-questions`")
    examples = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        try:
            data = json.loads(line)
            examples.append(Example(data["q"], data["query"], data["origin"]))
        except (json.JSONDecodeError, KeyError, TypeError) as error:
            raise KgError(f"{path}:{number}: not a generated question ({error})") from error
    return examples


# --- the development sets ------------------------------------------------------------------------

def development_sets(evaluation: Path, roles: Iterable[str]) -> list[str]:
    """The question sets whose role is one of ``roles``; a blind role is never allowed."""
    wanted = set(roles)
    if "blind" in wanted:
        raise KgError("training never reads a blind set: remove `blind` from the config's roles")
    table = yaml.safe_load((evaluation / "sets.yaml").read_text(encoding="utf-8"))["questions"]
    return sorted(name for name, info in table.items() if info.get("role") in wanted)


def read_sets(evaluation: Path, names: Sequence[str]) -> dict[str, list[Question]]:
    table = yaml.safe_load((evaluation / "sets.yaml").read_text(encoding="utf-8"))["questions"]
    for name in names:
        if table.get(name, {}).get("role") == "blind":
            raise KgError(f"question set {name} is blind: training never reads it")
    return {name: read_questions(evaluation / "questions" / f"{name}.yaml") for name in names}


def development(reader: QuestionReader, store: GraphStore, sets: dict[str, list[Question]]) -> list[Example]:
    """Each development question the shape functions answer right, labelled with their reading."""
    shapes = reader.with_policy("shapes")
    found = []
    for name, questions in sets.items():
        for question in questions:
            if question.expect.refuse:
                continue
            asked: dict[str, AskQuery] = {}

            def answer(text: str, asked: dict[str, AskQuery] = asked) -> Any:
                reply = ask(store, shapes, text)
                asked["query"] = reply.query
                return reply

            outcome = score(question, answer)
            if outcome.verdict == "right" and "query" in asked:
                found.append(Example(question.text, asked["query"].model_dump(mode="json", exclude_defaults=True),
                                     name))
    return found


SEARCH = {"intents": 8, "relations": 4, "tried": 24}  # readings tried per question when a label is searched


def searched(reader: QuestionReader, store: GraphStore, sets: dict[str, list[Question]], model: IntentModel,
             skip: set[str]) -> list[Example]:
    """Labels for the development questions the shape functions do not answer right (``skip``: those they do):
    the likeliest reading of ``model`` (trained on the generated data alone, so no set teaches the search of
    another) whose answer meets the question's expectation, tried as ``kg ask-eval`` checks it."""
    found = []
    for name, questions in sets.items():
        for question in questions:
            if question.expect.refuse or question.text in skip:
                continue
            try:
                asked = reader.question(question.text)
            except KgError:
                continue
            readings = model.candidates(asked, reader.features, intents=SEARCH["intents"],
                                        relations=SEARCH["relations"])
            for reading in readings[:SEARCH["tried"]]:
                try:
                    answer = run(store, reader.ontology, reading.query, question=question.text)
                except KgError:
                    continue
                if not check(answer.model_dump(mode="json", by_alias=True), question.expect):
                    found.append(Example(question.text, reading.query.model_dump(mode="json", exclude_defaults=True),
                                         name))
                    break
    return found


# --- features and the fit -------------------------------------------------------------------------

@dataclass
class Rows:
    """Each example's features and labels for the four decisions (the role decision: one row per name)."""

    question: list[list[str]] = field(default_factory=list)
    labels: dict[str, list[str]] = field(default_factory=lambda: {"intent": [], "relation": [], "via": []})
    role: list[tuple[int, list[str], str]] = field(default_factory=list)  # (example, features, role)


def featurize(reader: QuestionReader, examples: Sequence[Example],
              progress: Callable[[str], None] | None = None) -> Rows:
    rows = Rows()
    ontology = reader.ontology
    for number, example in enumerate(examples):
        if progress is not None and number % 1000 == 0:
            progress(f"parsing: {number} of {len(examples)} questions")
        query = AskQuery.model_validate(example.query)
        try:
            asked = reader.question(example.text)
        except KgError:
            asked = None
        if asked is None:
            rows.question.append([])
        else:
            rows.question.append(reader.features.question(asked))
        intent = intent_label(query)
        rows.labels["intent"].append(intent)
        rows.labels["relation"].append(relation_label(query, ontology))
        rows.labels["via"].append(via_label(query))
        if asked is None:
            continue
        roles = roles_of(query)
        for token in asked.named:
            role = roles.get(asked.entities[token.i].id)
            if role is not None:
                rows.role.append((number, reader.features.name(asked, token, intent), role))
    return rows


def fit_head(features: Sequence[Sequence[str]], labels: Sequence[str], config: dict[str, Any]) -> RelationModel:
    """One decision's logistic regression, in the claim reader's model container."""
    from sklearn.linear_model import LogisticRegression  # noqa: PLC0415 - training only, never at run time
    from threadpoolctl import threadpool_limits  # noqa: PLC0415 - scikit-learn's dependency

    from graph.services.relation_training import _vectorize  # noqa: PLC0415

    seen = Counter(f for row in features for f in set(row))
    vocabulary = sorted(f for f, n in seen.items() if n >= int(config["min_feature_count"]))
    classes = sorted(set(labels))
    if len(classes) == 1:
        return RelationModel(classes, vocabulary, np.zeros((1, len(vocabulary))), np.zeros(1), Calibration(),
                             Calibration(), Calibration(), 0.0, "single", {})
    x = _vectorize(features, {f: j for j, f in enumerate(vocabulary)})
    clf = LogisticRegression(C=float(config["C"]), max_iter=int(config["max_iter"]), random_state=int(config["seed"]))
    with threadpool_limits(limits=1):
        clf.fit(x, list(labels))
    coef, intercept = np.asarray(clf.coef_), np.asarray(clf.intercept_)
    if len(clf.classes_) == 2:
        coef = np.vstack([np.zeros_like(coef[0]), coef[0]])
        intercept = np.array([0.0, intercept[0]])
    return RelationModel([str(c) for c in clf.classes_], vocabulary, coef, intercept, Calibration(), Calibration(),
                         Calibration(), 0.0, "softmax", {})


def fit(rows: Rows, keep: Sequence[int], config: dict[str, Any], provenance: dict[str, Any]) -> IntentModel:
    """The four decisions trained on the examples ``keep`` names (their rows)."""
    kept = set(keep)
    heads: dict[str, RelationModel] = {}
    for head in HEADS[:3]:
        heads[head] = fit_head([rows.question[i] for i in keep], [rows.labels[head][i] for i in keep], config)
    role_rows = [(f, r) for i, f, r in rows.role if i in kept]
    heads["role"] = fit_head([f for f, _ in role_rows], [r for _, r in role_rows], config)
    # the file carries the coefficients as the model runs them (rounded), so a rebuilt model compares equal
    rounded = {name: RelationModel.from_json(json.loads(json.dumps(head.to_json()))) for name, head in heads.items()}
    doubt = {k: float(v) for k, v in config["doubt"].items()}
    return IntentModel(rounded, provenance, float(config["threshold"]), doubt)


def _examples(reader: QuestionReader, store: GraphStore, sets: dict[str, list[Question]], config: dict[str, Any],
              generated: Generated, progress: Callable[[str], None] | None) -> tuple[list[Example], Rows]:
    """The generated examples, the development questions the shape functions answer right, and those a search
    over the generated-only model's readings labels (``searched``); their features."""
    right = development(reader, store, sets)
    rows = featurize(reader, generated.examples, progress)
    first = fit(rows, range(len(generated.examples)), config, {"version": "generated only"})
    found = searched(reader, store, sets, first, {e.text for e in right})
    examples = [*generated.examples, *right, *found]
    more = featurize(reader, [*right, *found])
    offset = len(generated.examples)
    rows.question += more.question
    for head in rows.labels:
        rows.labels[head] += more.labels[head]
    rows.role += [(offset + i, f, r) for i, f, r in more.role]
    return examples, rows


def data_hash(generated_text: str, sets: dict[str, list[Question]], evaluation: Path) -> str:
    """A hash of the generated data and the development sets' files."""
    files = [(evaluation / "questions" / f"{name}.yaml").read_text(encoding="utf-8") for name in sorted(sets)]
    return fingerprint(generated_text, *sorted(sets), *files)


def train(reader: QuestionReader, store: GraphStore, evaluation: Path, config: dict[str, Any], *,
          config_text: str, spacy_model: str, generated: Generated,
          progress: Callable[[str], None] | None = None) -> IntentModel:
    """The shipped model: the generated examples and the development sets' right readings."""
    sets = read_sets(evaluation, development_sets(evaluation, config["roles"]))
    examples, rows = _examples(reader, store, sets, config, generated, progress)
    text = "".join(e.as_json() + "\n" for e in generated.examples)
    data = data_hash(text, sets, evaluation)
    version = fingerprint(data, fingerprint(config_text), spacy_model)[:10]
    provenance = {"version": f"intent-{version}", "data_sha256": data, "spacy_model": spacy_model,
                  "generated": len(generated.examples), "development": len(examples) - len(generated.examples),
                  "sets": sorted(sets), "skipped": dict(sorted(generated.skipped.items()))}
    return fit(rows, range(len(examples)), config, provenance)


# --- the ablation --------------------------------------------------------------------------------

THRESHOLDS = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8)


@dataclass
class Scored:
    """One question's verdicts: the shape functions', and the trained reader's with its confidence."""

    set_name: str
    refuse: bool
    shapes: str
    trained: str
    confidence: float
    raw: float = 0.0  # the model's confidence before the words it cannot account for
    unknown: int = 0
    other: int = 0


def _doubts(reader: QuestionReader, model: IntentModel, text: str) -> tuple[float, int, int]:
    """The model's own confidence in its reading of a question and the words it cannot account for."""
    try:
        asked = reader.question(text)
    except KgError:
        return 0.0, 0, 0
    found = model.candidates(asked, reader.features, intents=6, relations=1)
    if not found:
        return 0.0, 0, 0
    unknown, other = model.unaccounted(asked, reader.features, found[0].query)
    return found[0].confidence, unknown, other


def _tally(verdicts: Iterable[str]) -> dict[str, float]:
    counted = Counter(verdicts)
    total = sum(counted.values()) or 1
    return {v: round(100 * counted[v] / total, 1) for v in ("right", "wrong", "refused")} | {"n": total}


def _gated(s: Scored, threshold: float) -> str:
    if s.trained != "refused" and s.confidence < threshold:
        return "right" if s.refuse else "refused"
    return s.trained


def _combined(s: Scored, threshold: float) -> str:
    """The shape functions' verdict when they answered, else the trained reader's (what ``combined`` does)."""
    answered = s.shapes == "wrong" if s.refuse else s.shapes != "refused"
    return s.shapes if answered else _gated(s, threshold)


def cross_validate(reader: QuestionReader, store: GraphStore, evaluation: Path, config: dict[str, Any],
                   generated: Generated, shares: Sequence[float] = (0.25, 0.5, 1.0),
                   progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Right/wrong/refused on each development set for the shape functions, the trained reader and both, the
    trained reader trained without the set scored (grouped by set); at each share of the generated data."""
    sets = read_sets(evaluation, development_sets(evaluation, config["roles"]))
    examples, rows = _examples(reader, store, sets, config, generated, progress)
    dev = examples[len(generated.examples):]
    order = list(range(len(generated.examples)))
    random.Random(int(config["seed"])).shuffle(order)  # noqa: S311 - seeded, reproducible
    shapes = reader.with_policy("shapes")
    shape_verdicts = {(name, q.id): score(q, lambda t: ask(store, shapes, t)).verdict
                      for name, questions in sets.items() for q in questions}
    figures: dict[str, Any] = {"shares": {}}
    for share in shares:
        chosen = sorted(order[:round(share * len(order))])
        scored: list[Scored] = []
        for name, questions in sets.items():
            if progress is not None:
                progress(f"cross-validation: {share:.0%} of the generated data, {name} held out")
            keep = chosen + [len(generated.examples) + i for i, e in enumerate(dev) if e.origin != name]
            model = fit(rows, keep, config, {"version": f"cv-{name}"})
            model.threshold = 0.0
            trained = reader.with_policy("trained", model)
            for q in questions:
                confidence: list[float] = []

                def answer(text: str, confidence: list[float] = confidence,
                           trained: QuestionReader = trained) -> Any:
                    reply = ask(store, trained, text)
                    confidence.append(reply.reading.confidence if reply.reading else 0.0)
                    return reply

                outcome = score(q, answer)
                raw, unknown, other = _doubts(reader, model, q.text)
                scored.append(Scored(name, bool(q.expect.refuse), shape_verdicts[(name, q.id)], outcome.verdict,
                                     confidence[0] if confidence else 0.0, raw, unknown, other))
        figures["shares"][str(share)] = {
            "trained": {str(t): _tally(_gated(s, t) for s in scored) for t in THRESHOLDS},
            "combined": {str(t): _tally(_combined(s, t) for s in scored) for t in THRESHOLDS},
            "by_set": {name: {"shapes": _tally(s.shapes for s in scored if s.set_name == name),
                              "trained": _tally(_gated(s, float(config["threshold"])) for s in scored
                                                if s.set_name == name),
                              "combined": _tally(_combined(s, float(config["threshold"])) for s in scored
                                                 if s.set_name == name)}
                       for name in sets},
            "questions": [[s.set_name, s.refuse, s.shapes, s.trained, s.confidence, s.raw, s.unknown, s.other]
                          for s in scored]}
    figures["shapes"] = _tally(shape_verdicts.values())
    figures["threshold"] = float(config["threshold"])
    figures["generated"] = len(generated.examples)
    figures["development_labelled"] = len(dev)
    return figures


__all__ = ["CONFIG", "DATA", "Example", "Generated", "cross_validate", "development", "generate",
           "read_data", "templates", "train", "write_data"]
