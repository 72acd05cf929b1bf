"""The trained reader inside the extractor: the model scores every candidate pair, the policy combines.

Runs only on sentences naming two or more actors (the parse is already done). For each ordered
pair it takes the model's most probable relation type, calibrated; then, as the model file's
``policy`` says (chosen by cross-validation, docs/extraction.md):
- ``union``: the rules' claims stay, and the model adds the triples the rules missed whose
  calibrated probability reaches ``threshold``;
- ``model``: between actors, the model decides (the rules' vote is one of its features); a rules'
  claim between actors the model scores below ``threshold`` is dropped and counted.
Either way every claim between actors gets the calibrated probability as its confidence (a
rules' claim read across sentences, which has no pair, gets the rules' own confidence calibrated),
so ``--min-confidence`` and review gate on a figure that means what it says.
A type whose subject or object kind the ontology does not allow for it is never added.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from graph.domain.dates import PartialDate
from graph.domain.model import Claim
from graph.domain.ontology import Ontology
from graph.language.extract.dates import resolve_dates
from graph.language.extract.document import Sentence
from graph.language.extract.lexicon import Lexicon, load_lexicon
from graph.language.learn.candidates import ACTOR_KINDS, Pair, pairs_of
from graph.language.learn.conventions import Conventions, Voice
from graph.language.learn.features import CueIndex, pair_features
from graph.language.learn.model import NONE, RelationModel

Votes = dict[tuple[int, str, str], set[str]]


def rule_votes(claims: list[Claim], ontology: Ontology) -> Votes:
    """The rules' types by (sentence start, subject, object); a symmetric type votes both ways."""
    votes: Votes = {}
    for claim in claims:
        if claim.span is None:
            continue
        votes.setdefault((claim.span[0], claim.subject, claim.object), set()).add(claim.type)
        if ontology.relation_types[claim.type].symmetric:
            votes.setdefault((claim.span[0], claim.object, claim.subject), set()).add(claim.type)
    return votes


def triple_of(ontology: Ontology, subject: str, type_name: str, obj: str) -> tuple[str, str, str]:
    """A triple as scored: a symmetric type with its ends in order."""
    if ontology.relation_types[type_name].symmetric and obj < subject:
        subject, obj = obj, subject
    return subject, type_name, obj


MODEL_NOTE = "read by the trained relation model"
_CEILING = 0.95  # a machine-read claim never claims the certainty of a curated one (1.0)


