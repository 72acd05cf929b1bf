"""The extractor: a report in, claims and candidate names out, read from a dependency parse.

``Extractor`` is one component with one method, ``run(report) -> Extraction`` (``run_many``
batches the parse over many reports). It is built once from the ontology (whose relation cues
are the patterns), the registry (whose names are merged into single tokens before the parse) and
``lexicon.yaml``, and keeps no per-report state: one extractor serves every request and thread.
Each claim carries ``extracted_by`` (``NAME/VERSION``), its sentence and span, its speaker and
status, and a confidence from how it was read.

Policy for what it cannot read, every case counted in ``Extraction.discarded`` by reason:
- a cue whose tree gives no subject or no object of the kinds its type allows yields nothing
  (``no subject``, ``no object``);
- a negated clause ("did not claim") yields nothing (``negated``), nor does a hypothetical one
  ("if the Taliban attacked"), nor what a denial denies (``inside a denial``);
- a hedged clause ("may have", "is believed to") is kept with a lower confidence and a note;
- a denial it cannot tie to a claim of the same report yields no claim (``denial of nothing read``);
- a proper name the registry lacks that ends up an end of a claim (the agent or target of a cue, a
  claimant, an accuser, the accused, a denier) is a candidate entity of the report
  (``Extraction.entities``, ``graph.language.extract.actors``), and its claims name it by the
  candidate's id: never created in the registry here, staged for review by ingest;
- an act whose agent is an unknown name that cannot be a candidate is discarded (``unknown agent``),
  never given to a known actor near it; a claim whose candidate end ends the report as a kind
  its relation does not allow is discarded (``candidate kind``);
- any other name it cannot resolve is returned as a candidate name with its sentences.

After the claims and the candidate entities, the incident reader (``graph.language.extract.incidents``) reads the
report's incidents; its incidents ride in ``Extraction.incidents``, its claims (with their incident ids) replace the
extractor's, and what it set aside is counted in ``discarded`` beside the extractor's reasons. An incident never
names a candidate entity by id: a perpetrator or target the registry lacks is given by its name as a description.
"""

from __future__ import annotations

import hashlib
import urllib.parse
from collections import ChainMap, Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Protocol

from spacy.tokens import Token

from graph.domain.dates import PartialDate
from graph.domain.errors import AmbiguousName, EntityNotFound
from graph.domain.model import Claim, Entity, Incident
from graph.domain.ontology import Ontology, RelationType
from graph.language.extract.actors import ActorReader, CandidateEntity, ParentLink
from graph.language.extract.attribution import Attribution, Speaker, opens_in_quotation
from graph.language.extract.candidates import Candidate, Candidates
from graph.language.extract.cues import CueHit, CueMatcher
from graph.language.extract.dates import resolve_dates, resolve_later, says_later
from graph.language.extract.document import ParsedReport, Preparer, Sentence, read_reports
from graph.language.extract.incidents import IncidentReader
from graph.language.extract.lexicon import Lexicon, load_lexicon
from graph.language.extract.mentions import Mention, MentionFinder
from graph.language.extract.propernames import NameFinder, brands
from graph.language.extract.resolve import Discourse, Resolver
from graph.language.extract.slots import Pending, Reading, SlotReader
from graph.language.extract.text import ReportInput
from graph.language.extract.tree import SUBJECTS, ancestors, negated, word_in
from graph.language.learn.candidates import ACTOR_KINDS
from graph.language.learn.model import RelationModel, load_model
from graph.language.learn.reader import RelationReader
from graph.language.pipeline import DEFAULT_MODEL, load_pipeline, model_label

NAME = "kg-parse"
VERSION = "2.1"
_LOOKBACK = 4  # sentences back that "days later" may count from
# how a claim was read, and the confidence that reading starts from (see ``_confidence``)
HEDGE_DISCOUNT = 0.15  # a hedged clause ("may have", "is believed to") is trusted this much less
BASE = {"verb": 0.85, "passive": 0.85, "responsibility": 0.85, "noun": 0.75, "compound": 0.7,
        "responsibility-earlier": 0.7, "attributed": 0.7, "denial": 0.75}

__all__ = ["NAME", "VERSION", "Candidate", "CandidateEntity", "ClaimExtractor", "Extraction", "Extractor",
           "RulesReading", "claim_id", "outlet_id", "outlet_name"]


@dataclass
class Extraction:
    """What the extractor made of one report."""

    report: ReportInput
    source_id: str
    claims: list[Claim]
    candidates: list[Candidate]
    sentences: int
    skipped: dict[str, int]
    discarded: dict[str, int] = field(default_factory=dict)
    outlet: str = "unknown-outlet"
    outlet_known: bool = False
    incidents: list[Incident] = field(default_factory=list)
    entities: list[CandidateEntity] = field(default_factory=list)  # actors the registry lacks, which claims name

    def candidate_claims(self) -> list[Claim]:
        """The claims that name a candidate entity (as subject, object or asserter): they wait for review."""
        ids = {e.id for e in self.entities}
        return [c for c in self.claims if ids.intersection((c.subject, c.object, c.asserted_by))]
    model_added: int = 0  # claims the trained relation model added beside the rules'


