"""The trained question reader: a question's intent and slots from sparse features over its parse.

The shape functions (``graph.language.ask.shapes``) read the phrasings they were written for and refuse
the rest. This reader is trained (``kg train-questions``, ``graph/services/question_training.py``) on
thousands of questions generated from the ontology's phrasings in the ways analysts type them, and on the
development question sets, and reads a question as four decisions, each a logistic regression over the
same features:

- **intent**: the shape, the form (list, yes/no, count), what a count counts, the direction and which
  slots the names fill (``relation|list|-|out|subject``);
- **relation**: the relation type or category asked about (``-`` for shapes without one);
- **via**: for a chain, the relation of the inner step and its direction;
- **role**, once per name the name finder found: subject, object, via, place or asserted_by.

The features are the question's lemmas and lemma pairs, its question word and opening, the kinds of the
names, the dependency path from each name to the root, and the relation types the ontology's cue words and
phrasings name for each word (``CueIndex``, the claim reader's, and the vocabulary's senses): so a verb the
phrasings lack ("back", "patrons") reaches a relation through the ontology, never through a word list here.

The slots are filled by the name finder's names, each put where the role model puts it likeliest among the
slots the intent has; the time window, the statuses and the kinds asked for are read as the shape functions
read them. The reading's confidence is the product of the four probabilities; the policy in
``graph.language.ask.parse`` decides when it answers. The model is the claim reader's container
(``graph.language.learn.model.RelationModel``, one per decision) in one gzipped JSON file.
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass
from itertools import permutations
from pathlib import Path
from typing import Any

from spacy.tokens import Token

from graph.domain.errors import KgError
from graph.domain.ontology import Ontology
from graph.language.ask.model import AskQuery
from graph.language.ask.question import Question
from graph.language.ask.shapes import attack_types_of, statuses_of
from graph.language.ask.vocabulary import WH_WORDS
from graph.language.learn.features import CueIndex
from graph.language.learn.model import RelationModel, read_model_file

FORMAT = 1
SHIPPED = Path(__file__).with_name("intent.json.gz")
HEADS = ("intent", "relation", "via", "role")
ROLES = ("subject", "object", "via", "place", "asserted_by")
NO = "-"  # no relation, no via step
# The AskQuery fields a name fills, by role.
SLOT_FIELDS = {"subject": "subject", "object": "object", "via": "via", "place": "place", "asserted_by": "asserted_by"}
# Shapes whose answers are entities of a kind the question word asks for ("which states …").
_KINDED = frozenset({"relation", "category", "chain"})


# --- labels -------------------------------------------------------------------------------------

def intent_label(query: AskQuery) -> str:
    """The intent of a query: shape, form, count_of, direction and the slots its names fill."""
    slots = "+".join(role for role in ROLES if getattr(query, SLOT_FIELDS[role]))
    return "|".join((query.shape, query.form, query.count_of or NO, query.direction, slots or NO))


def via_label(query: AskQuery) -> str:
    """A chain's inner step: its types and direction (``-`` for every other shape)."""
    if query.shape != "chain" or not query.via_types:
        return NO
    return f"{','.join(query.via_types)}|{query.via_direction}"


def relation_label(query: AskQuery, ontology: Ontology) -> str:
    """The relation a query asks about: a type, ``category/NAME`` for a category, ``-`` for shapes with none."""
    if query.shape not in _KINDED or not query.relation:
        return NO
    return f"category/{query.relation}" if query.relation in ontology.questions.categories else query.relation


def roles_of(query: AskQuery) -> dict[str, str]:
    """Each entity id the query names and the role it fills."""
    found: dict[str, str] = {}
    for role in ROLES:
        value = getattr(query, SLOT_FIELDS[role])
        if value and value not in found:
            found[value] = role
    return found


# --- features -----------------------------------------------------------------------------------

def _word(asked: Question, token: Token) -> str:
    if token.i in asked.entities:
        return f"<{asked.entities[token.i].kind}>"
    if token.like_num:
        return "<num>"
    return asked.lemma(token)


def _path(token: Token) -> str:
    """The dependency labels from a token up to the root, and the root's lemma."""
    labels = [token.dep_]
    head = token
    while head.head.i != head.i and len(labels) < 6:
        head = head.head
        labels.append(head.dep_)
    return "/".join(labels)


