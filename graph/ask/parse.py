"""From a question in plain English to a structured query, through the ontology's phrasings.

No language model: the entity names in the question are found by the longest match against
the registry's names and aliases and replaced by ``{x}`` (``{y}`` for a second one); what is
left is compared, word by word, with every phrasing the ontology lists (relation types,
categories, connections, profiles, statuses). Both sides go through the same normalisation
(case, punctuation, possessives, the ontology's synonyms and ignored words, a light stemmer),
so paraphrases meet without a list of sentences. Which list a phrasing came from (forward or
backward) says whether the named entity is the subject or the object.

A question that matches nothing well enough is refused with the closest phrasings, filled in
with the entity found, rather than answered with a guess.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from difflib import SequenceMatcher
from typing import Literal

from graph.dates import PartialDate, window
from graph.errors import EntityNotFound, QuestionNotUnderstood
from graph.model import Entity
from graph.names import AliasIndex
from graph.ontology import Direction, Ontology

Shape = Literal["relation", "category", "connection", "profile", "status"]

# A question is read only when its best phrasing scores at least this (1.0 is a perfect match).
THRESHOLD = 0.78
SUGGESTIONS = 3
MAX_NAME_WORDS = 8
SLOTS = ("{x}", "{y}", "{status}")
# Question words and particles weigh half: they frame a question but rarely decide which relation it asks about.
_LIGHT = frozenset({"who", "what", "which", "where", "whose", "how", "when", "why", "'s", "of", "to", "from",
                    "with", "in", "on", "at", "by", "for", "against", "about", "into", "and", "we"})
_QUESTION_WORDS = frozenset({"who", "what", "which", "whose"})
_TOKEN = re.compile(r"\{[a-z]+\}|'s\b|[a-z0-9]+(?:[-'][a-z0-9]+)*")
_EDGE_PUNCTUATION = "?!.,;:\"()[]“”"
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'", "\u02bc": "'"})


# --- normalisation ----------------------------------------------------------------------

def _fold(text: str) -> str:
    """Lowercase, without diacritics, with one kind of apostrophe."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return plain.translate(_APOSTROPHES).casefold()


def _words(text: str) -> list[str]:
    """Lowercase word tokens, a possessive ``'s`` (or a plural's bare ``'``) split off as its own token."""
    folded = _fold(text)
    folded = re.sub(r"([a-z0-9}])'s\b", r"\1 's", folded)
    folded = re.sub(r"([a-z0-9}])s'(?=\s|$)", r"\1s 's", folded)
    return _TOKEN.findall(folded)


def stem(word: str) -> str:
    """A light suffix stripper, so that attacked, attacks and attacking meet; applied to both sides alike."""
    if len(word) <= 3 or not word.isalpha():
        return word
    for suffix, replacement in (("ies", "y"), ("ied", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", ""),
                                ("e", "")):
        if word.endswith(suffix) and not word.endswith("ss") and len(word) - len(suffix) >= 3:
            word = word[: len(word) - len(suffix)] + replacement
            break
    if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "aeiouls":
        word = word[:-1]
    return word


@dataclass(frozen=True)
class Vocabulary:
    """The ontology's question vocabulary, tokenised once."""

    synonyms: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]
    ignore: frozenset[str]
    anything: tuple[str, ...]
    status_words: dict[str, str]

    @classmethod
    def of(cls, ontology: Ontology) -> Vocabulary:
        asked = ontology.questions
        synonyms = sorted(((tuple(_words(k)), tuple(_words(v))) for k, v in asked.synonyms.items()),
                          key=lambda pair: -len(pair[0]))
        words = {stem(w): s for w, s in asked.status_words.items()}
        words.update({stem(s): s for s in ontology.statuses if not ontology.statuses[s].denial_only})
        return cls(tuple(synonyms), frozenset(asked.ignore),
                   tuple(sorted(asked.anything, key=len, reverse=True)), words)

    def normalise(self, text: str) -> tuple[str, ...]:
        """The tokens matching compares: synonyms rewritten, ignored words dropped, words stemmed."""
        tokens = _words(text)
        rewritten: list[str] = []
        i = 0
        while i < len(tokens):
            for phrase, replacement in self.synonyms:
                if tuple(tokens[i:i + len(phrase)]) == phrase:
                    rewritten.extend(replacement)
                    i += len(phrase)
                    break
            else:
                rewritten.append(tokens[i])
                i += 1
        return tuple(stem(t) for t in rewritten if t not in self.ignore)