@dataclass
class RulesReading:
    """What the trained reader is given of a report (``Extractor.rules``): the sentences as the rules read them, with
    only the registry's actors (a candidate entity's id is provisional until the report is read), the rules' claims
    after the candidate entities and before the incident reader, and the extraction the rules alone make."""

    sentences: list[Sentence]
    claims: list[Claim]
    extraction: Extraction


class ClaimExtractor(Protocol):
    """What ingest, evaluation and the API need of an extractor."""

    name: str

    def run(self, report: ReportInput, *, source_id: str | None = None) -> Extraction:
        """Claims and candidate names of one report."""
        ...

    def run_many(self, reports: Sequence[ReportInput], *, source_ids: Sequence[str | None] | None = None,
                 n_process: int = 1) -> list[Extraction]:
        """The same for many reports, in order (batched, where the extractor can)."""
        ...


def claim_id(source_id: str, subject: str, type_name: str, obj: str, quote: str, status: str,
             asserted_by: str) -> str:
    """A stable id from a claim's content: the same report extracts to the same ids."""
    basis = "|".join((source_id, subject, type_name, obj, quote, status, asserted_by))
    return "x-" + hashlib.sha256(basis.encode("utf-8")).hexdigest()[:16]


def _described(incidents: list[Incident], entities: list[CandidateEntity]) -> list[Incident]:
    """The incidents with every candidate entity they name given by its name instead of its id.

    A candidate waits for review and may be rejected, so an incident that names it by id could not be loaded;
    its name as a description keeps who did it (or was hit) without an entity that does not exist yet.
    """
    names = {e.id: e.name for e in entities}
    if not names or not incidents:
        return incidents
    out = []
    for incident in incidents:
        perpetrators = [p.model_copy(update={"id": None, "description": names[p.id]}) if p.id in names else p
                        for p in incident.perpetrators]
        perpetrators = [p.model_copy(update={"asserted_by": None, "note": " ".join(
            filter(None, [p.note, f"said by {names[p.asserted_by]}"]))}) if p.asserted_by in names else p
            for p in perpetrators]
        targets = [t.model_copy(update={"id": None, "description": names[t.id]}) if t.id in names else t
                   for t in incident.targets]
        out.append(incident.model_copy(update={"perpetrators": perpetrators, "targets": targets}))
    return out


def outlet_name(report: ReportInput) -> str:
    """How an outlet the registry lacks is named: as the report names it, else by its URL's host."""
    for name in (report.outlet, report.outlet_id):
        if name:
            return name
    host = (urllib.parse.urlsplit(report.url).hostname or "") if report.url else ""
    return host.removeprefix("www.") or "Unknown outlet"


def outlet_id(name: str) -> str:
    """The registry id an outlet not in the registry gets: its name as a slug."""
    key = "-".join(part for part in "".join(c if c.isalnum() else " " for c in name.lower()).split())
    return key or "unknown-outlet"


class Extractor:
    """The dependency-parse claim extractor over a fixed registry and ontology."""

    name: str = f"{NAME}/{VERSION}"

    def __init__(self, ontology: Ontology, entities: Iterable[Entity], lexicon: Lexicon | None = None, *,
                 model: str = DEFAULT_MODEL, relations: RelationModel | bool | None = True) -> None:
        """``relations``: the trained relation model (True: the shipped one, if any; None or False: rules alone)."""
        self.ontology = ontology
        self.lexicon = lexicon or load_lexicon()
        self.nlp = load_pipeline(model)
        self.model = model_label(self.nlp)
        self.entities = {e.id: e for e in entities}
        self.mentions = MentionFinder(self.nlp, self.entities.values(), self.lexicon)
        self.preparer = Preparer(self.nlp, self.mentions, self.lexicon.parse_as,
                                 NameFinder(self.lexicon, brands(self.entities.values()), self.mentions.index))
        self.cues = CueMatcher(self.nlp, ontology, self.lexicon)
        self.denial = ontology.denial_type
        denial_cues = ontology.relation_types[self.denial].cues.active if self.denial else []
        self.denial_words = frozenset(w for cue in denial_cues for w in cue.split() if w.isalpha())
        self.candidates = Candidates(self.lexicon, self.mentions.index)
        self.incident_reader = IncidentReader(ontology, self.entities.values(), self.lexicon)
        self.actors = ActorReader(self.lexicon, self.mentions.index, self.entities, ontology.relation_types)
        self.relations = load_model() if relations is True else (relations or None)
        self.reader = RelationReader(self.relations, ontology, self.lexicon) if self.relations is not None else None
        self.name = f"{NAME}/{VERSION}" + (f"+relclf-{self.relations.version}" if self.relations else "")

    # --- the public methods ----------------------------------------------------------------

    def run(self, report: ReportInput, *, source_id: str | None = None) -> Extraction:
        """Extract claims and candidate names from one report."""
        return self.run_many([report], source_ids=[source_id])[0]

    def run_many(self, reports: Sequence[ReportInput], *, source_ids: Sequence[str | None] | None = None,
                 n_process: int = 1) -> list[Extraction]:
        """Extract many reports, parsing them in batches (the parse is most of the cost), on ``n_process`` cores."""
        parsed = self.parse(reports, n_process=n_process)
        ids = list(source_ids) if source_ids is not None else [None] * len(reports)
        return [_Run(self, p, sid or p.report.report_id).extract() for p, sid in zip(parsed, ids, strict=True)]

    def parse(self, reports: Sequence[ReportInput], *, n_process: int = 1) -> list[ParsedReport]:
        """The reports parsed, sentence by sentence, with their names (the expensive step)."""
        return read_reports(reports, self.nlp, self.preparer, self.lexicon, n_process=n_process)

    def rules(self, parsed: ParsedReport, source_id: str) -> RulesReading:
        """What the hand rules alone read in a parsed report, as the trained reader is given it (its vote, the
        sentences with their registry actors), and the whole extraction without the model (the baseline)."""
        run = _Run(self, parsed, source_id, use_model=False)
        extraction = run.extract()
        return RulesReading(run.model_sentences, run.model_claims, extraction)

    def outlet_of(self, report: ReportInput) -> str | None:
        """The registry id of the report's outlet (by ``outlet_id``, then ``outlet``), if the registry has it."""
        for name in (report.outlet_id, report.outlet):
            # An outlet the registry lacks is the common case for a new source: asked plainly, not resolved (a miss
            # computes fuzzy suggestions, tens of milliseconds, that nobody reads here).
            if not name or not self.mentions.index.knows(name):
                continue
            try:
                return self.mentions.index.resolve(name).id
            except (EntityNotFound, AmbiguousName):
                continue
        return None

    def voice_of(self, report: ReportInput) -> str:
        """Who asserts what the report says in its own voice: the outlet, known or not.

        The outlet named (a flag, an API field, front matter, the page's own site name) is looked
        up in the registry; one it lacks gets an id from its name, and a report that names none
        is the outlet of its URL's host ("www.dawn.com" is dawn-com). It is never a reason to
        drop a claim: ingest records an unknown outlet as an organization.
        """
        known = self.outlet_of(report)
        if known is not None:
            return known
        return outlet_id(outlet_name(report))


