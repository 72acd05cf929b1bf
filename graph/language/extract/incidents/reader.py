"""The incident reader: the incidents a report tells, read from its parse beside the claims the extractor made.

``IncidentReader`` is built once per extractor (its event words come from the ontology's ``incident_types``) and
reads one parsed report at a time (``read``), keeping no state between reports. For each sentence it finds:

1. **event words** (``events``), leaving out those that did not happen (negated, intended, threatened, foiled) and
   general ones (a plural "attacks" with no "the" or number before it);
2. the **events** they tell: the words of one sentence are one event, except a word marked as another incident
   ("a similar attack on Termez on April 18", "the deadliest since a bombing in 2017"), which is an event of its
   own with the dates and places under it;
3. for each event, whether it is the incident being told (its type related, its date and place compatible: "the
   blast", "the attack" refer back) or a new one; a new one needs anchors (a date, a place, a casualty figure, a
   target, an agent) enough to be one incident and not talk of violence in general;
4. the **agents, targets and figures** of the event's words, and the **stances** of the sentence (claims of
   responsibility, blame, denials), which join the event they name, or the incident being told.

At the end each draft becomes an ``Incident``: its type the narrowest its words support, its date the most precise
its sentences give (relative dates read against the report's date; the report's date itself is never taken for
the event's), its place the most specific named (resolved through the gazetteer), the perpetrators with their
basis and asserter, the targets, the figures, and a report entry per sentence that tells it. Claims of attack,
blame and denial in those sentences get the incident's id, and a denial is tied to the claim it answers within the
same incident.

Policy for what it cannot read, counted in ``IncidentReading.discarded`` by reason: an event word that did not
happen (``incident: not an event``), a general mention (``incident: no anchor``), a stance with no incident told
before it (``incident: stance without incident``).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from spacy.tokens import Token

from graph.domain.dates import PartialDate
from graph.domain.errors import AmbiguousName, EntityNotFound, OntologyError
from graph.domain.gazetteer import Gazetteer, fold, load_gazetteer
from graph.domain.incident_match import broader_chain, dates_overlap, fallback_type, km
from graph.domain.model import (
    Claim,
    Count,
    Entity,
    Incident,
    IncidentPlace,
    IncidentReport,
    Location,
    Perpetrator,
    Target,
)
from graph.domain.ontology import Ontology
from graph.language.extract.dates import resolve_dates, resolve_later, says_later
from graph.language.extract.document import ParsedReport, Sentence
from graph.language.extract.incidents.actors import Actor, ActorReader, Basis, Stance
from graph.language.extract.incidents.events import EventWord, EventWords
from graph.language.extract.incidents.figures import Figure, FigureReader
from graph.language.extract.incidents.places import PRECISION, PlaceFinder, PlaceHit
from graph.language.extract.incidents.words import IncidentWords, load_words
from graph.language.extract.lexicon import Lexicon
from graph.language.extract.tree import ancestors, negated

NAME = "kg-incidents"
VERSION = "1.0"
MAX_QUOTES = 6  # report entries an incident keeps from one report: the sentences that tell it, first first
_STANCE_REACH = 8  # sentences after an incident within which a claim, blame or denial with no event word joins it
_PLURAL_ONE = {"twin", "two", "three", "simultaneous", "coordinated", "multiple", "both", "these", "the", "those"}
_BACKGROUND_PREPS = {"since", "after", "before", "than", "like", "including"}
_SLUG = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class IncidentReading:
    """What the incident reader made of one report: its incidents, the claims (with their incident ids and the
    denials tied within incidents), and what it read and set aside, by reason."""

    incidents: list[Incident]
    claims: list[Claim]
    discarded: dict[str, int]


@dataclass
class _Event:
    """One event told in one sentence: its words, and the dates and places that are its own."""

    words: list[EventWord]
    sentence: Sentence
    dates: list[PartialDate]
    places: list[PlaceHit]
    background: bool = False

    @property
    def definite(self) -> bool:
        """Told as known already: "the attack", "Tuesday's bombing", "it"."""
        for word in self.words:
            head = word.head
            if word.part == "noun" and any((c.dep_ in ("det", "poss") and c.lower_ in ("the", "this", "that", "these",
                                                                                       "those", "its", "their"))
                                           or c.dep_ == "poss" for c in head.children):
                return True
        return False


@dataclass
class _Perp:
    actor: Actor
    basis: Basis
    asserter: Actor | None
    role: str = "perpetrator"
    note: str | None = None


@dataclass
class _Draft:
    """An incident while the report is read."""

    number: int
    background: bool
    types: list[tuple[str, bool]] = field(default_factory=list)
    sentences: list[Sentence] = field(default_factory=list)
    dates: list[PartialDate] = field(default_factory=list)
    places: list[PlaceHit] = field(default_factory=list)
    perpetrators: list[_Perp] = field(default_factory=list)
    targets: list[tuple[str | None, str | None]] = field(default_factory=list)
    figures: list[tuple[Figure, Sentence]] = field(default_factory=list)
    last: int = 0

    def add_sentence(self, sentence: Sentence) -> None:
        if all(s.number != sentence.number for s in self.sentences):
            self.sentences.append(sentence)
            self.sentences.sort(key=lambda s: s.number)
        self.last = max(self.last, sentence.number)


class IncidentReader:
    """Reads the incidents of parsed reports (see the module's docstring)."""

    name = f"{NAME}/{VERSION}"

    def __init__(self, ontology: Ontology, entities: Iterable[Entity], lexicon: Lexicon,
                 words: IncidentWords | None = None, *, gazetteer: Gazetteer | None = None) -> None:
        self.ontology = ontology
        self.words = words or load_words()
        unknown = [t for t in self.words.type_precedence if t not in ontology.incident_types]
        unknown += [t for pair in self.words.confusable_types for t in pair if t not in ontology.incident_types]
        if unknown:
            raise OntologyError(f"incident reader words name undefined incident types: {', '.join(sorted(unknown))}")
        self.entities: dict[str, Entity] = {e.id: e for e in entities}
        self.lexicon = lexicon
        self.events = EventWords(ontology, self.words.weak_words)
        self.actors = ActorReader(self.entities, lexicon, self.words)
        self.figures = FigureReader(self.words)
        self.fallback = fallback_type(ontology)
        self.event_nouns = frozenset(lexicon.event_nouns) | frozenset(
            n.split(" ")[-1] for spec in ontology.incident_types.values() for n in spec.nouns
            if n.split(" ")[-1] not in self.words.weak_words)
        self.confusable = frozenset(frozenset(pair) for pair in self.words.confusable_types)
        self._gazetteer = gazetteer
        self._places: PlaceFinder | None = None

    @property
    def places(self) -> PlaceFinder:
        """The place finder, built on first need (the gazetteer takes a moment to load)."""
        if self._places is None:
            self._places = PlaceFinder(self.entities, self._gazetteer or load_gazetteer())
        return self._places

    def read(self, parsed: ParsedReport, source_id: str, outlet: str, claims: Sequence[Claim]) -> IncidentReading:
        """The incidents of one report, and its claims tied to them."""
        return _Reading(self, parsed, source_id, outlet).run(claims)


class _Reading:
    """The reading of one report."""

    def __init__(self, reader: IncidentReader, parsed: ParsedReport, source_id: str, outlet: str) -> None:
        self.r = reader
        self.parsed = parsed
        self.source_id = source_id
        self.outlet = outlet
        self.drafts: list[_Draft] = []
        self.current: _Draft | None = None
        self.discarded: Counter[str] = Counter()
        self.last_date: PartialDate | None = None
        self.groups: list[str] = []  # armed groups named so far, latest last ("the group" refers back)
        self.headline: list[tuple[Stance, Sentence]] = []  # a headline's stances, for the incident told below it
        self.headline_places: list[PlaceHit] = []
        self.hints = reader.places.hints(m for s in parsed.sentences for m in s.mentions) \
            if any(s.mentions for s in parsed.sentences) else []

    def _branch_of(self, branch: str | None, group: str | None) -> bool:
        """Whether the registry names one group as a branch of another ("Islamic State Khorasan" of "Islamic
        State"): a headline naming the parent says what the body says of the branch."""
        parent, child = self.r.entities.get(group or ""), self.r.entities.get(branch or "")
        if parent is None or child is None or parent.id == child.id:
            return False
        stem = fold(parent.name) + " "
        return any(fold(name).startswith(stem) for name in [child.name, *(a.name for a in child.aliases)])

    def run(self, claims: Sequence[Claim]) -> IncidentReading:
        for sentence in self.parsed.sentences:
            self._sentence(sentence)
        if self.headline and self.drafts:
            # what the headline alone said of who did it ("Russia blames Ukraine for concert hall massacre") is said
            # of the incident the report goes on to tell, where the body says nothing of the kind
            first = self.drafts[0]
            for stance, said_in in self.headline:
                actor = stance.actor.entity_id if stance.actor is not None else None
                if not any(p.basis == stance.basis and (p.actor.entity_id == actor or self._branch_of(
                        p.actor.entity_id, actor)) for p in first.perpetrators):
                    self._take_stance(stance, first, said_in)
        incidents = self._incidents()
        linked = self._link(list(claims), incidents)
        return IncidentReading([incident for incident, _ in incidents], linked, dict(self.discarded))

    # --- one sentence ------------------------------------------------------------------------

    def _sentence(self, sentence: Sentence) -> None:
        r = self.r
        words = []
        for word in r.events.find(sentence.span):
            if self._real(word):
                words.append(word)
            else:
                self.discarded["incident: not an event"] += 1
        stances = r.actors.stances(sentence, r.event_nouns)
        figures = r.figures.read(sentence.span)
        words += self._killings(sentence, words, figures)
        dates = self._dates(sentence)
        verbs = frozenset(w.head.i for w in words if w.part == "verb")
        places = r.places.find(sentence, self.hints, verbs) if (words or stances or figures or sentence.headline) \
            else []
        touched: list[tuple[_Event, _Draft]] = []
        for event in self._events(sentence, words, dates, places):
            current = self.current
            draft = self._place(event, bool(figures), [d for _, d in touched])
            if touched and draft is not None and draft is not touched[0][1]:
                self.current = current  # a clause beside the sentence's first event does not take over the story
            if draft is not None:
                touched.append((event, draft))
                self._read_words(event, draft)
        main = next((d for e, d in touched if not e.background), None)
        for figure in figures:
            target = self._figure_draft(figure, touched, main)
            if target is not None:
                target.figures.append((figure, sentence))
                target.add_sentence(sentence)
        for stance in stances:
            target = self._stance_draft(stance, touched, main, sentence)
            if target is None and sentence.headline and not self.drafts:
                self.headline.append((stance, sentence))  # "Russia blames Ukraine for concert hall massacre"
                continue
            if target is None:
                self.discarded["incident: stance without incident"] += 1
                continue
            self._take_stance(stance, target, sentence)
        if sentence.headline and not touched and places:
            self.headline_places = [p for p in places if not p.origin]
        if self.headline_places and self.drafts:
            first = self.drafts[0]
            if not [p for p in first.places if not p.origin]:
                first.places += self.headline_places  # "Separatists seize passenger train in Balochistan"
            self.headline_places = []
        for mention in sentence.mentions:
            if mention.kind == "armed_group":
                self.groups.append(mention.entity_id)
        if dates:
            self.last_date = dates[-1][1]

    def _killings(self, sentence: Sentence, words: list[EventWord], figures: list[Figure]) -> list[EventWord]:
        """ "The group that killed ten border guards near Mirjaveh last month": a killing with its figure tells an
        incident even when no event word names how, as a weak word of the fallback type."""
        if words or self.r.fallback is None:
            return []
        found: list[EventWord] = []
        for figure in figures:
            if figure.kind != "killed" or figure.attackers or figure.toll:
                continue
            verb = next((t for t in [figure.token, *ancestors(figure.token)] if t.pos_ == "VERB"), None)
            if verb is None or verb.lemma_.lower() not in self.r.words.killed_verbs | {"shoot"}:
                continue
            word = EventWord(verb.i, verb.i + 1, self.r.fallback, "verb", verb.lemma_.lower(), verb, True)
            if self._real(word) and all(w.head.i != verb.i for w in found):
                found.append(word)
        return found

    def _real(self, word: EventWord) -> bool:
        """Whether the event word tells something that happened: not negated, not intended, feared or foiled, not
        a general plural."""
        head = word.head
        unreal = self.r.words.unreal_words
        if negated(head):
            return False
        chain = [head, *list(ancestors(head))[:3]]
        for token in chain:
            if token != head and token.dep_ in ("ccomp", "parataxis") and token.pos_ == "VERB":
                break
            lemma = token.lemma_.lower()
            if token != head and lemma in unreal and token.pos_ in ("VERB", "NOUN", "ADJ", "AUX"):
                return False
            for child in token.children:
                if child.dep_ in ("aux", "amod", "mark") and child.lemma_.lower() in unreal and not any(
                        c.lemma_.lower() == "have" and c.dep_ == "aux" for c in token.children):
                    return False
            if token.pos_ == "VERB" and token != head:
                break
        if any(c.tag_ == "JJS" or c.lower_ in ("deadliest", "worst", "bloodiest", "biggest", "largest")
               for c in head.children if c.dep_ == "amod"):
            return False  # "the deadliest attack in the city since 2018": a comparison, not an event
        if word.plural and (head.lemma_.lower() in self.r.event_nouns or head.lower_ in self.r.event_nouns):
            words = {c.lower_ for c in head.children if c.dep_ in ("det", "nummod", "amod", "compound", "poss")}
            if not words & _PLURAL_ONE:
                return False
        # "has repeatedly ambushed": a campaign, not one incident
        return not (word.part == "verb" and any(c.dep_ == "advmod" and c.lower_ in self.r.lexicon.frequency_adverbs
                                                for c in head.children))

    def _dates(self, sentence: Sentence) -> list[tuple[int | None, PartialDate]]:
        """The dates a sentence gives, each with the token it stands at (None for an offset from the last date)."""
        found: list[tuple[int | None, PartialDate]] = []
        base = sentence.span.start_char
        for start, _end, when in resolve_dates(sentence.text, self.parsed.published):
            if sentence.text[max(0, start - 6):start].lower().strip().endswith("since") or \
                    sentence.text[start:start + 5].lower() == "since":
                continue  # "since 2018": when a span began, not when the event happened
            char = base + start
            token = next((t.i for t in sentence.span if t.idx <= char < t.idx + len(t.text) + 1), None)
            found.append((token, when))
        if says_later(sentence.text):
            later = resolve_later(sentence.text, self.last_date)
            if later is not None:
                found.append((None, later))
        return found

    def _events(self, sentence: Sentence, words: list[EventWord], dates: list[tuple[int | None, PartialDate]],
                places: list[PlaceHit]) -> list[_Event]:
        """The sentence's event words as events: one main event, and one for each word told as another incident,
        with the dates and places under that word."""
        if not words:
            return []
        background = [w for w in words if self._other(w)]
        main = [w for w in words if w not in background]
        events: list[_Event] = []
        owned: set[int] = set()
        for word in background:
            subtree = {t.i for t in word.head.subtree}
            own_dates = [d for i, d in dates if i is not None and i in subtree]
            own_places = [p for p in places if p.token.i in subtree]
            owned |= subtree
            events.append(_Event([word], sentence, own_dates, own_places, background=True))
        groups: dict[int, list[EventWord]] = {}
        for word in main:
            groups.setdefault(self._clause_verb(word.head), []).append(word)
        clauses = {verb: {t.i for t in sentence.span.doc[verb].subtree} if verb >= 0 else set() for verb in groups}
        told: list[_Event] = []
        for verb, group in groups.items():
            # "the TTP said it carried out the bombing to avenge Mehsud, who was killed by a CIA missile in South
            # Waziristan in August": each clause with event words is an event, its dates and places its own
            heads = {w.head.i for w in group}
            others = {i for other, tokens in clauses.items() if other != verb and not tokens & heads for i in tokens}
            outside = owned | others | self._outside(sentence, group)
            rest_dates = [d for i, d in dates if (i is None and not told) or (i is not None and i not in outside)]
            rest_places = [p for p in places if p.token.i not in outside]
            told.append(_Event(group, sentence, rest_dates, rest_places))
        return told + events

    @staticmethod
    def _clause_verb(head: Token) -> int:
        """The verb of the clause an event word stands in (itself for a verb), or -1 in a verbless headline."""
        for token in [head, *ancestors(head)]:
            if token.pos_ in ("VERB", "AUX") and (token.i == head.i or token.dep_ != "aux"):
                verb = token
                # "blew up the track and stormed the train, taking hundreds hostage": one clause, one event
                while verb.dep_ in ("xcomp", "conj", "advcl") and verb.head.pos_ == "VERB" and not any(
                        c.dep_ in ("nsubj", "nsubjpass") for c in verb.children):
                    verb = verb.head
                return verb.i
        return -1

    def _outside(self, sentence: Sentence, words: list[EventWord]) -> set[int]:
        """The tokens whose dates and places are not the event's: what a speech verb over the event says of the
        speaking ("Pakistan's military said on Thursday that the fighters who stormed …"), and clauses that did not
        happen ("Iran would hit bases inside Pakistan if …") that hold none of the event's words."""
        heads = {w.head.i for w in words}
        outside: set[int] = set()
        speech = self.r.actors.speech
        scopes = [self._clause_of(w.head) for w in words]
        if any(scope is not None for scope in scopes):
            # "the doctor who blew himself up inside a CIA base … appears in a video released on Saturday": the
            # relative clause is the event's, the rest of the sentence is about something else
            inside = {t.i for scope, word in zip(scopes, words, strict=True)
                      for t in (scope.subtree if scope is not None else word.head.subtree)}
            outside |= {t.i for t in sentence.span if t.i not in inside}
        for word in words:
            below = word.head
            for token in ancestors(word.head):
                if token.pos_ in ("VERB", "AUX") and (token.lemma_.lower() in speech or token.lower_ in speech) \
                        and below.dep_ in ("ccomp", "parataxis", "advcl", "xcomp"):
                    for child in token.children:
                        if child != below and child.dep_ not in ("nsubj", "nsubjpass"):
                            outside |= {t.i for t in child.subtree}
                below = token
        for token in sentence.span:
            unreal = any(c.dep_ == "aux" and c.lemma_.lower() in ("would", "could", "will", "might", "may", "should")
                         for c in token.children) or any(c.dep_ == "mark" and c.lower_ in ("if", "unless")
                                                         for c in token.children)
            if unreal and token.pos_ in ("VERB", "AUX"):
                subtree = {t.i for t in token.subtree}
                if not subtree & heads:
                    outside |= subtree
        return outside - heads

    @staticmethod
    def _clause_of(head: Token) -> Token | None:
        """The relative or adjectival clause an event word stands in ("who blew himself up"), if it stands in one
        whose head is a person or thing the sentence is about."""
        for token in [head, *ancestors(head)]:
            if token.dep_ in ("relcl", "acl") and token.pos_ == "VERB":
                return token
            if token.dep_ in ("ccomp", "ROOT", "conj", "advcl"):
                return None
        return None

    def _other(self, word: EventWord) -> bool:
        """A word told as another incident than the one being told ("a similar attack", "since a bombing")."""
        head = word.head
        if word.part != "noun":
            return False
        marks = {c.lower_ for c in head.children if c.dep_ in ("amod", "det", "advmod", "compound")}
        if marks & self.r.words.other_event_words:
            return True
        indefinite = any(c.dep_ == "det" and c.lower_ in ("a", "an") for c in head.children)
        if indefinite and head.dep_ == "pobj" and head.head.lower_ in _BACKGROUND_PREPS:
            return True  # "weeks after a similar attack on Termez"
        # "a week after a suicide bombing killed soldiers": the subject of a clause opened by "after"
        return indefinite and head.dep_ in ("nsubj", "nsubjpass") and any(
            c.dep_ == "mark" and c.lower_ in _BACKGROUND_PREPS for c in head.head.children)

    # --- events to incidents -----------------------------------------------------------------

    def _anchors(self, event: _Event, figures: bool) -> float:
        """How firmly an event is one incident: a day or month, a town, a figure, a target, an agent."""
        score = 0.0
        for when in event.dates[:1]:
            score += 2 if when.month is not None else 0.5
        if event.places:
            rank = min(p.rank for p in event.places if not p.origin) if any(not p.origin for p in event.places) \
                else 5
            score += 2 if rank <= 3 else 1 if rank == 4 else 0.5
        if figures:
            score += 2
        if any(not w.weak for w in event.words):
            score += 1
        heads = [w.head for w in event.words]
        if any(self.r.actors.targets(event.sentence, h, w.part, w.start)
               for h, w in zip(heads, event.words, strict=True)):
            score += 1
        if any(self.r.actors.agents(event.sentence, w.head, w.part) for w in event.words):
            score += 1
        told = {w.head.i for w in event.words}
        if any(s.basis == "claimed" and s.actor is not None and s.actor.named and s.event is not None
               and s.event.i in told for s in self.r.actors.stances(event.sentence, self.r.event_nouns)):
            score += 2  # "the BLA, which claimed the hijacking": an incident someone owns up to
        return score

    def _place(self, event: _Event, figures: bool,  # noqa: PLR0911 - a return per outcome
               joined: Sequence[_Draft] = ()) -> _Draft | None:
        """The draft an event joins, or a new one, or None when it is too vague to be an incident."""
        current = self.current
        if event.background:
            for draft in reversed(self.drafts):
                if draft is current or draft in joined:
                    continue  # told as another incident than the one the report is telling
                if self._compatible(draft, event, strict=True):
                    draft.add_sentence(event.sentence)
                    return draft
            if self._anchors(event, False) >= 4:
                return self._new(event, background=True)
            self.discarded["incident: no anchor"] += 1
            return None
        if current is not None and self._compatible(current, event, strict=False):
            current.add_sentence(event.sentence)
            return current
        if current is not None and event.sentence.number - current.last <= _STANCE_REACH and (
                event.definite or (not event.dates and not event.places)) and self._related(current, event) and \
                not (current.dates and event.dates and not dates_overlap(str(current.dates[0]), str(event.dates[0]),
                                                                         slack_days=0)):
            # "the shelling", "the clash", "the raids came as the prime minister was in Beijing", "the attacker opened
            # fire on police at the gate": the incident being told, whatever word names it now and wherever else the
            # sentence goes
            event.words = [replace(w, weak=True) for w in event.words]
            if not self._compatible(current, event, strict=False, types=False):
                event.places = []
            current.add_sentence(event.sentence)
            return current
        if event.definite and not event.dates and not event.places:
            for draft in reversed(self.drafts):
                if self._compatible(draft, event, strict=False):
                    draft.add_sentence(event.sentence)
                    self.current = draft
                    return draft
        strong = any(not w.weak for w in event.words)
        needed = 2.0 if strong else 4.0
        if self._anchors(event, figures) >= needed + (1 if strong else 0):
            draft = self._new(event, background=False)
            self.current = draft
            return draft
        self.discarded["incident: no anchor"] += 1
        return None

    def _related(self, draft: _Draft, event: _Event) -> bool:
        """Whether the event's words may name the draft's incident: a generic word ("the attack", "the incident"),
        or a type its types refine or are refined by, or one reporting confuses with them ("the hijackings" in a
        report of airstrikes are another incident)."""
        ontology, fallback = self.r.ontology, self.r.fallback
        held = {t for t, _ in draft.types}
        for word in event.words:
            if word.type == fallback or not held - {fallback} or word.type in held:
                return True
            if any(word.type in broader_chain(ontology, t) or t in broader_chain(ontology, word.type)
                   or frozenset((t, word.type)) in self.r.confusable for t in held):
                return True
        return False

    def _new(self, event: _Event, *, background: bool) -> _Draft:
        draft = _Draft(len(self.drafts), background)
        draft.add_sentence(event.sentence)
        self.drafts.append(draft)
        return draft

    def _compatible(self, draft: _Draft, event: _Event, *, strict: bool, types: bool = True) -> bool:
        """Whether an event may be the draft's incident: types related, dates overlapping, places one within the
        other; a strict test (for an event told as another incident) needs the same date or place."""
        held = {t for t, _ in draft.types}
        fallback = self.r.fallback
        ontology = self.r.ontology
        for word in event.words if types else []:
            if word.type == fallback or word.weak or not held:
                continue
            related = any(word.type in broader_chain(ontology, t) or t in broader_chain(ontology, word.type)
                          or t == fallback or frozenset((t, word.type)) in self.r.confusable for t in held)
            if not related:
                return False
        if draft.dates and event.dates and not any(
                dates_overlap(str(a), str(b), slack_days=0) for a in draft.dates[:2] for b in event.dates[:1]):
            return False
        own = [p for p in event.places if not p.origin]
        there = [p for p in draft.places if not p.origin]
        if own and there and not any(_within(a, b) for a in own for b in there):
            return False
        if strict:
            same_date = bool(draft.dates and event.dates and str(draft.dates[0]) == str(event.dates[0]))
            same_place = bool(own and there and any(_same(a, b) for a in own for b in there))
            return same_date or same_place
        return True

    def _read_words(self, event: _Event, draft: _Draft) -> None:
        """What the event's words give its draft: types, dates, places, agents (by whose account) and targets."""
        r = self.r
        draft.types += [(w.type, w.weak) for w in event.words]
        draft.dates += [d for d in event.dates if all(str(d) != str(e) for e in draft.dates)]
        draft.places += event.places
        for word in event.words:
            said = r.actors.speaker(event.sentence, word.head)
            for named in r.actors.agents(event.sentence, word.head, word.part):
                # "IS-K said one of its fighters carried out the attack": the speaker's own
                actor = said if named.refers_back and said is not None and said.named else self._refer(named, draft)
                if actor is None:
                    continue
                draft.perpetrators.append(self._perp(actor, said, word))
            for target in r.actors.targets(event.sentence, word.head, word.part, word.start):
                if target not in draft.targets:
                    draft.targets.append(target)

    def _perp(self, actor: Actor, said: Actor | None, word: EventWord) -> _Perp:
        hedged = any(c.lower_ in self.r.lexicon.hedges for c in word.head.subtree if c.i < word.head.i)
        note = "hedged" if hedged else None
        if said is None:
            return _Perp(actor, "reported", None, note=note)
        if said.named and said.entity_id == actor.entity_id:
            return _Perp(actor, "claimed", actor, note=note)
        if actor.named and said.entity_id is None and not said.official and not said.analyst:
            return _Perp(actor, "reported", None, note=note)
        if said.analyst or said.kind in ("person", "organization"):
            return _Perp(actor, "assessed", said, note=note)
        return _Perp(actor, "alleged", said, note=note)

    def _refer(self, actor: Actor, draft: _Draft) -> Actor | None:
        """An actor named as "the group" or "it": the armed group the incident or the report named last."""
        if not actor.refers_back:
            return actor
        named = [p.actor.entity_id for p in draft.perpetrators if p.actor.entity_id] or self.groups
        if not named:
            return None
        entity = self.r.entities.get(named[-1])
        return Actor(named[-1], entity.kind if entity else None, token=actor.token)

    def _figure_draft(self, figure: Figure, touched: list[tuple[_Event, _Draft]], main: _Draft | None
                      ) -> _Draft | None:
        for event, draft in touched:
            heads = {w.head.i for w in event.words}
            path = {figure.token.i, *(t.i for t in ancestors(figure.token))}
            if event.background and (heads & path or any(figure.token.i in {t.i for t in w.head.subtree}
                                                         for w in event.words)):
                return draft
        if main is not None:
            return main
        if figure.toll and self.current is not None:
            return self.current
        return None

    def _stance_draft(self, stance: Stance, touched: list[tuple[_Event, _Draft]], main: _Draft | None,
                      sentence: Sentence) -> _Draft | None:
        if stance.event is not None:
            for event, draft in touched:
                if any(w.head.i == stance.event.i for w in event.words):
                    return draft
        if main is not None:
            return main
        current = self.current
        if current is not None and sentence.number - current.last <= _STANCE_REACH:
            return current
        return None

    def _take_stance(self, stance: Stance, draft: _Draft, sentence: Sentence) -> None:
        draft.add_sentence(sentence)
        asserter = self._refer(stance.asserter, draft) if stance.asserter is not None else None
        if stance.actor is not None and stance.actor.refers_back and asserter is not None and asserter.named and \
                stance.basis != "denied" and asserter.kind == "armed_group":
            # "an Islamic State affiliate said it was behind the attack": the speaker's own claim
            draft.perpetrators.append(_Perp(asserter, "claimed", asserter, stance.role))
            return
        actor = self._refer(stance.actor, draft) if stance.actor is not None else None
        if stance.basis != "denied":
            if actor is not None:
                draft.perpetrators.append(_Perp(actor, stance.basis, asserter, stance.role))
            return
        denier = actor
        if denier is None:
            return
        if stance.happened:
            # "denied that such attacks took place": each actor said to have done it is denied by the denier
            acting = [p for p in draft.perpetrators if p.basis != "denied" and p.actor.entity_id
                      and p.actor.entity_id != denier.entity_id]
            for perp in {p.actor.entity_id: p for p in acting}.values():
                draft.perpetrators.append(_Perp(perp.actor, "denied", denier, note="denies the attack took place"))
            if acting:
                return
        accused = {p.actor.entity_id for p in draft.perpetrators if p.basis in ("alleged", "assessed", "reported")}
        claimed = [p for p in draft.perpetrators if p.basis == "claimed" and p.actor.entity_id != denier.entity_id]
        if denier.entity_id in accused or not claimed or set(stance.parts) & {
                "involvement", "responsibility", "role", "part", "hand", "link", "links", "connection",
                "participation", "complicity", "accusation", "accusations", "allegation", "allegations", "charge",
                "charges", "blame"}:
            draft.perpetrators.append(_Perp(denier, "denied", denier))
        else:
            for perp in claimed:
                draft.perpetrators.append(_Perp(perp.actor, "denied", denier, note="denies the claim"))

    # --- drafts to incidents -----------------------------------------------------------------

    def _incidents(self) -> list[tuple[Incident, _Draft]]:
        made: list[tuple[Incident, _Draft]] = []
        ids: Counter[str] = Counter()
        for draft in self.drafts:
            incident = self._incident(draft)
            if incident is None:
                continue
            ids[incident.id] += 1
            if ids[incident.id] > 1:
                incident = incident.model_copy(update={"id": f"{incident.id}-{ids[incident.id]}"})
            made.append((incident, draft))
        return made

    def _type(self, draft: _Draft) -> str:
        """The narrowest type the words support: strong words first, then the weak; the fallback last."""
        ontology, fallback = self.r.ontology, self.r.fallback
        weak_types = {t for t, w in draft.types if w and t != fallback}
        for weak in (False, True):
            types = {t for t, w in draft.types if w == weak and t != fallback}
            if not types:
                continue
            # "a suicide bomber … the bombing": a weak word that refines a strong one's type narrows it
            types |= {t for t in weak_types if any(o != t and o in broader_chain(ontology, t) for o in types)}
            narrowest = {t for t in types if not any(t != o and t in broader_chain(ontology, o) for o in types)}
            for name in self.r.words.type_precedence:
                if name in narrowest:
                    return name
            return sorted(narrowest)[0]
        return fallback or draft.types[0][0]

    def _date(self, draft: _Draft) -> str | None:
        if not draft.dates:
            return None
        chosen = draft.dates[0]
        for when in draft.dates[1:]:
            if dates_overlap(str(chosen), str(when), slack_days=0) and \
                    (when.month is not None) + (when.day is not None) > (chosen.month is not None) + (
                        chosen.day is not None):
                chosen = when
        return str(chosen)

    def _where(self, draft: _Draft) -> PlaceHit | None:
        """The most specific place named: the first named, refined by later places within it."""
        hits = [p for p in draft.places if not p.origin]
        if not hits:
            return None
        chosen = hits[0]
        for hit in hits[1:]:
            if hit.rank < chosen.rank and _within(hit, chosen):
                chosen = hit
        return chosen

    def _country(self, hit: PlaceHit | None) -> str | None:
        if hit is None:
            return None
        if hit.entity is not None and self.r.entities.get(hit.entity) is not None and \
                self.r.entities[hit.entity].kind == "state":
            return hit.entity
        code = hit.country_code
        return self.r.places.state_of_country.get(code) if code else None

    def _incident(self, draft: _Draft) -> Incident | None:
        kind = self._type(draft)
        when = self._date(draft)
        hit = self._where(draft)
        country = self._country(hit)
        place = location = None
        admin1 = admin1_code = None
        if hit is not None:
            gazetteer_place = hit.place
            precision = PRECISION[gazetteer_place.kind] if gazetteer_place else None
            place = IncidentPlace(name=hit.name, id=hit.entity, gazetteer=gazetteer_place.key if gazetteer_place
                                  else None, precision=precision)
            if gazetteer_place is not None:
                admin1, admin1_code = gazetteer_place.admin1, gazetteer_place.admin1_code
                if gazetteer_place.lat is not None and gazetteer_place.lon is not None:
                    location = Location(lat=gazetteer_place.lat, lon=gazetteer_place.lon, precision=precision)
        perpetrators = self._perpetrators(draft, country)
        targets = [Target(id=i) if i else Target(description=d) for i, d in draft.targets
                   if (i is None or i in self.r.entities) and not (i is not None and i == country and place)]
        figures = self._figures(draft, perpetrators, kind)
        reports = [IncidentReport(source=self.source_id, quote=s.text, span=(s.start, s.end))
                   for s in draft.sentences[:MAX_QUOTES]]
        reports = self._figures_on_reports(reports, draft, figures)
        anchors = sum(bool(x) for x in (when, place, perpetrators, figures.get("killed") or figures.get("injured")))
        slug = _SLUG.sub("-", fold(f"{(place.name if place else 'unplaced')} {kind.replace('_', ' ')} "
                                   f"{when or 'undated'}")).strip("-")
        return Incident(
            id=slug, type=kind, date=when, place=place, admin1=admin1, admin1_code=admin1_code, country=country,
            location=location, perpetrators=perpetrators, targets=targets, killed=figures.get("killed"),
            injured=figures.get("injured"), abducted=figures.get("abducted"), reports=reports,
            note="told as an earlier incident" if draft.background else None,
            confidence=round(min(0.9, 0.5 + 0.1 * anchors), 2), extracted_by=self.r.name)

    def _rulers(self, entity_id: str | None, when: PartialDate | None) -> str | None:
        """A state named where its rulers acted, as the registry's alias windows read it at the time: a state
        whose capital's name stands for another entity from some date ("Kabul" for the Taliban from 15 August
        2021) is that entity after it ("Afghan forces shelled Chaman" in 2022 are the Taliban's)."""
        entity = self.r.entities.get(entity_id or "")
        if entity is None or entity.kind != "state" or when is None:
            return entity_id
        for alias in entity.aliases:
            ended = alias.valid_until
            if ended is None or str(when) <= ended:
                continue
            try:
                now = self.r.actors.names.resolve(alias.name, when)
            except (EntityNotFound, AmbiguousName):
                continue
            if now.id != entity.id and now.kind in ("armed_group", "state"):
                return now.id
        return entity_id

    def _perpetrators(self, draft: _Draft, country: str | None) -> list[Perpetrator]:
        found: list[Perpetrator] = []
        seen: set[tuple[str | None, str | None, str, str | None]] = set()
        state = country or (self.r.places.state_of_country.get(self.hints[0]) if self.hints else None)
        named = any(p.actor.entity_id for p in draft.perpetrators if p.basis != "denied")
        when = (draft.dates[0] if draft.dates else self.parsed.published)
        for perp in draft.perpetrators:
            actor = perp.actor
            if actor.entity_id is None and (actor.description is None or named):
                continue  # "gunmen" add nothing once the attackers are named
            if actor.entity_id is not None:
                actor = replace(actor, entity_id=self._rulers(actor.entity_id, when))
            asserter, note = self._asserter(perp, state)
            asserter = self._rulers(asserter, when) if asserter != self.outlet else asserter
            if perp.basis == "reported":
                asserter = self.outlet
            key = (actor.entity_id, None if actor.entity_id else actor.description, perp.basis, asserter)
            if key in seen:
                continue
            seen.add(key)
            notes = "; ".join(n for n in (perp.note, note) if n) or None
            found.append(Perpetrator(id=actor.entity_id, description=None if actor.entity_id else actor.description,
                                     basis=perp.basis, asserted_by=asserter,
                                     role="sponsor" if perp.role == "sponsor" else "perpetrator", note=notes))
        # "Islamic State claims …" over "the Islamic State's Khorasan province said it was behind …": the branch
        # named is who is meant (the ontology's coding convention), its parent no second perpetrator
        return [p for p in found if not any(q.basis == p.basis and self._branch_of(q.id, p.id) for q in found)]

    def _asserter(self, perp: _Perp, state: str | None) -> tuple[str | None, str | None]:
        asserter = perp.asserter
        if asserter is None:
            return self.outlet, None
        if asserter.entity_id:
            return asserter.entity_id, None
        if asserter.official:
            if state is not None:
                return state, "attributed to unnamed officials"
            return self.outlet, "attributed to unnamed officials"
        return self.outlet, "attributed to unnamed analysts" if asserter.analyst else None

    def _figures(self, draft: _Draft, perpetrators: list[Perpetrator], kind: str) -> dict[str, Count]:
        """One figure per casualty kind: a running toll over what came before, else the highest stated."""
        acting = {self.r.entities[p.id].kind for p in perpetrators if p.id and p.id in self.r.entities
                  and p.basis != "denied" and p.role == "perpetrator"}
        # militants killed are victims of a state's strike, and the attackers in a group's raid
        fighters_are_victims = ("state" in acting and "armed_group" not in acting) or kind in (
            "airstrike", "drone_strike", "military_operation", "armed_clash")
        chosen: dict[str, Count] = {}
        for casualty in ("killed", "injured", "abducted"):
            # a headline's figure is the body's said shorter ("kills 11" for "killing at least 11"): the body's first
            figures = [f for f, s in sorted(draft.figures, key=lambda fs: fs[1].headline)
                       if f.kind == casualty and not f.attackers and (fighters_are_victims or not f.fighters)]
            if not figures:
                continue
            tolls = [f for f in figures if f.toll]
            if tolls:
                chosen[casualty] = tolls[-1].count
                continue
            best = max(figures, key=lambda f: (f.count.min if f.count.min is not None else (f.count.max or 0)))
            chosen[casualty] = best.count
        return chosen

    def _figures_on_reports(self, reports: list[IncidentReport], draft: _Draft,
                            figures: dict[str, Count]) -> list[IncidentReport]:
        """The report's own figures on the entry of the sentence that states them (kept per report when reports
        of several outlets make one incident)."""
        out = []
        for report in reports:
            update: dict[str, Count] = {}
            for casualty in ("killed", "injured"):
                count = figures.get(casualty)
                if count is not None and any(s.start == report.span[0] for f, s in draft.figures
                                             if f.kind == casualty and f.count == count):
                    update[casualty] = count
            out.append(report.model_copy(update=update) if update else report)
        return out

    # --- claims ------------------------------------------------------------------------------

    def _link(self, claims: list[Claim], incidents: list[tuple[Incident, _Draft]]) -> list[Claim]:
        """Claims of attack, responsibility, blame and denial in an incident's sentences carry its id; what they
        say of who did it joins the incident's perpetrators; a denial answers a claim of the same incident."""
        lex, ontology = self.r.lexicon, self.r.ontology
        denial = ontology.denial_type
        linked_types = {lex.responsibility_type, lex.accusation_type, denial}
        by_sentence: dict[int, list[int]] = {}
        for position, (_, draft) in enumerate(incidents):
            for sentence in draft.sentences:
                by_sentence.setdefault(sentence.start, []).append(position)
        out: list[Claim] = []
        for claim in claims:
            positions = by_sentence.get(claim.span[0], [])
            if claim.type not in linked_types or not positions:
                out.append(claim)
                continue
            position = self._claim_incident(claim, positions, incidents)
            incident, _ = incidents[position]
            update: dict[str, object] = {"incident": incident.id}
            if claim.type == lex.responsibility_type and claim.date is None and incident.date is not None:
                update["date"] = incident.date
            out.append(claim.model_copy(update=update))
        out = self._tie_denials(out, denial)
        for position, (incident, draft) in enumerate(incidents):
            incidents[position] = (self._with_claims(incident, [c for c in out if c.incident == incident.id]), draft)
        return out

    def _claim_incident(self, claim: Claim, positions: list[int], incidents: list[tuple[Incident, _Draft]]) -> int:
        """Of the incidents a sentence tells, the one a claim is about: the one its date or its subject fits."""
        if len(positions) == 1:
            return positions[0]
        for position in positions:
            incident = incidents[position][0]
            if claim.date and incident.date and dates_overlap(claim.date, incident.date, slack_days=0):
                return position
        for position in positions:
            if any(p.id in (claim.subject, claim.object) for p in incidents[position][0].perpetrators):
                return position
        return next((p for p in positions if not incidents[p][1].background), positions[0])

    def _tie_denials(self, claims: list[Claim], denial: str | None) -> list[Claim]:
        """A denial of an incident answers a claim of that incident: an accusation against the denier, else an
        allegation that the denier did it, else the incident's claim of attack."""
        by_id = {c.id: c for c in claims}
        lex = self.r.lexicon
        out = []
        for claim in claims:
            if claim.type != denial or claim.incident is None:
                out.append(claim)
                continue
            target = by_id.get(claim.denies or "")
            if target is not None and target.incident == claim.incident:
                out.append(claim)
                continue
            same = [c for c in claims if c.incident == claim.incident and c.type != denial and c.id != claim.id]
            ranked = ([c for c in same if c.type == lex.accusation_type and c.object == claim.subject]
                      + [c for c in same if c.type == lex.responsibility_type and c.subject == claim.subject
                         and c.status != "claimed"]
                      + [c for c in same if c.type == lex.responsibility_type and c.subject != claim.subject])
            chosen = ranked[0] if ranked else None
            if chosen is None:
                out.append(claim)
                continue
            out.append(claim.model_copy(update={
                "denies": chosen.id, "note": f"denies {chosen.type} {chosen.subject} → {chosen.object}"}))
        return out

    def _with_claims(self, incident: Incident, claims: list[Claim]) -> Incident:
        """What the extractor's claims of the incident say of who did it, added where the reader's own reading
        missed it."""
        lex, denial = self.r.lexicon, self.r.ontology.denial_type
        perpetrators = list(incident.perpetrators)
        have = {(p.id, p.basis, p.asserted_by) for p in perpetrators}
        by_id = {c.id: c for c in claims}
        named = any(p.id for p in perpetrators if p.basis != "denied")
        acting = {p.id for p in perpetrators if p.id and p.basis != "denied"}
        claimed = {p.id for p in perpetrators if p.id and p.basis == "claimed"} | {
            c.subject for c in claims if c.type == lex.responsibility_type and c.status == "claimed"}
        for claim in claims:
            entity = self.r.entities.get(claim.subject)
            found: Perpetrator | None = None
            if claim.type == lex.responsibility_type and entity is not None and entity.kind in (
                    "armed_group", "state", "person") and (not named or claim.status == "claimed") and \
                    claim.object not in acting and \
                    claim.status in ("claimed", "alleged", "assessed", "confirmed"):
                # the extractor's reading of who attacked fills in where the reader named nobody
                found = Perpetrator(id=claim.subject, basis=claim.status, asserted_by=claim.asserted_by)
            elif claim.type == lex.accusation_type and claim.object in self.r.entities and \
                    claim.object != incident.country and claim.subject not in claimed:
                # blame for the attack; not a claimant's grievance against the state it struck
                found = Perpetrator(id=claim.object, basis="alleged", asserted_by=claim.subject)
            elif claim.type == denial:
                target = by_id.get(claim.denies or "")
                if target is not None and target.type == lex.accusation_type:
                    found = Perpetrator(id=claim.subject, basis="denied", asserted_by=claim.subject)
                elif target is not None and target.subject != claim.subject:
                    found = Perpetrator(id=target.subject, basis="denied", asserted_by=claim.subject)
                elif target is not None:
                    found = Perpetrator(id=claim.subject, basis="denied", asserted_by=claim.subject)
            if found is None or (found.id, found.basis, found.asserted_by) in have:
                continue
            if found.basis != "denied" and any(p.id == found.id and p.basis == found.basis for p in perpetrators):
                continue
            have.add((found.id, found.basis, found.asserted_by))
            perpetrators.append(found)
        perpetrators = [p for p in perpetrators if p.id is not None or not any(
            q.id for q in perpetrators if q.basis != "denied")]
        return incident.model_copy(update={"perpetrators": perpetrators})


def _within(a: PlaceHit, b: PlaceHit) -> bool:  # noqa: PLR0911 - a return per relation
    """Two places that may be one: the same, one inside the other, or close together."""
    if a.place is None or b.place is None:
        return a.name == b.name or a.place is None or b.place is None
    pa, pb = a.place, b.place
    if pa.key == pb.key:
        return True
    if pa.country_code != pb.country_code:
        return False
    if "country" in (pa.kind, pb.kind):
        return True
    if "province" in (pa.kind, pb.kind):
        return bool(pa.admin1_code and pa.admin1_code == pb.admin1_code)
    if pa.lat is not None and pb.lat is not None and pa.lon is not None and pb.lon is not None:
        return km((pa.lat, pa.lon), (pb.lat, pb.lon)) <= 40
    return False


def _same(a: PlaceHit, b: PlaceHit) -> bool:
    if a.place is not None and b.place is not None:
        return a.place.key == b.place.key or (a.rank <= 3 and b.rank <= 3 and _within(a, b))
    return a.name == b.name


__all__ = ["NAME", "VERSION", "IncidentReader", "IncidentReading"]