# --- phrasings ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Template:
    """One phrasing the ontology lists, with what a match on it means."""

    shape: Shape
    phrase: str
    tokens: tuple[str, ...]
    name: str = ""  # the relation type or category asked about
    types: tuple[str, ...] = ()
    direction: Direction = "both"  # out: {x} is the subject; in: {x} is the object

    @property
    def slots(self) -> frozenset[str]:
        return frozenset(t for t in self.tokens if t in SLOTS)


def _relation_templates(ontology: Ontology, vocab: Vocabulary) -> list[Template]:
    """Every relation and category phrasing, categories first.

    On a tie the broader reading wins: "who supports X" asks about every kind of backing.
    """
    found: list[Template] = []
    for category, phrasings in ontology.questions.categories.items():
        members = tuple(t.name for t in ontology.relation_types.values() if t.category == category)
        sides: tuple[tuple[Direction, list[str]], ...] = (("out", phrasings.forward), ("in", phrasings.backward))
        for direction, phrases in sides:
            found += [Template("category", p, vocab.normalise(p), category, members, direction) for p in phrases]
    for rel in ontology.relation_types.values():
        forward: Direction = "both" if rel.symmetric else "out"
        ends: tuple[tuple[Direction, list[str]], ...] = ((forward, rel.phrasings.forward),
                                                         ("in", rel.phrasings.backward))
        for direction, phrases in ends:
            found += [Template("relation", p, vocab.normalise(p), rel.name, (rel.name,), direction) for p in phrases]
    return found


_TEMPLATES: dict[int, tuple[Ontology, Vocabulary, list[Template]]] = {}


def templates(ontology: Ontology) -> tuple[Vocabulary, list[Template]]:
    """Every phrasing the ontology lists, normalised once per ontology."""
    cached = _TEMPLATES.get(id(ontology))
    if cached is not None and cached[0] is ontology:
        return cached[1], cached[2]
    vocab = Vocabulary.of(ontology)
    asked = ontology.questions
    found = _relation_templates(ontology, vocab)
    found += [Template("connection", p, vocab.normalise(p)) for p in asked.connection]
    found += [Template("profile", p, vocab.normalise(p)) for p in asked.profile]
    found += [Template("status", p, vocab.normalise(p)) for p in asked.status]
    _TEMPLATES[id(ontology)] = (ontology, vocab, found)
    return vocab, found


def _weight(token: str) -> float:
    if token in SLOTS:
        return 0.0
    if token in _QUESTION_WORDS:
        return 0.25
    return 0.5 if token in _LIGHT else 1.0


def similarity(question: tuple[str, ...], template: tuple[str, ...]) -> float:
    """How alike two normalised token sequences are: shared weighted words, then their order.

    Words decide the relation; order (80/20) decides between a forward and a backward
    phrasing that share their words ("who is X trying to provoke" / "who is trying to provoke X").
    """
    total = sum(map(_weight, question)) + sum(map(_weight, template))
    if total == 0:
        return 0.0
    common = Counter(question) & Counter(template)
    overlap = 2 * sum(_weight(t) * n for t, n in common.items()) / total
    order = SequenceMatcher(None, question, template, autojunk=False).ratio()
    return round(0.8 * overlap + 0.2 * order, 4)


# --- dates ------------------------------------------------------------------------------

_MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
_MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
_MONTH = "|".join(sorted(_MONTHS, key=len, reverse=True))
_DATE = (rf"(?:\d{{4}}-\d{{2}}(?:-\d{{2}})?|(?:\d{{1,2}}\s+)?(?:(?:{_MONTH})\.?\s+)?(?:\d{{1,2}},?\s+)?\d{{4}})")
_BETWEEN = re.compile(rf"\b(?:between|from)\s+({_DATE})\s+(?:and|to|until)\s+({_DATE})\b", re.IGNORECASE)
_BOUND = re.compile(rf"\b(since|after|from|until|till|before|up to|by|in|during|on)\s+({_DATE})\b", re.IGNORECASE)


def _iso(text: str) -> PartialDate:
    """An ISO or English date ("7 May 2022", "May 7, 2022", "April 2022", "2022") at its own precision."""
    text = text.strip().lower().replace(",", "").replace(".", "")
    if re.fullmatch(r"\d{4}-\d{2}(?:-\d{2})?", text):
        return PartialDate.parse(text)
    parts = text.split()
    year = int(parts[-1])
    month = next((_MONTHS[p] for p in parts if p in _MONTHS), None)
    day = next((int(p) for p in parts[:-1] if p.isdigit()), None)
    if month is None:
        return PartialDate.parse(f"{year:04d}")
    return PartialDate.parse(f"{year:04d}-{month:02d}" + (f"-{day:02d}" if day else ""))