def _governing(token: Token) -> str:
    """The preposition a name is the object of ("by", "in", "about"), or ``-``."""
    if token.dep_ == "pobj" and token.head.pos_ == "ADP":
        return token.head.lower_
    if token.dep_ == "agent":
        return "by"
    return NO


class Features:
    """The features of a question and of each name in it, over the parse and the ontology's cues."""

    def __init__(self, ontology: Ontology) -> None:
        self.cues = CueIndex(ontology)
        self.category = {name: rel.category for name, rel in ontology.relation_types.items()}

    def question(self, asked: Question) -> list[str]:
        doc = asked.doc
        words = [(t, _word(asked, t)) for t in doc if not t.is_punct and not t.is_space]
        feats = {f"names={min(len(asked.entities), 3)}"}
        if words:
            feats.add(f"first={words[0][1]}")
            feats.add(f"last={words[-1][1]}")
        if asked.is_yes_no:
            feats.add("yes_no")
        wh = asked.wh
        feats.add(f"wh={wh.lower_ if wh is not None else NO}")
        if asked.times.said:
            feats.add("time")
        if any(t.tag_ == "POS" for t in doc):
            feats.add("poss")
        if any(t.dep_ in ("relcl", "acl") for t in doc):
            feats.add("clause")
        if any(t.dep_ in ("nsubjpass", "auxpass", "agent") for t in doc):
            feats.add("passive")
        for i, (token, word) in enumerate(words):
            feats.add(f"w={word}")
            if i + 1 < len(words):
                feats.add(f"w2={word}_{words[i + 1][1]}")
            if token.i in asked.entities:
                continue
            if token.lower_ in WH_WORDS:
                feats.add(f"whw={token.lower_}")
            status = asked.vocab.statuses.get(token.lower_) or asked.vocab.statuses.get(asked.lemma(token))
            if status is not None:
                feats.add(f"status={status}")
            for name in self.cues.types(token):
                feats.add(f"cue={name}")
                feats.add(f"cuecat={self.category.get(name, NO)}")
            for sense in asked.vocab.senses.get(asked.lemma(token), ()):
                feats.add(f"sense={sense.name}")
                feats.add(f"senseshape={sense.shape}")
            if token.dep_ == "ROOT":
                feats.add(f"root={word}")
        for n, mention in enumerate(asked.named[:3]):
            tag = f"n{n}"
            for feat in (f"path={_path(mention)}", f"prep={_governing(mention)}", f"head={_word(asked, mention.head)}",
                         f"kind={asked.entities[mention.i].kind}"):
                feats.add(f"{tag}{feat}")
                feats.add(feat)
        return sorted(feats)

    def name(self, asked: Question, token: Token, intent: str) -> list[str]:
        """The features of one name for the role model, given the intent read (its shape and slots)."""
        shape, _form, _count, direction, slots = intent.split("|")
        named = asked.named
        position = next(i for i, t in enumerate(named) if t.i == token.i)
        wh = asked.wh
        base = {f"kind={asked.entities[token.i].kind}", f"dep={token.dep_}", f"path={_path(token)}",
                f"prep={_governing(token)}", f"head={_word(asked, token.head)}",
                f"pos={'first' if position == 0 else 'later'}", f"alone={len(named) == 1}",
                f"wh={wh.lower_ if wh is not None else NO}", f"yes_no={asked.is_yes_no}"}
        if token.i + 1 < len(asked.doc) and asked.doc[token.i + 1].tag_ == "POS":
            base.add("poss")
        if token.i > 0:
            base.add(f"left={_word(asked, asked.doc[token.i - 1])}")
        if token.i + 1 < len(asked.doc):
            base.add(f"right={_word(asked, asked.doc[token.i + 1])}")
        if wh is not None:
            base.add(f"afterwh={token.i > wh.i}")
        root = next((t for t in asked.doc if t.dep_ == "ROOT"), None)
        if root is not None:
            base.add(f"beforeroot={token.i < root.i}")
        if any(t.dep_ in ("nsubjpass", "auxpass", "agent") for t in asked.doc):
            base.add("passive")
        context = (f"shape={shape}", f"dir={direction}", f"slots={slots}")
        feats = set(base) | set(context)
        feats.update(f"{c}&{b}" for c in context[::2] for b in base)
        return sorted(feats)