class RelationReader:
    """The shipped model applied to a parsed report's candidate pairs."""

    def __init__(self, model: RelationModel, ontology: Ontology, lexicon: Lexicon | None = None) -> None:
        self.model = model
        self.ontology = ontology
        self.cues = CueIndex(ontology)
        self.conventions = Conventions(ontology, lexicon or load_lexicon())

    def score(self, sentences: Sequence[Sentence], claims: list[Claim]) -> list[tuple[Pair, dict[str, float]]]:
        """Each candidate pair of these sentences with its raw probability per relation type."""
        pairs = pairs_of(sentences)
        if not pairs:
            return []
        votes = rule_votes(claims, self.ontology)
        probs = self.model.probabilities([pair_features(p, self.cues, votes) for p in pairs])
        return [(p, {c: float(v) for c, v in zip(self.model.classes, row, strict=True) if c != NONE})
                for p, row in zip(pairs, probs, strict=True)]

    def allowed(self, type_name: str, subject_kind: str, object_kind: str) -> bool:
        """The ontology lets this type join these kinds (either way round for a symmetric type)."""
        rel = self.ontology.relation_types[type_name]
        ok = subject_kind in rel.subject_kinds and object_kind in rel.object_kinds
        return ok or (rel.symmetric and object_kind in rel.subject_kinds and subject_kind in rel.object_kinds)

    def revise(self, sentences: Sequence[Sentence], published: PartialDate | None, claims: list[Claim], source_id: str,
               outlet: str, name: str) -> Revision:
        """Rescore the rules' claims between actors and add the model's confident ones, as the policy says.

        ``sentences``: the report's sentences as the rules read them, with the registry's mentions only, so a claim
        naming a candidate entity is kept as the rules read it (the model never pairs a candidate).
        """
        from graph.language.extract.pipeline import HEDGE_DISCOUNT, claim_id  # noqa: PLC0415 - a cycle otherwise

        model = self.model
        scored = self.score(sentences, claims)
        kinds = {m.entity_id: m.kind for s in sentences for m in s.mentions}
        best: dict[tuple[str, str, str], tuple[float, Pair]] = {}
        by_pair: dict[tuple[int, str, str], dict[str, float]] = {}
        votes = rule_votes(claims, self.ontology)
        voices: dict[int, list[Voice]] = {}
        vetoed: dict[tuple[str, str, str], tuple[float, str]] = {}  # what a convention kept out, and why
        for pair, probs in scored:
            by_pair[pair.key] = probs
            type_name = max(sorted(probs), key=lambda t: probs[t])
            if type_name == self.ontology.denial_type or not self.allowed(type_name, pair.subject.kind,
                                                                          pair.object.kind):
                # A denial is a claim only with the claim it denies and the status denied, which the rules link;
                # a pair alone cannot say what is denied, so the model never adds one.
                continue
            triple = triple_of(self.ontology, pair.subject.entity_id, type_name, pair.object.entity_id)
            if pair.sentence.start not in voices:
                voices[pair.sentence.start] = self.conventions.voices(pair.sentence.span)
            reason = self.conventions.veto(pair, type_name, votes, voices[pair.sentence.start])
            if reason is not None:
                if triple not in vetoed or probs[type_name] > vetoed[triple][0]:
                    vetoed[triple] = (probs[type_name], reason)
                continue
            if triple not in best or probs[type_name] > best[triple][0]:
                best[triple] = (probs[type_name], pair)
        kept: list[Claim] = []
        dropped = 0
        for claim in claims:
            if kinds.get(claim.subject) not in ACTOR_KINDS or kinds.get(claim.object) not in ACTOR_KINDS \
                    or claim.span is None or claim.type == self.ontology.denial_type:
                kept.append(claim)
                continue
            claim_probs = by_pair.get((claim.span[0], claim.subject, claim.object)) or \
                by_pair.get((claim.span[0], claim.object, claim.subject))
            if claim_probs is None or claim.type not in claim_probs:
                kept.append(claim.model_copy(update={"confidence": _cap(model.rules_calibration(claim.confidence))}))
                continue
            confidence = model.voted_calibration(claim_probs[claim.type])
            if "hedged" in (claim.note or "").split("; "):
                # the model does not weigh the hedge (the gold codes hedged statements as no claim at all),
                # so the rules' discount for it stays on the model's figure
                confidence = max(0.0, min(_CEILING, confidence) - HEDGE_DISCOUNT)
            if model.policy == "model" and confidence < model.threshold:
                dropped += 1
                continue
            kept.append(claim.model_copy(update={"confidence": _cap(confidence)}))
        have = {triple_of(self.ontology, c.subject, c.type, c.object) for c in kept}
        added = 0
        for triple, (raw, pair) in sorted(best.items()):
            confidence = model.calibration(raw)
            if triple in have or confidence < model.threshold:
                continue
            sentence = pair.sentence
            subject, type_name, obj = triple
            dates = resolve_dates(sentence.text, published) \
                if self.ontology.relation_types[type_name].category != "territorial" else []
            kept.append(Claim(
                id=claim_id(source_id, subject, type_name, obj, sentence.text, "reported", outlet),
                subject=subject, type=type_name, object=obj, source=source_id, quote=sentence.text,
                span=(sentence.start, sentence.end), status="reported", asserted_by=outlet,
                date=str(dates[0][2]) if dates else None, confidence=_cap(confidence), extracted_by=name,
                note=MODEL_NOTE))
            have.add(triple)
            added += 1
        counts: Counter[str] = Counter()
        if dropped:
            counts["rules' claim below the model's threshold"] += dropped
        for triple, (raw, reason) in vetoed.items():
            if triple not in have and model.calibration(raw) >= model.threshold:
                counts[reason] += 1  # only what the model would have added: the rest it never proposed
        return Revision(kept, dict(counts), added)


@dataclass
class Revision:
    """What the trained reader made of a report's rules' claims: the claims, what it set aside and why, how many it
    added."""

    claims: list[Claim]
    discarded: dict[str, int]
    added: int


def _cap(confidence: float) -> float:
    return round(min(_CEILING, confidence), 3)