def _shift(when: PartialDate, step: int) -> PartialDate:
    """The period just after (``step=1``) or before (``-1``) a date, at the same precision."""
    if when.month is None:
        return PartialDate(when.year + step)
    if when.day is None:
        index = when.year * 12 + when.month - 1 + step
        return PartialDate(index // 12, index % 12 + 1)
    moved = date(when.year, when.month, when.day) + timedelta(days=step)
    return PartialDate(moved.year, moved.month, moved.day)


def take_dates(question: str) -> tuple[str, str | None, str | None]:
    """The question without its time expressions, and the window they set (``since``, ``until``).

    "in 2022" bounds both ends, "since"/"from" and "until"/"by" one each; "after" and "before"
    exclude the date they name.
    """
    since: PartialDate | None = None
    until: PartialDate | None = None
    try:
        match = _BETWEEN.search(question)
        if match:
            since, until = _iso(match.group(1)), _iso(match.group(2))
            question = question[:match.start()] + question[match.end():]
        for match in list(_BOUND.finditer(question))[::-1]:
            word, when = match.group(1).lower(), _iso(match.group(2))
            if word in ("since", "from"):
                since = when
            elif word == "after":
                since = _shift(when, 1)
            elif word in ("until", "till", "up to", "by"):
                until = when
            elif word == "before":
                until = _shift(when, -1)
            else:
                since = until = when
            question = question[:match.start()] + question[match.end():]
    except ValueError:
        # Not a real date ("May 2022" is; "31 February 2022" is not): left in the question, which then fails to match.
        return question, None, None
    checked = window(str(since) if since else None, str(until) if until else None)
    return question, str(checked.since) if checked.since else None, str(checked.until) if checked.until else None


# --- entity mentions ----------------------------------------------------------------------

@dataclass(frozen=True)
class Mention:
    """A span of question words that names an entity."""

    start: int
    end: int
    text: str
    possessive: bool


def _strip(word: str) -> str:
    return word.strip(_EDGE_PUNCTUATION)


def find_mentions(words: list[str], index: AliasIndex) -> list[Mention]:
    """Entity names in the question, longest first, never overlapping, in question order.

    A plural ("the Iranians") falls back to its singular alias when only that is known.
    """
    found: list[Mention] = []
    taken: set[int] = set()
    spans = sorted(((i, j) for i in range(len(words)) for j in range(i + 1, min(len(words), i + MAX_NAME_WORDS) + 1)),
                   key=lambda span: (span[0] - span[1], span[0]))
    for i, j in spans:
        if taken & set(range(i, j)):
            continue
        text = " ".join(_strip(w) for w in words[i:j])
        folded = _fold(text)
        possessive = folded.endswith(("'s", "s'"))
        name = text[:-2] if possessive and folded.endswith("'s") else text.rstrip("'")
        if name.islower() and name in _FUNCTION_WORDS:
            continue
        if not index.knows(name):
            singular = name[:-1] if name.endswith("s") and len(name) > 3 else ""
            if not singular or not index.knows(singular):
                continue
            name = singular
        found.append(Mention(i, j, name, possessive))
        taken |= set(range(i, j))
    return sorted(found, key=lambda m: m.start)


# Lowercase words that are never a name, though an alias is spelled so ("US" is the United States, "us" is not).
_FUNCTION_WORDS = frozenset({"us", "we", "it", "who", "what", "which", "is", "the", "a", "an", "in", "on", "of", "to",
                             "about", "and", "mines"})


def _resolve(index: AliasIndex, name: str, at: str | None) -> Entity:
    """The entity a name stands for, at the question's date when it gives one ("Kabul" in 2022 is the Taliban)."""
    if at is not None:
        try:
            return index.resolve(name, at)
        except EntityNotFound:
            pass  # an alias that held only at other times still names its entity when the question is undated
    return index.resolve(name)


# --- reading a question -------------------------------------------------------------------

@dataclass(frozen=True)
class Parsed:
    """What a question asks: the phrasing it matched and the entities and filters it names."""

    question: str
    template: Template
    score: float
    entities: tuple[Entity, ...] = ()
    since: str | None = None
    until: str | None = None
    statuses: tuple[str, ...] = ()
    disputed: bool | None = None
    open_slot: bool = False  # the question named no entity ("who denied the attacks?")


@dataclass(frozen=True)
class _Candidate:
    tokens: tuple[str, ...]
    status: str | None = None


def _variants(tokens: tuple[str, ...], vocab: Vocabulary) -> list[_Candidate]:
    """The question as is, and with a status word ("disputed") made a ``{status}`` slot."""
    variants = [_Candidate(tokens)]
    for position, token in enumerate(tokens):
        status = vocab.status_words.get(token)
        if status is not None:
            replaced = (*tokens[:position], "{status}", *tokens[position + 1:])
            variants.append(_Candidate(replaced, status))
    return variants


def _best(candidates: list[_Candidate], found: list[Template]) -> list[tuple[float, Template, _Candidate]]:
    """Every phrasing with the same slots as a candidate, best first (ties keep the ontology's order)."""
    scored = [(similarity(c.tokens, t.tokens), t, c) for c in candidates for t in found
              if t.slots == frozenset(x for x in c.tokens if x in SLOTS)]
    return sorted(scored, key=lambda item: -item[0])


def _fill(template: Template, names: list[str]) -> str:
    """A phrasing as a question about the entities found, for suggestions."""
    text = template.phrase
    for slot, name in zip(("{x}", "{y}"), names, strict=False):
        text = text.replace(slot, name)
    return text.replace("{status}", "disputed").replace("{x}", "…").replace("{y}", "…")


def suggest(tokens: tuple[str, ...], found: list[Template], names: list[str]) -> list[str]:
    """The phrasings closest to a question, whatever their slots, filled with the entities it names."""
    slots = {"{x}", "{y}"} if len(names) > 1 else {"{x}"} if names else set()
    bare = tuple(x for x in tokens if x not in SLOTS)
    ranked = sorted(found, key=lambda t: (t.slots - {"{status}"} != slots,
                                          -similarity(bare, tuple(x for x in t.tokens if x not in SLOTS))))
    seen: list[str] = []
    for template in ranked:
        text = _fill(template, names)
        if text not in seen:
            seen.append(text)
        if len(seen) == SUGGESTIONS:
            break
    return seen


def _template_text(words: list[str], mentions: list[Mention]) -> str:
    """The question with each entity name replaced by its slot, keeping a possessive."""
    out: list[str] = []
    position = 0
    for slot, mention in zip(("{x}", "{y}"), mentions, strict=False):
        out += words[position:mention.start]
        out.append(slot + ("'s" if mention.possessive else ""))
        position = mention.end
    out += words[position:]
    return " ".join(out)


def _open_slot(text: str, vocab: Vocabulary) -> str | None:
    """The question with a word for "anything" ("the attacks") made the ``{x}`` slot, if it has one."""
    for phrase in vocab.anything:
        pattern = re.compile(rf"(?<![\w-]){re.escape(phrase)}(?![\w-])", re.IGNORECASE)
        if pattern.search(text):
            return pattern.sub("{x}", text, count=1)
    return None


def _unknown_name(words: list[str], tokens_known: set[str], vocab: Vocabulary) -> tuple[int, int] | None:
    """The longest run of words no phrasing uses: where a name the registry lacks would stand."""
    best: tuple[int, int] | None = None
    start: int | None = None
    for i, word in enumerate([*words, ""]):
        normal = vocab.normalise(_strip(word)) if word else ()
        # A name the registry lacks still looks like one: capitalised somewhere after the first word.
        unknown = bool(word) and bool(normal) and not set(normal) <= tokens_known and (i > 0 and word[:1].isupper())
        if unknown and start is None:
            start = i
        if not unknown and start is not None:
            if best is None or i - start > best[1] - best[0]:
                best = (start, i)
            start = None
    return best


def parse(question: str, ontology: Ontology, index: AliasIndex) -> Parsed:
    """Read a question against the ontology's phrasings and the registry's names.

    Raises ``QuestionNotUnderstood`` (with the closest phrasings) when nothing matches well
    enough, ``EntityNotFound`` when the question matches but names no known entity, and
    ``AmbiguousName`` when a name stands for several entities.
    """
    vocab, found = templates(ontology)
    text, since, until = take_dates(question)
    words = [w for w in text.split() if _strip(w) or w.startswith("{")]
    mentions = find_mentions(words, index)[:2]
    entities = tuple(_resolve(index, m.text, since or until) for m in mentions)
    template_text = _template_text(words, mentions)
    open_slot = False
    if not mentions:
        opened = _open_slot(template_text, vocab)
        if opened is not None:
            template_text, open_slot = opened, True
    tokens = vocab.normalise(template_text)
    ranked = _best(_variants(tokens, vocab), found)
    if ranked and ranked[0][0] >= THRESHOLD and _names_enough(ranked[0][1], entities):
        score, template, candidate = ranked[0]
        disputed = True if candidate.status == "disputed" else None
        statuses = (candidate.status,) if candidate.status not in (None, "disputed") else ()
        return Parsed(question=question, template=template, score=score, entities=entities, since=since,
                      until=until, statuses=statuses, disputed=disputed, open_slot=open_slot)
    if not mentions and not open_slot:
        _refuse_unknown_name(question, words, found, vocab, index)
    raise QuestionNotUnderstood(question, suggest(tokens, found, [e.name for e in entities]))


def _names_enough(template: Template, entities: tuple[Entity, ...]) -> bool:
    """Whether the question names every entity its phrasing is about: only a relation may leave its slot open
    ("who denied the attacks?"); "what do we know about it" names nobody to profile."""
    return template.shape == "relation" or len(entities) >= len(template.slots - {"{status}"})


def _refuse_unknown_name(question: str, words: list[str], found: list[Template], vocab: Vocabulary,
                         index: AliasIndex) -> None:
    """Raise ``EntityNotFound`` if the question would match once a run of unknown words is taken as a name."""
    known = {t for template in found for t in template.tokens} | set(vocab.ignore)
    span = _unknown_name(words, known, vocab)
    if span is None:
        return
    name = " ".join(_strip(w) for w in words[span[0]:span[1]])
    tokens = vocab.normalise(_template_text(words, [Mention(span[0], span[1], name, name.endswith("'s"))]))
    ranked = _best(_variants(tokens, vocab), found)
    if ranked and ranked[0][0] >= THRESHOLD:
        bare = re.sub(r"'s$", "", name)
        raise EntityNotFound(bare, index.suggest(bare))
