"""From a question in plain English to a structured query, through the extractor's statistical parse.

A question is read in five steps, each on what the last left:

1. **Words**: the ontology's synonyms are rewritten ("seeking to" is "trying to") and the time
   expressions taken out ("in 2022", "since April 2022": ``graph.language.ask.times``).
2. **Names**: the registry's names and aliases are found on the tokens (``graph.language.ask.mentions``)
   and each merged into one token.
3. **Parse**: the extractor's spaCy pipeline tags, lemmatizes and parses what is left.
4. **Reading**: what the question asks (who, which kind, where, how many, yes or no) and the
   word that names a relation (``graph.language.ask.vocabulary``: its lemma, and where each named entity
   stands to it, give the relation type and which end the entity is) or a shape of its own
   (events at a place, an attack named by place, every tie between two entities, what someone
   asserts, denials, a profile, a status). A relation reached through another ("al-Qaeda's
   leader") is a chain.
5. **Nothing left over**: every word that carries meaning must have been read. A question with a
   word the reader cannot place is refused with the closest questions it does understand,
   never answered with a guess: a wrong reading is worse than a refusal.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass
from difflib import SequenceMatcher

from spacy.language import Language
from spacy.tokens import Doc, Token

from graph.domain.dates import MONTHS
from graph.domain.errors import EntityNotFound, KgError, QuestionNotUnderstood
from graph.domain.model import Entity
from graph.domain.names import fold
from graph.domain.ontology import Ontology
from graph.language.ask.followup import follow_up
from graph.language.ask.intent import Features, IntentModel
from graph.language.ask.intent import load_model as load_intent_model
from graph.language.ask.mentions import Found, NameFinder, merge
from graph.language.ask.model import AskQuery, Mention, Reading
from graph.language.ask.question import Question, Unreadable
from graph.language.ask.shapes import read_query
from graph.language.ask.spelling import english_words, speller
from graph.language.ask.times import Times, take_times
from graph.language.ask.vocabulary import WH_WORDS, vocabulary
from graph.language.pipeline import process

SUGGESTIONS = 3
# What each assumption leaves of a reading's confidence (multiplied): a word read as another, a misspelt name read
# as the closest one, a name read as it stands now, a relation word with several senses. A question read with
# confidence below REFUSE_BELOW is refused with suggestions rather than answered: about five guesses in one question.
DOUBT = {"corrected": 0.9, "close": 0.85, "now": 0.95, "senses": 0.9}
REFUSE_BELOW = 0.5
SUGGESTIONS_TRIED = 12  # phrasings read to check they are understood before the rest are offered unchecked
QUESTION_MAX_WORDS = 60
# Who reads a question: the shape functions alone, the trained intent-and-slot model alone, or both (the shape
# functions when they read the whole question with confidence, else the trained model when it is sure enough).
POLICIES = ("shapes", "trained", "combined")
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'", "\u02bc": "'", "\u201c": '"', "\u201d": '"'})


@dataclass(frozen=True)
class Read:
    """A question read: the query to run and how it was read."""

    query: AskQuery
    reading: Reading


# --- the reader -------------------------------------------------------------------------

class QuestionReader:
    """Reads questions: built once per process (pipeline, vocabulary, the registry's names), then shared.

    ``read`` keeps everything it works on local to the call, so one reader serves many threads; only the
    spaCy stage (tokenizer, matcher, tagger and parser, which fill caches) runs one question at a time.
    """

    def __init__(self, ontology: Ontology, nlp: Language, entities: Iterable[Entity], *,
                 intent: IntentModel | None = None, policy: str = "combined") -> None:
        if policy not in POLICIES:
            raise KgError(f"question reader policy {policy!r}: expected one of {', '.join(POLICIES)}")
        self.intent = intent
        self.policy = policy
        self.features = Features(ontology)
        self.ontology = ontology
        self.nlp = nlp
        self.vocab = vocabulary(ontology, nlp)
        entities = list(entities)
        self.names = NameFinder(nlp, entities, ontology.questions.lexicon.not_names)
        self.speller = speller(ontology, (n for e in entities for n in (e.name, *(a.name for a in e.aliases))),
                               english=english_words(nlp))
        self._suggestable = _suggestable(ontology)
        self._topic_of = _topic_of(ontology)
        self._lock = threading.Lock()

    def refreshed(self, entities: Iterable[Entity]) -> QuestionReader:
        """A reader over another registry (after a load added names), sharing the pipeline and vocabulary."""
        return QuestionReader(self.ontology, self.nlp, entities, intent=self.intent, policy=self.policy)

    def with_policy(self, policy: str, intent: IntentModel | None = None) -> QuestionReader:
        """The same reader under another policy (and model): for the ablation and cross-validation."""
        other = object.__new__(QuestionReader)
        other.__dict__.update(self.__dict__)
        if policy not in POLICIES:
            raise KgError(f"question reader policy {policy!r}: expected one of {', '.join(POLICIES)}")
        other.policy = policy
        other.intent = intent if intent is not None else self.intent
        other._lock = self._lock
        return other

    def knows(self, name: str) -> bool:
        """Whether the reader's registry has this name."""
        return self.names.index.knows(name)

    def parse(self, question: str) -> Doc:
        """The question's words parsed, names merged into one token each (no reading): what the reader reads."""
        return self._doc(question)[0]

    def _doc(self, question: str) -> tuple[Doc, dict[int, Found], Times, list[tuple[str, str]]]:
        text = " ".join(question.translate(_APOSTROPHES).split())
        if text.isupper():
            text = text.lower()  # "WHO IS IS-K TRYING TO PROVOKE?": the tagger knows words, not shouting
        if len(text.split()) > QUESTION_MAX_WORDS:
            raise QuestionNotUnderstood(question, [])
        spelt, corrected = self.speller.corrected(text)
        times = take_times(self.vocab.rewrite(spelt))
        with self._lock:  # spaCy's tokenizer and string store fill caches as they go: one question at a time
            doc = self.nlp.make_doc(times.text)
            found = self.names.close_names(doc, self.names.find(doc, times.at), times.at)
            names = merge(doc, found)
            doc = process(self.nlp, [doc])[0]
        return doc, names, times, corrected

    def read(self, question: str) -> Read:
        """What a question asks, as a query to run.

        Raises ``QuestionNotUnderstood`` (with the closest questions understood) when some word
        cannot be placed, ``EntityNotFound`` when a word that looks like a name is none the
        registry knows, ``AmbiguousName`` when a name stands for several entities.
        """
        asked, query, left = self._attempt(question)
        if self.policy != "trained" and query is not None and not left:
            reading = _reading(asked, query)
            if reading.confidence >= REFUSE_BELOW:
                return Read(query, reading)
        if query is None or left:
            self._unknown_name(asked, left)
        if self.policy != "shapes" and self.intent is not None:
            trained = self._trained(asked)
            if trained is not None:
                return trained
        raise QuestionNotUnderstood(question, self.suggest(asked), read=self.partial(asked))

    def question(self, question: str) -> Question:
        """The question parsed, its names and time found, nothing read yet: what the trained reader reads."""
        doc, names, times, corrected = self._doc(question)
        return Question(question, doc, {i: f.entity for i, f in names.items()}, times, self.vocab,
                        close={i: f.text for i, f in names.items() if f.close},
                        now={i: f.text for i, f in names.items() if f.now}, corrected=corrected)

    def _trained(self, tried: Question) -> Read | None:
        """The trained model's reading when it is at least as sure as its threshold (chosen by cross-validation
        over the development sets), else None. It reads the parse the shape functions read, afresh."""
        assert self.intent is not None
        asked = Question(tried.text, tried.doc, tried.entities, tried.times, self.vocab, close=tried.close,
                         now=tried.now, corrected=tried.corrected)
        vocab = self.vocab
        if any(t.lower_ in vocab.unanswerable or (t.tag_ == "MD" and t.lower_ in vocab.hypothetical)
               or (t.lower_ in vocab.negations and not (t.lower_ == "no" and t.i == 0)) for t in asked.doc):
            return None  # "why", "could", "not": what the graph cannot answer, or the opposite of what it would read
        found = self.intent.read(asked, self.features)
        if found is None:
            return None
        reading = _reading(asked, found.query)
        confidence = round(min(reading.confidence, found.confidence), 2)  # the model's and the words' doubts
        if confidence < self.intent.threshold:
            return None
        return Read(found.query, reading.model_copy(update={
            "confidence": confidence, "reader": f"trained {self.intent.version}",
            "predicate": reading.predicate or (found.relation if found.relation != "-" else None),
            "notes": [*reading.notes, f"read by the trained model {self.intent.version} as {found.intent.split('|')[0]}"
                      + (f" ({found.relation})" if found.relation != "-" else "")]}))

    def follow(self, question: str, previous: AskQuery) -> Read | None:
        """A follow-up ("and in 2023?", "what about Iran?", "who denied it?") read against the previous query; None
        when the question is not of a follow-up's form (it is then read alone)."""
        doc, names, times, _ = self._doc(question)
        followed = follow_up(previous, doc, {i: f.entity for i, f in names.items()}, times,
                             self.ontology.denial_type, self.vocab.denials)
        return Read(*followed) if followed is not None else None

    def topics(self, asked: Question) -> list[str]:
        """The relation types and categories the question's relation words can name, the likeliest first."""
        senses: dict[str, int] = {}
        for token in asked.doc:
            if token.i in asked.entities or not self.vocab.is_trigger(token):
                continue
            for sense, weight in self.vocab.senses[asked.lemma(token)].most_common():
                senses[sense.name] = senses.get(sense.name, 0) + weight
        return sorted(senses, key=lambda name: -senses[name])

    def partial(self, asked: Question) -> dict[str, object]:
        """What a refused question was read as as far as it went: its names, the relations its words can name,
        the words read as others; the suggestions are built from these."""
        return {"names": [e.name for _, e in sorted(asked.entities.items())], "relations": self.topics(asked),
                "corrected": [f"'{typed}' read as '{fixed}'" for typed, fixed in asked.corrected]}

    def _attempt(self, question: str) -> tuple[Question, AskQuery | None, list[Token]]:
        """The question parsed, the query read from it (None if none), and the words no part of it used."""
        doc, names, times, corrected = self._doc(question)
        asked = Question(question, doc, {i: f.entity for i, f in names.items()}, times, self.vocab,
                         close={i: f.text for i, f in names.items() if f.close},
                         now={i: f.text for i, f in names.items() if f.now}, corrected=corrected)
        try:
            query = read_query(asked)
        except Unreadable:
            return asked, None, []
        return asked, query, asked.leftovers()

    def _understood(self, question: str) -> bool:
        """Whether a question reads whole (for suggestions: only questions the reader understands are offered)."""
        try:
            _asked, query, left = self._attempt(question)
        except KgError:
            return False
        return query is not None and not left

    def _unknown_name(self, asked: Question, left: list[Token]) -> None:
        """``EntityNotFound`` for words left over that look like a name (capitalised, tagged a proper noun, or close
        to a name the registry has), reported whole ("Abu Bakr al-Baghdadi")."""
        candidates = left or [t for t in asked.doc if t.i not in asked.used and t.i not in asked.entities]
        for token in candidates:
            looks_like_name = token.pos_ == "PROPN" or (token.i > 0 and token.text[:1].isupper())
            if not looks_like_name or token.lower_ in WH_WORDS or token.lower_.rstrip(".") in MONTHS:
                continue  # "in April": a date the reader could not place, not a name
            run = [token]
            for following in asked.doc[token.i + 1:]:
                joined = following.text == "-" or following.lower_ in ("al", "bin", "ibn", "el", "abu")
                if following.i in asked.entities or not (following.text[:1].isupper() or joined):
                    break
                run.append(following)
            while run and (run[-1].text[:1].islower() or run[-1].text == "-"):
                run.pop()
            if not run:
                continue
            name = asked.doc[run[0].i:run[-1].i + 1].text
            suggestions = self.names.index.suggest(name) or self.names.index.suggest(token.text)
            if suggestions or any(t.pos_ == "PROPN" for t in run):
                raise EntityNotFound(name, suggestions)  # a name, whole, that the registry lacks

    def suggest(self, asked: Question) -> list[str]:
        """The phrasings closest to a question, filled with the names it gives: those of the relations its words
        name first (on topic), then by the number of names and the likeness of the words."""
        names = [asked.entities[i].name for i in sorted(asked.entities)]
        bare = fold(" ".join(t.text for t in asked.doc if t.i not in asked.entities and not t.is_punct))
        slots = len(names)
        topics = {name: rank for rank, name in enumerate(self.topics(asked))}
        ranked = sorted(self._suggestable,
                        key=lambda p: (topics.get(self._topic_of.get(p, ""), len(topics)),
                                       p.count("{") - p.count("{status}") != max(1, min(2, slots)),
                                       -SequenceMatcher(None, bare, p.replace("{x}", "").replace("{y}", "")).ratio()))
        seen: list[str] = []
        for tried, phrase in enumerate(ranked):
            filled = phrase
            for slot, name in zip(("{x}", "{y}"), names, strict=False):
                filled = filled.replace(slot, name)
            filled = filled.replace("{status}", "disputed").replace("{x}", "…").replace("{y}", "…")
            # A suggestion with a blank is a pattern to fill in; a filled one must be a question the reader reads.
            if filled not in seen and ("…" in filled or tried >= SUGGESTIONS_TRIED or self._understood(filled)):
                seen.append(filled)
            if len(seen) == SUGGESTIONS:
                break
        return seen


def _suggestable(ontology: Ontology) -> list[str]:
    asked = ontology.questions
    phrasings = [p for rel in ontology.relation_types.values() for p in (*rel.phrasings.forward,
                                                                          *rel.phrasings.backward)]
    phrasings += [p for c in asked.categories.values() for p in (*c.forward, *c.backward)]
    for extra in (asked.connection, asked.pair, asked.profile, asked.status, asked.events, asked.incident,
                  asked.assertions, asked.denials, asked.counts, asked.yes_no):
        phrasings += extra
    return list(dict.fromkeys(phrasings))


def _topic_of(ontology: Ontology) -> dict[str, str]:
    """Each phrasing of a relation type or category, and the relation or category it asks about."""
    topic: dict[str, str] = {}
    for rel in ontology.relation_types.values():
        for phrase in (*rel.phrasings.forward, *rel.phrasings.backward):
            topic.setdefault(phrase, rel.name)
    for name, category in ontology.questions.categories.items():
        for phrase in (*category.forward, *category.backward):
            topic.setdefault(phrase, name)
    return topic


def load_reader(ontology: Ontology, entities: Iterable[Entity], model: str) -> QuestionReader:
    """A reader on the installed spaCy pipeline ``model`` (loaded once per process)."""
    from graph.language.pipeline import load_pipeline  # noqa: PLC0415  (spaCy loads only when a reader is built)

    return QuestionReader(ontology, load_pipeline(model), entities, intent=load_intent_model())


# --- how it was read ---------------------------------------------------------------------------

def _asks(asked: Question, query: AskQuery) -> str:
    if query.form == "yes_no":
        return "yes/no"
    if query.form == "count":
        return f"how many ({query.count_of})"
    wh = asked.wh
    if query.kinds:
        return "which " + " or ".join(query.kinds)
    return wh.lower_ if wh is not None else "what"


def _reading(asked: Question, query: AskQuery) -> Reading:
    mentions = [Mention(text=asked.doc[i].text, id=e.id, name=e.name, kind=e.kind, role=asked.roles.get(i, "named"),
                        close=i in asked.close)
                for i, e in sorted(asked.entities.items())]
    predicate = next((asked.lemma(t) for t in asked.doc if t.i in asked.used and asked.vocab.is_trigger(t)), None)
    notes = [f"'{m.text}' read as {m.name}, the closest name" for m in mentions if m.close]
    notes += [f"'{asked.doc[i].text}' read as it stands now: {e.name}" for i, e in sorted(asked.entities.items())
              if i in asked.now]
    notes += [f"'{typed}' read as '{fixed}'" for typed, fixed in asked.corrected]
    notes += asked.notes
    if asked.times.said:
        notes.append(f"'{asked.times.said}' read as when it happened")
    return Reading(asks=_asks(asked, query), predicate=predicate, mentions=mentions, time=asked.times.said,
                   notes=notes, confidence=_confidence(asked, predicate))


def _confidence(asked: Question, predicate: str | None) -> float:
    """How sure a reading is: each assumption it made takes its share (``DOUBT``), rounded to two places."""
    senses = len(asked.vocab.senses.get(predicate, ())) if predicate else 0
    score = (DOUBT["corrected"] ** len(asked.corrected) * DOUBT["close"] ** len(asked.close)
             * DOUBT["now"] ** len(asked.now) * (DOUBT["senses"] if senses > 1 else 1.0))
    return round(score, 2)


__all__ = ["QuestionReader", "Read", "load_reader"]