class _Run:
    """The reading of one report: everything that carries from sentence to sentence lives here."""

    def __init__(self, extractor: Extractor, parsed: ParsedReport, source_id: str, *, use_model: bool = True) -> None:
        self.x = extractor
        self.parsed = parsed
        self.source_id = source_id
        self.outlet = extractor.voice_of(parsed.report)
        self.claims: list[Claim] = []
        self.discourse = Discourse()
        self.pending = Pending()
        self.last_speaker: Speaker | None = None
        self.discarded: Counter[str] = Counter()
        self.actors = extractor.actors.report(extractor.entities)
        # the registry and this report's candidates, as the rules look entities up
        self.known: ChainMap[str, Entity] = ChainMap(self.actors.entities, extractor.entities)
        self.candidates: dict[str, Candidate] = {}
        self.told: list[str] = []
        self.told_dates: dict[int, PartialDate | None] = {}
        self.later: list[tuple[RelationType, Sentence, Mention, set[str]]] = []
        self.use_model = use_model and extractor.reader is not None
        self.read_sentences: list[Sentence] = []  # each sentence as the rules read it (candidate mentions added)
        self.model_sentences: list[Sentence] = []  # ... with the registry's mentions only: the trained reader's view
        self.model_claims: list[Claim] = []  # the claims the trained reader was given (its vote)
        # the actors each sentence refers to without naming them, by the sentence's start: the trained reader's ends
        # across sentences
        self.references: dict[int, list[Mention]] = {}

    def extract(self) -> Extraction:
        hits_by_doc = {id(doc): self.x.cues.find(doc) for doc in self.parsed.docs}
        for sentence in self.parsed.sentences:
            hits = [h for h in hits_by_doc.get(id(sentence.span.doc), [])
                    if sentence.span.start <= h.start and h.end <= sentence.span.end]
            self._sentence(sentence, hits)
        self._later_denials()
        entities, claims = self._candidate_entities()
        candidates = list(self.candidates.values())  # every unknown name, as before; ``entities`` are those with a role
        # the trained reader votes after the candidate entities (a claim naming one it leaves as the rules read it:
        # the model pairs registry actors only) and before the incident reader, which ties its claims too
        registry = self.x.entities
        self.model_sentences = [replace(s, mentions=tuple(sorted(
            (m for m in (*s.mentions, *self.references.get(s.start, ())) if m.entity_id in registry),
            key=lambda m: m.start))) for s in self.read_sentences]
        self.model_claims = claims
        model_added = 0
        if self.use_model and self.x.reader is not None:
            revision = self.x.reader.revise(self.model_sentences, self.parsed.published, claims, self.source_id,
                                            self.outlet, self.x.name)
            claims, model_added = revision.claims, revision.added
            self.discarded.update(revision.discarded)
        incidents = self.x.incident_reader.read(self.parsed, self.source_id, self.outlet, claims)
        self.discarded.update(incidents.discarded)
        return Extraction(self.parsed.report, self.source_id, incidents.claims, candidates,
                          len(self.parsed.sentences), dict(self.parsed.skipped), dict(self.discarded), self.outlet,
                          self.x.outlet_of(self.parsed.report) is not None,
                          incidents=_described(incidents.incidents, entities), entities=entities,
                          model_added=model_added)
    def _candidate_entities(self) -> tuple[list[CandidateEntity], list[Claim]]:
        """The candidates the claims name, with their final ids, and the claims renamed to them (new ids, and
        denials pointing at the new ids); a claim whose candidate's final kind its relation does not allow goes."""
        used = [e for c in self.claims for e in (c.subject, c.object, c.asserted_by) if self.actors.is_candidate(e)]
        if not used:
            return [], self.claims
        self.actors.parents_from((c.subject, c.type, c.object) for c in self.claims)
        entities, ids = self.actors.finish(used)
        kinds = {e.id: e.kind for e in entities}
        renamed: dict[str, str] = {}
        claims: list[Claim] = []
        for claim in self.claims:
            subject, obj, by = (ids.get(e, e) for e in (claim.subject, claim.object, claim.asserted_by))
            if (subject, obj, by) == (claim.subject, claim.object, claim.asserted_by):
                claims.append(claim)
                continue
            rel = self.x.ontology.relation_types[claim.type]
            if (subject in kinds and kinds[subject] not in rel.subject_kinds) or (
                    obj in kinds and kinds[obj] not in rel.object_kinds):
                self.discarded["candidate kind"] += 1
                renamed[claim.id] = ""
                continue
            if rel.symmetric and obj < subject:
                subject, obj = obj, subject
            new_id = claim_id(self.source_id, subject, claim.type, obj, claim.quote, claim.status, by)
            renamed[claim.id] = new_id
            note = claim.note
            for old, new in ids.items():
                note = note.replace(old, new) if note else note
            claims.append(claim.model_copy(update={"id": new_id, "subject": subject, "object": obj, "asserted_by": by,
                                                   "note": note}))
        out: list[Claim] = []
        for claim in claims:
            update: dict[str, str] = {}
            if claim.note and "\x01" in claim.note:
                note = claim.note
                for old, new in ids.items():
                    note = note.replace(old, new)
                update["note"] = note
            if claim.denies is not None and claim.denies in renamed:
                if not renamed[claim.denies]:
                    self.discarded["candidate kind"] += 1
                    continue
                update["denies"] = renamed[claim.denies]
            out.append(claim.model_copy(update=update) if update else claim)
        seen: set[str] = set()
        unique = [c for c in out if not (c.id in seen or seen.add(c.id))]  # type: ignore[func-returns-value]
        used_final = {e for c in unique for e in (c.subject, c.object, c.asserted_by)}
        wanted = {e.id for e in entities if e.id in used_final}
        for entity in entities:  # a parent that is a candidate is kept with the candidate it is the parent of
            if entity.id in wanted and entity.parent in kinds:
                wanted.add(entity.parent)
        return [e for e in entities if e.id in wanted], unique

    # --- one sentence ---------------------------------------------------------------------

    def _sentence(self, sentence: Sentence, hits: list[CueHit]) -> None:
        x = self.x
        for candidate in x.candidates.of(sentence):
            entry = self.candidates.setdefault(candidate.name, candidate)
            if entry is not candidate and sentence.text not in entry.sentences:
                entry.sentences.append(sentence.text)
                entry.spans.append((sentence.start, sentence.end))
        sentence, parents = self.actors.read(sentence)
        self.read_sentences.append(sentence)
        resolver = Resolver(sentence, self.discourse, self.known, x.lexicon, x.mentions.index, self.actors)
        attribution = Attribution(resolver, x.lexicon)
        reader = SlotReader(sentence.span, resolver, x.lexicon, self.pending, self._agents_of_attacks_on)
        opens_quoted = opens_in_quotation(sentence.text)
        memo: list[PartialDate | None] = []
        made: dict[tuple[str, str, str], Claim] = {}
        acting: list[str] = []
        spoke = False
        for branch in self._branches(sentence):
            made.setdefault((branch.subject, branch.type, branch.object), branch)
        for link in parents:
            parent = self._parent_claim(link, sentence)
            if parent is not None:
                made.setdefault((parent.subject, parent.type, parent.object), parent)
        readings: list[tuple[RelationType, Reading | None, CueHit | None]] = [
            (x.ontology.relation_types[x.lexicon.responsibility_type], reading, None)
            for _, reading in reader.responsibility()]
        readings += [(x.ontology.relation_types[hit.type], None, hit) for hit in hits]
        for cued, given, hit in readings:
            rel = cued
            if hit is not None and rel.denial:
                for claim in self._denial(hit, rel, sentence, reader, attribution):
                    made.setdefault((claim.subject, claim.type, claim.object), claim)
                continue
            reading = given if hit is None else reader.read(hit, rel)
            if reading is None:
                continue
            if reading.retype is not None:
                rel = x.ontology.relation_types[reading.retype]
            if reading.intended and rel.name != x.lexicon.intended_type:
                rel = x.ontology.relation_types[x.lexicon.intended_type]  # "vowed to attack": a threat
            if not reading.subjects or not reading.objects:
                blamed = self._blame_without_target(rel, reading, attribution, opens_quoted, sentence, memo)
                for claim in blamed:
                    made.setdefault((claim.subject, claim.type, claim.object), claim)
                if (reading.subjects or reading.objects) and not blamed:
                    self.discarded["no object" if reading.subjects else
                                   "unknown agent" if self._unknown_agent(sentence) else "no subject"] += 1
                continue
            if reading.form == "attributed" and reading.accuser is not None:
                # "an attack the group blamed on Israel": the blaming is an accusation of its own
                accusation = x.ontology.relation_types[x.lexicon.accusation_type]
                for agent_end in reading.subjects:
                    if agent_end.entity_id != reading.accuser.entity_id:
                        accused = self._claim(accusation, reading.accuser, agent_end, None, reading, None, sentence,
                                              memo)
                        if accused is not None:
                            made.setdefault((accused.subject, accused.type, accused.object), accused)
            stance = self._stance(reading.clause)
            if stance in ("negated", "hypothetical", "inside a denial"):
                self.discarded[stance] += len(reading.subjects) * len(reading.objects)
                continue
            speaker = self._speaker(reading, attribution, opens_quoted)
            spoke = spoke or speaker is not None
            for subject in reading.subjects:
                for obj in reading.objects:
                    for s, o in ((subject, obj), (obj, subject)) if reading.mutual else ((subject, obj),):
                        if s.entity_id == o.entity_id:
                            continue
                        if reading.mutual and (s.kind not in rel.subject_kinds or o.kind not in rel.object_kinds):
                            continue
                        if reading.mutual and "person" in (s.kind, o.kind):
                            continue  # "Farooqi fought with Lashkar-e-Taiba": alongside it, more likely than against
                        made_claim = self._claim(rel, s, o, speaker, reading, stance, sentence, memo)
                        if made_claim is not None:
                            made.setdefault((made_claim.subject, made_claim.type, made_claim.object), made_claim)
                            acting.append(subject.entity_id)
                            blame = self._blame(made_claim, speaker, s, reading, sentence, memo)
                            if blame is not None:
                                made.setdefault((blame.subject, blame.type, blame.object), blame)
        self.claims.extend(made.values())
        if speaker_now := (self.last_speaker if opens_quoted and not spoke else None):
            self.last_speaker = speaker_now
        elif not opens_quoted and not spoke:
            self.last_speaker = None
        self.told.append(sentence.text)
        # resolved against the discourse before this sentence joins it, as the rules resolved its anaphors
        self.references[sentence.start] = resolver.references(tuple(ACTOR_KINDS))
        subjects = [m.entity_id for m in sentence.mentions if sentence.span.doc[m.start].dep_ in SUBJECTS]
        self.discourse.salient = list(dict.fromkeys(acting + subjects)) or self.discourse.salient
        self.discourse.history.extend(m for m in sentence.mentions if m.via == "name")

    def _parent_claim(self, link: ParentLink, sentence: Sentence) -> Claim | None:
        """A candidate's parent read from its name or an apposition, as the claim it makes ("JNIM, al-Qaeda's
        affiliate": JNIM an affiliate of al-Qaeda), in the outlet's voice."""
        rel = self.x.ontology.relation_types.get(link.relation)
        if rel is None or link.child.entity_id == link.parent.entity_id:
            return None
        return self._claim(rel, link.child, link.parent, None, Reading([link.child], [], sentence.span[0], "compound"),
                           None, sentence, [])

    def _unknown_agent(self, sentence: Sentence) -> bool:
        """The sentence's subject is (or is named by) a name the registry lacks, which could not be read as the act's
        agent: the act is given to no one else, and the discard says why."""
        named = {m.start for m in sentence.mentions if not self.actors.is_candidate(m.entity_id)}

        def unknown(token: Token) -> bool:
            return token.i not in named and token.text[:1].isupper() and (
                token.pos_ == "PROPN" or token.ent_type_ in ("NORP", "ORG", "PERSON"))

        # "Zuberi raiders attacked …", "Mbororo herders attacked …": the subject, or what names it
        return any(t.dep_ in SUBJECTS and (unknown(t) or any(
            c.dep_ in ("compound", "amod", "nmod", "poss") and unknown(c) for c in t.children))
            for t in sentence.span)

    def _branches(self, sentence: Sentence) -> list[Claim]:
        """A group named as a branch of another ("the Islamic State's Khorasan branch", "al-Qaeda in the Indian
        Subcontinent"): the name says it is an affiliate of the group it names first."""
        lex, found = self.x.lexicon, []
        rel = self.x.ontology.relation_types[lex.branch_type]
        for mention in sentence.mentions:
            if mention.kind != "armed_group" or mention.via != "name":
                continue
            words = mention.text.replace("’s", " 's").replace("'s", " 's").split()
            if not any(w.lower() in lex.branch_words for w in words[1:]):
                continue
            for cut in range(len(words) - 1, 0, -1):
                prefix = " ".join(words[:cut])
                if not self.x.mentions.index.knows(prefix):
                    continue
                try:
                    parent = self.x.mentions.index.resolve(prefix, self.parsed.published)
                except (EntityNotFound, AmbiguousName):
                    break
                if parent.id != mention.entity_id and parent.kind == "armed_group":
                    claim = self._claim(rel, mention, mention._replace(entity_id=parent.id, kind=parent.kind), None,
                                        Reading([mention], [], sentence.span[0], "compound"), None, sentence, [])
                    if claim is not None:
                        found.append(claim)
                break
        return found

    def _blame(self, claim: Claim, speaker: Speaker | None, agent: Mention, reading: Reading, sentence: Sentence,
               memo: list[PartialDate | None]) -> Claim | None:
        """A named state or group saying another did violence, or harboured or backed it, blames it (the
        lexicon's accusation type)."""
        lex = self.x.lexicon
        if claim.status != "alleged" or claim.type not in lex.blame_types or speaker is None or speaker.generic \
                or speaker.mention is None or speaker.kind not in ("state", "armed_group") \
                or speaker.entity_id in (agent.entity_id, None):
            return None
        accusation = self.x.ontology.relation_types[lex.accusation_type]
        blamed = self._claim(accusation, speaker.mention, agent, None, reading, None, sentence, memo)
        if blamed is None:
            return None
        return blamed.model_copy(update={"confidence": round(max(0.3, claim.confidence - 0.05), 2),
                                         "note": f"blames {claim.subject} for {claim.type} {claim.object}"})

    def _blame_without_target(self, rel: RelationType, reading: Reading, attribution: Attribution,
                              opens_quoted: bool, sentence: Sentence, memo: list[PartialDate | None]) -> list[Claim]:
        """ "Pakistan said India was behind the bombing": whom the attack hit goes unnamed, but a named state or
        group saying another did it blames it all the same (the lexicon's accusation type)."""
        lex = self.x.lexicon
        if not reading.subjects or reading.objects or rel.category != "hostile" or rel.name not in lex.blame_types \
                or reading.form == "responsibility-earlier" or (reading.form.startswith("responsibility") and (
                    word_in(reading.clause, lex.claim_verbs) or word_in(reading.clause, lex.responsibility_verbs))):
            return []  # a claim of responsibility is the claimant's own, not an accusation
        if self._stance(reading.clause) in ("negated", "hypothetical", "inside a denial"):
            return []
        speaker = self._speaker(reading, attribution, opens_quoted)
        if speaker is None or speaker.generic or speaker.mention is None \
                or speaker.kind not in ("state", "armed_group"):
            return []
        accusation = self.x.ontology.relation_types[lex.accusation_type]
        found = []
        for agent_end in reading.subjects:
            if agent_end.entity_id == speaker.entity_id:
                continue
            blamed = self._claim(accusation, speaker.mention, agent_end, None, reading, None, sentence, memo)
            if blamed is not None:
                found.append(blamed.model_copy(update={
                    "confidence": round(max(0.3, blamed.confidence - 0.1), 2),
                    "note": f"blames {agent_end.entity_id} for an attack whose target the sentence does not name"}))
        return found

    def _agents_of_attacks_on(self, target: str) -> list[Mention]:
        """Who this report has said attacked ``target``, latest first."""
        hostile = [c for c in reversed(self.claims) if c.object == target and c.type != self.x.denial
                   and self.x.ontology.relation_types[c.type].category == "hostile"]
        return [Mention(0, 0, 0, 0, c.subject, c.subject, self.known[c.subject].kind, via="event")
                for c in hostile[:1] if c.subject in self.known]

    def _speaker(self, reading: Reading, attribution: Attribution, opens_quoted: bool) -> Speaker | None:
        if reading.form.startswith("responsibility"):
            # "IS-K claimed the attack": its own claim; "ISIS bears sole responsibility for this attack," a US
            # spokeswoman said: hers
            subject = reading.subjects[0]
            said = attribution.speaker(reading.clause)
            if said is not None and said.entity_id != subject.entity_id:
                return said
            return Speaker(subject.entity_id, subject.kind, reading.clause, subject)
        if reading.form == "compound":
            return None  # "Iran-backed Jaish al-Adl" describes the group in the outlet's words, whoever speaks
        if reading.form == "attributed":
            if reading.accuser is not None:
                return Speaker(reading.accuser.entity_id, reading.accuser.kind, reading.clause, reading.accuser)
            return attribution.speaker(reading.clause) or Speaker(None, None, reading.clause, official=True)
        speaker = attribution.speaker(reading.clause)
        if speaker is None and reading.accuser is not None:
            speaker = Speaker(reading.accuser.entity_id, reading.accuser.kind, reading.clause, reading.accuser)
        if speaker is None and opens_quoted and self.last_speaker is not None:
            speaker = self.last_speaker
        if speaker is not None:
            self.last_speaker = speaker
        return speaker

    def _stance(self, clause: Token) -> str | None:
        """How the clause holds what it says: negated, hypothetical, denied, hedged, or plainly (None)."""
        lex = self.x.lexicon
        hedged = False
        below: Token | None = None
        for token in [clause, *ancestors(clause)]:
            lower, lemma = token.lower_, token.lemma_.lower()
            if token.pos_ == "NOUN" and word_in(token, self.x.lexicon.report_nouns) and below is not None \
                    and below.dep_ in ("acl", "relcl", "ccomp", "prep", "pcomp") and token.i < clause.i:
                break  # "dismissed a claim by IS-K that it fired rockets": IS-K's claim, which stands and is denied
            if below is not None and (lower in self.x.denial_words or lemma in self.x.denial_words) \
                    and token.pos_ == "VERB" and token.i < clause.i and below.dep_ not in ("conj", "cc", "parataxis"):
                # "denied that it attacked": not asserted; "X attacked Y, a charge Y denies": asserted, and
                # denied; "denied any role and accused Moscow": the accusation stands
                return "inside a denial"
            below = token
            if negated(token) and not (token != clause and self._speech(token)):
                return "negated"
            if any(c.dep_ == "mark" and c.lower_ in ("if", "unless", "whether") for c in token.children) or any(
                    c.dep_ == "advcl" and any(m.dep_ == "mark" and m.lower_ in ("if", "unless") for m in c.children)
                    for c in token.children if token.i == clause.i):
                return "hypothetical"  # "if the Taliban attacked", "would strike … if the attacks continued"
            if any(c.dep_ in ("aux", "advmod") and c.lower_ in lex.hedges for c in token.children):
                hedged = True
            if token != clause and lemma in ("believe", "think", "suspect", "say", "report") \
                    and token.tag_ == "VBN" and any(c.dep_ == "auxpass" for c in token.children):
                hedged = True  # "is believed to have", "is said to be"
            if self._speech(token) and token != clause:
                break  # what the speaker says is read as they say it
        return "hedged" if hedged else None

    def _speech(self, token: Token) -> bool:
        lex = self.x.lexicon
        return token.lower_ in lex.speech_verbs or token.lemma_.lower() in lex.speech_verbs

    # --- claims ---------------------------------------------------------------------------

    def _claim(self, rel: RelationType, subject: Mention, obj: Mention, speaker: Speaker | None, reading: Reading,
               stance: str | None, sentence: Sentence, memo: list[PartialDate | None]) -> Claim | None:
        status, asserted_by, note = self._status(rel, subject, speaker)
        if asserted_by is None:
            return None
        subject_id, object_id = subject.entity_id, obj.entity_id
        if rel.symmetric and object_id < subject_id:
            subject_id, object_id = object_id, subject_id
        notes = [n for n in (note, "hedged" if stance == "hedged" else None) if n]
        quote = sentence.text
        # the attack told before stays for every claim of it ("Responsibility was claimed by X" after "Y blamed Z")
        date = self._event_date() if obj.via == "event" else self._date(rel, sentence, memo)
        return Claim(
            id=claim_id(self.source_id, subject_id, rel.name, object_id, quote, status, asserted_by),
            subject=subject_id, type=rel.name, object=object_id, source=self.source_id, quote=quote,
            span=(sentence.start, sentence.end), status=status, asserted_by=asserted_by, date=date,
            confidence=round(max(0.3, self._confidence(reading, subject, obj, speaker, stance, sentence) - (
                0.05 if self.actors.is_candidate(subject_id) or self.actors.is_candidate(object_id) else 0.0)), 2),
            extracted_by=self.x.name, note="; ".join(notes) or None,
        )

    @staticmethod
    def _confidence(reading: Reading, subject: Mention, obj: Mention, speaker: Speaker | None, stance: str | None,
                    sentence: Sentence) -> float:
        """How far to trust a claim, from how it was read (figures per band: docs/evaluation-log.md)."""
        score = BASE.get(reading.form, 0.75)
        for end in (subject, obj):
            score -= {"coreference": 0.1, "demonym": 0.05, "event": 0.0, "inferred": 0.15}.get(end.via, 0.0)
        if stance == "hedged":
            score -= HEDGE_DISCOUNT
        if sentence.headline:
            score -= 0.1
        if speaker is not None and speaker.generic:
            score -= 0.05
        return round(min(0.95, max(0.3, score)), 2)

    def _status(self, rel: RelationType, subject: Mention, speaker: Speaker | None) -> tuple[str, str | None,
                                                                                             str | None]:
        lex = self.x.lexicon
        status: str
        asserted_by: str | None
        note: str | None = None
        if rel.name in lex.speech_act_types and (speaker is None or speaker.entity_id == subject.entity_id):
            # "Washington accused the Taliban": the accusation is the accuser's own assertion, an allegation
            status, asserted_by = "alleged", subject.entity_id
        elif speaker is None:
            status, asserted_by = "reported", self.outlet
        elif speaker.generic and speaker.official:
            status, asserted_by, note = "alleged", self.outlet, "attributed to unnamed officials"
        elif speaker.generic:
            status, asserted_by, note = "assessed", self.outlet, "attributed to unnamed analysts or experts"
        elif speaker.entity_id == subject.entity_id:
            status, asserted_by = "claimed", speaker.entity_id
        elif speaker.kind in ("person", "organization"):
            status, asserted_by = "assessed", speaker.entity_id
        else:
            status, asserted_by = "alleged", speaker.entity_id
        if rel.statuses and status not in rel.statuses:
            status = rel.statuses[0]
        if self.x.ontology.statuses[status].denial_only and not rel.denial:
            status = "reported"
        return status, asserted_by, note

    def _date(self, rel: RelationType, sentence: Sentence, memo: list[PartialDate | None]) -> str | None:
        """The sentence's date for a claim of an event; geography (territorial types) takes none."""
        if rel.category == "territorial":
            return None
        if not memo:
            dates = resolve_dates(sentence.text, self.parsed.published)
            memo.append(dates[0][2] if dates else
                        resolve_later(sentence.text, self._told_last()) if says_later(sentence.text) else None)
        return str(memo[0]) if memo[0] else None

    def _event_date(self) -> str | None:
        """The date of the attack told before without an agent, read only when a claim takes it."""
        text = self.pending.text
        dates = resolve_dates(text, self.parsed.published) if text else []
        return str(dates[0][2]) if dates else None

    def _told_last(self) -> PartialDate | None:
        """The latest date an earlier sentence stated, which "days later" counts from."""
        for number in range(len(self.told) - 1, max(-1, len(self.told) - 1 - _LOOKBACK), -1):
            if number not in self.told_dates:
                dates = resolve_dates(self.told[number], self.parsed.published)
                self.told_dates[number] = dates[-1][2] if dates else None
            if self.told_dates[number] is not None:
                return self.told_dates[number]
        return None

    # --- denials --------------------------------------------------------------------------

    def _denial(self, hit: CueHit, rel: RelationType, sentence: Sentence, reader: SlotReader,
                attribution: Attribution) -> list[Claim]:
        doc = sentence.span.doc
        verb = doc[hit.start:hit.end].root
        if negated(verb):
            self.discarded["negated"] += 1
            return []
        if verb.tag_.startswith("NN"):
            # "…, a charge Kabul rejects": the parser took the verb for a noun and the denier for its modifier
            deniers = [m for m in sentence.mentions if m.end == verb.i and m.start > sentence.span.start
                       and word_in(doc[m.start - 1], self.x.lexicon.report_nouns)]
        else:
            subject_tokens, _ = reader.subjects_of_verb(verb)
            deniers = [m for t in subject_tokens if (m := reader.resolver.entity(t)) is not None]
        if not deniers and not verb.tag_.startswith("NN"):
            speaker = attribution.speaker(verb)
            if speaker is not None and speaker.mention is not None:
                deniers = [speaker.mention]
        embedded = {m.entity_id for m in sentence.mentions if m.start > verb.i and m.start in
                    {t.i for t in verb.subtree}}
        claims = []
        for denier in deniers:
            target = self._denied(denier.entity_id, embedded)
            if target is None:
                # a headline or a lede may deny what the report tells only further down: try again at the end
                self.later.append((rel, sentence, denier, embedded))
                continue
            denial = self._denial_of(rel, sentence, denier, target)
            if denial is not None:
                claims.append(denial)
        return claims

    def _denial_of(self, rel: RelationType, sentence: Sentence, denier: Mention, target: Claim) -> Claim | None:
        # the one whose claim is denied: its asserter, or, for what the outlet reports, its subject
        denied = next((e for e in (target.asserted_by, target.subject)
                       if e not in (self.outlet, denier.entity_id) and e in self.known), None)
        if denied is None:
            return None
        quote = sentence.text
        return Claim(
            id=claim_id(self.source_id, denier.entity_id, rel.name, denied, quote, "denied", denier.entity_id),
            subject=denier.entity_id, type=rel.name, object=denied, source=self.source_id, quote=quote,
            span=(sentence.start, sentence.end), status="denied", asserted_by=denier.entity_id,
            denies=target.id, confidence=BASE["denial"] - (0.1 if denier.via == "coreference" else 0.0),
            extracted_by=self.x.name, note=f"denies {target.type} {target.subject} → {target.object}")

    def _later_denials(self) -> None:
        """Denials read before what they deny, matched now that the whole report is read."""
        for rel, sentence, denier, embedded in self.later:
            target = self._denied(denier.entity_id, embedded)
            denial = self._denial_of(rel, sentence, denier, target) if target is not None else None
            if denial is None:
                self.discarded["denial of nothing read"] += 1
            elif all((c.subject, c.type, c.object, c.quote) != (denial.subject, denial.type, denial.object,
                                                                 denial.quote) for c in self.claims):
                self.claims.append(denial)

    def _denied(self, denier: str, embedded: set[str]) -> Claim | None:
        """The claim a denial most plausibly answers: one of this report's claims that others make of the denier,
        or about what the denial names."""
        claims = [c for c in self.claims if c.type != self.x.denial and c.asserted_by != denier]
        tests: tuple[Callable[[Claim], bool], ...] = (
            lambda c: c.subject == denier and c.status == "alleged",  # an allegation against the denier
            lambda c: c.object in embedded and c.subject in embedded,  # what the denial names
            lambda c: c.object in embedded,
            lambda c: c.object == denier,  # "Dushanbe denied that any attack took place"
            lambda c: c.subject == denier)
        for test in tests:
            found = [c for c in claims if test(c)]
            if found:
                return found[-1]
        return None