# --- the model ----------------------------------------------------------------------------------

@dataclass
class Reading:
    """What the trained reader read: the query, its confidence, and the intent and relation it chose."""

    query: AskQuery
    confidence: float
    intent: str
    relation: str


class IntentModel:
    """The four decisions' models and what turns them into a query (the frames seen in training)."""

    def __init__(self, heads: dict[str, RelationModel], provenance: dict[str, Any], threshold: float,
                 doubt: dict[str, float] | None = None) -> None:
        self.heads = heads
        self.provenance = provenance
        self.threshold = threshold
        # what each word the model cannot account for leaves of a reading's confidence (multiplied): a word no
        # training question had, a word whose cues name another relation than the one read
        self.doubt = dict(doubt or {"unknown_word": 1.0, "other_relation_word": 1.0})
        self._known = {f[2:] for f in heads["intent"].vocabulary if f.startswith("w=")}

    @property
    def version(self) -> str:
        return str(self.provenance.get("version", "untrained"))

    def to_json(self) -> dict[str, Any]:
        return {"format": FORMAT, "provenance": self.provenance, "threshold": self.threshold, "doubt": self.doubt,
                "heads": {name: head.to_json() for name, head in self.heads.items()}}

    def dumps(self) -> str:
        return json.dumps(self.to_json(), sort_keys=True, separators=(",", ":")) + "\n"

    def save(self, path: Path) -> None:
        path.write_bytes(gzip.compress(self.dumps().encode("utf-8"), compresslevel=9, mtime=0))

    @classmethod
    def from_json(cls, data: dict[str, Any], *, origin: str = "model") -> IntentModel:
        if data.get("format") != FORMAT:
            raise KgError(f"{origin}: question model format {data.get('format')!r}, expected {FORMAT}")
        try:
            heads = {name: RelationModel.from_json(data["heads"][name], origin=f"{origin} ({name})") for name in HEADS}
            return cls(heads, dict(data["provenance"]), float(data["threshold"]),
                       {k: float(v) for k, v in data["doubt"].items()})
        except (KeyError, TypeError, ValueError) as error:
            raise KgError(f"{origin}: not a question model ({error})") from error

    # --- reading ----------------------------------------------------------------------------

    def _ranked(self, head: str, features: list[str]) -> list[tuple[str, float]]:
        model = self.heads[head]
        probs = model.probabilities([features])[0]
        return sorted(zip(model.classes, (float(p) for p in probs), strict=True), key=lambda c: -c[1])

    def read(self, asked: Question, features: Features) -> Reading | None:
        """The likeliest query whose slots the question's names can fill, or None when no intent fits them."""
        found = self.candidates(asked, features, intents=6, relations=1)
        if not found:
            return None
        best = found[0]
        unknown, other = self.unaccounted(asked, features, best.query)
        factor = self.doubt["unknown_word"] ** unknown * self.doubt["other_relation_word"] ** other
        return Reading(best.query, round(best.confidence * factor, 4), best.intent, best.relation)

    def unaccounted(self, asked: Question, features: Features, query: AskQuery) -> tuple[int, int]:
        """Words a reading does not account for: content words no training question had (after the speller), and
        words whose cues or senses name relations other than those read (a second relation read as none)."""
        vocab = asked.vocab
        read = {*query.types, *query.via_types}
        unknown = other = 0
        for token in asked.doc:
            if token.i in asked.entities or token.is_punct or token.is_stop or token.pos_ not in (
                    "NOUN", "VERB", "ADJ", "PROPN", "ADV"):
                continue
            lemma = asked.lemma(token)
            if lemma in vocab.light or lemma in vocab.fillers or token.lower_ in WH_WORDS:
                continue
            if lemma not in self._known and token.lower_ not in self._known:
                unknown += 1
            named = features.cues.types(token) | {t for sense in vocab.senses.get(lemma, ()) for t in sense.types}
            if named and read and not named & read:
                other += 1
        return unknown, other

    def candidates(self, asked: Question, features: Features, *, intents: int, relations: int) -> list[Reading]:
        """Readings of a question, likeliest first: the first ``intents`` intents whose slots the names can fill,
        each with its ``relations`` likeliest relations (training labels a question an answer checks this way)."""
        feats = features.question(asked)
        named = asked.named
        found: list[Reading] = []
        ranked_relations = self._ranked("relation", feats)
        for intent, p_intent in self._ranked("intent", feats)[:intents]:
            shape, form, count_of, direction, slots = intent.split("|")
            wanted = [] if slots == NO else slots.split("+")
            if len(wanted) != len(named):
                continue
            placed, p_roles = self._place(asked, named, intent, wanted, features)
            via, p_via = (NO, 1.0)
            if shape == "chain":
                via, p_via = next(((c, p) for c, p in self._ranked("via", feats) if c != NO), (NO, 0.0))
            for relation, p_relation in self._relations(shape, ranked_relations)[:relations]:
                query = self._query(asked, shape, form, count_of, direction, relation, via, placed)
                if query is not None:
                    confidence = p_intent * p_relation * p_via * p_roles
                    found.append(Reading(query, round(confidence, 4), intent, relation))
        return sorted(found, key=lambda r: -r.confidence)

    @staticmethod
    def _relations(shape: str, ranked: list[tuple[str, float]]) -> list[tuple[str, float]]:
        """The relations a shape can take, likeliest first: a type for a relation, a category for a category,
        either for a chain; none for the other shapes (the probability that the question names none)."""
        if shape in ("relation", "category", "chain"):
            return [(c, p) for c, p in ranked if c != NO and (shape == "chain" or ("/" in c) == (shape == "category"))]
        return [(NO, next((p for c, p in ranked if c == NO), 0.0))]

    def _place(self, asked: Question, named: list[Token], intent: str, wanted: list[str],
               features: Features) -> tuple[dict[str, Token], float]:
        """Each slot's name: the assignment of names to the intent's slots the role model finds likeliest."""
        if not wanted:
            return {}, 1.0
        probs = []
        for token in named:
            ranked = dict(self._ranked("role", features.name(asked, token, intent)))
            probs.append(ranked)
        best: tuple[dict[str, Token], float] = ({}, -1.0)
        for order in permutations(range(len(named))):
            score = 1.0
            for slot, index in zip(wanted, order, strict=True):
                score *= probs[index].get(slot, 0.0)
            if score > best[1]:
                best = ({slot: named[index] for slot, index in zip(wanted, order, strict=True)}, score)
        return best

    def _query(self, asked: Question, shape: str, form: str, count_of: str, direction: str, relation: str,
               via: str, placed: dict[str, Token]) -> AskQuery | None:
        """The query of one reading, with the time, statuses and kinds read as the shape functions read them."""
        ontology = asked.vocab.ontology
        types: list[str] = []
        name = None if relation == NO else relation.rsplit("/", maxsplit=1)[-1]
        if name is not None:
            if name in ontology.relation_types:
                types = [name]
            elif name in ontology.questions.categories:
                types = list(ontology.questions.categories[name].types)
            else:
                return None
        if shape == "incident":
            return None  # an attack named by place, date or target: the shape functions read those
        if shape in ("events", "status"):
            types = attack_types_of(asked)
        statuses, disputed = statuses_of(asked)
        fields: dict[str, Any] = {"shape": shape, "form": form, "count_of": None if count_of == NO else count_of,
                                  "direction": direction, "relation": name, "types": types,
                                  "since": asked.times.since, "until": asked.times.until,
                                  "statuses": statuses, "disputed": disputed}
        if shape == "denials":
            fields["relation"], fields["types"] = ontology.denial_type, [ontology.denial_type]
        if shape in _KINDED:
            fields["kinds"] = list(asked.kinds_asked())
        if shape == "chain":
            if via == NO:
                return None
            via_types, via_direction = via.split("|")
            fields["via_types"], fields["via_direction"] = via_types.split(","), via_direction
        for slot, token in placed.items():
            fields[SLOT_FIELDS[slot]] = asked.entities[token.i].id
            asked.role(token, slot)
        try:
            return AskQuery(**fields)
        except ValueError:
            return None


def load_model(path: Path | None = None) -> IntentModel | None:
    """The shipped question model (or the one at ``path``); None when none has been trained and shipped."""
    path = path or SHIPPED
    data = read_model_file(path, "question model")
    return None if data is None else IntentModel.from_json(data, origin=str(path))


__all__ = ["Features", "IntentModel", "Reading", "intent_label", "load_model", "relation_label", "roles_of",
           "via_label"]
