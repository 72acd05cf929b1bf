"""Actors the registry lacks: a proper name in an actor's role becomes a candidate entity of the report.

Reporting from a theatre the registry does not cover names its actors by names the registry has
never seen ("JNIM", "the Wagner Group", "Islamic State Sahel Province"). Read as nothing, their
acts are lost, or worse, given to a known actor near them ("JNIM, al-Qaeda's affiliate in the
Sahel, claimed an attack" read as al-Qaeda's attack). Here every proper name of a sentence that
the registry does not resolve is made a *candidate mention* before the slot rules run, so that
the rules read it as they read any name; after the report is read, the candidates that ended up
as an end of a claim (agent or target, claimant, accuser, accused, denier) are the report's
candidate entities (``CandidateEntity``), and the others stay what they were, candidate names.

What a name is:
- a name read before the parse (``graph.language.extract.propernames``): a branch's name grown out
  of a registry group's ("Islamic State Sahel Province": a new entity whose parent is the
  Islamic State, never the Islamic State itself) or a transliterated name joined by particles;
- a run of proper nouns ("Wagner Group"), cut at office titles ("US President Joe Biden" is no
  one name), or a span the recogniser labels ORG, NORP, GPE, PERSON, LOC or FAC;
- a registry state's name inside a longer name is that longer name when the added words say it
  is an armed group's ("the Syrian Democratic Forces"), and stays the state when they name one of
  its organs ("the Malian Armed Forces", "Iran's Revolutionary Guards").

Its kind, strongest reading first:
1. the context: a noun after it ("JNIM fighters", "Tuareg rebels"), an apposition or a
   description ("X, a jihadist coalition", "the militant group X", "X, a rights group",
   "X, the group's spokesman"), a predicate ("X is an offshoot of Y"); a branch's name is its
   parent's kind;
2. the role: an unknown organisation read as the agent of an attack is an armed group; a role
   only decides a kind the context left open;
3. the words of the name ("Front", "Brigades", "Jaish", "Ansar" …; "Agency", "Institute" …);
4. the recogniser's label: ORG an organization, NORP a community, PERSON a person, GPE, LOC and
   FAC a place (every state is in the registry).

One actor, one candidate: "Jama'at Nusrat al-Islam wal-Muslimin (JNIM)", "X, also known as Y",
"X (formerly Y)" make the two names one candidate; later mentions by the acronym (given, or the
long name's initials), by the short name ("Wagner" after "the Wagner Group", "Sahel Province"
after "Islamic State Sahel Province"), by a transliteration ("Shebab" after "Shabaab", "al-Qaida"
after "al-Qaeda") or as "the group" (coreference, ``graph.language.extract.resolve``) are the same
candidate. A candidate whose name matches a registry entity's name or alias in transliteration or
by a near spelling (``graph.domain.names.AliasIndex.search``) is proposed as a merge into that
entity (``merge_into``), never offered as a new one.

Parents: a branch's name, an apposition ("X, al-Qaeda's affiliate in the Sahel", "X, a faction of
the TTP", "X, an offshoot of Y") or an unnamed branch described by its parent and its region
("al-Qaeda's affiliate in the Sahel claimed …") give the candidate its ``parent`` and
``parent_relation`` (one of the ontology's parent relations, from the lexicon); the reader then also
makes that relation a claim.

Cost: a few passes over each sentence's tokens; a merge is looked up once per candidate name and
kept for the extractor's life, so resolving a known name costs what it did.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from spacy.tokens import Span, Token

from graph.domain.errors import OntologyError
from graph.domain.model import Entity
from graph.domain.names import AliasIndex, fold, name_key
from graph.language.extract.document import Sentence
from graph.language.extract.lexicon import Lexicon
from graph.language.extract.mentions import Mention
from graph.language.extract.propernames import PreName
from graph.language.extract.tree import children, word_in

NAME_LABELS = frozenset({"ORG", "NORP", "GPE", "PERSON", "LOC", "FAC"})
# what the recogniser says a span is when it is no actor's name ("Sunday", "two", "Ramadan")
_NOT_NAMES = frozenset({"DATE", "TIME", "PERCENT", "MONEY", "QUANTITY", "ORDINAL", "CARDINAL", "LANGUAGE",
                        "WORK_OF_ART", "LAW", "EVENT", "PRODUCT"})
_LABEL_KINDS = {"ORG": "organization", "NORP": "community", "PERSON": "person", "GPE": "place", "LOC": "place",
                "FAC": "place"}
# kinds a candidate read from the recogniser alone may turn out to be, by the role it plays
_MAY_BE = {"organization": ("organization", "armed_group"), "community": ("community", "armed_group"),
           "person": ("person",), "place": ("place",), "armed_group": ("armed_group",)}
_POSSESSIVE = ("'s", "’s")
_PREFIX = "\x01candidate:"  # the id a candidate has while the report is read (its slug is chosen at the end)
# how far each reading of the kind is trusted, for the candidate's confidence
_TRUST = {"context": 0.8, "role": 0.65, "name": 0.6, "label": 0.5}


@dataclass(frozen=True)
class ActorMention:
    """Where a candidate is named: the sentence's number, the name's character span in the report, the text."""

    sentence: int
    span: tuple[int, int]
    text: str


@dataclass
class CandidateEntity:
    """An actor the registry lacks, as one report names it; the shape ``kg extract --json`` lists under ``entities``.

    ``parent`` and ``parent_relation`` are read from the report ("al-Qaeda's affiliate"); ``merge_into`` is
    the registry entity it seems to be (an alias, a transliteration, a near spelling), for review.
    """

    id: str
    name: str
    kind: str
    aliases: list[str] = field(default_factory=list)
    parent: str | None = None
    parent_relation: str | None = None
    merge_into: str | None = None
    mentions: list[ActorMention] = field(default_factory=list)
    confidence: float = 0.5
    reason: str = ""

    def as_dict(self) -> dict[str, Any]:
        """Plain data, with the field names the tools rely on (id, name, kind, aliases, parent)."""
        return {"id": self.id, "name": self.name, "kind": self.kind, "aliases": list(self.aliases),
                "parent": self.parent, "parent_relation": self.parent_relation, "merge_into": self.merge_into,
                "mentions": [{"sentence": m.sentence, "span": list(m.span), "text": m.text} for m in self.mentions],
                "confidence": self.confidence, "reason": self.reason}


@dataclass(frozen=True)
class ParentLink:
    """A parent read in a sentence: the candidate (its mention there), the parent's mention, the relation."""

    child: Mention
    parent: Mention
    relation: str


def variant_key(name: str, particles: Iterable[str]) -> str:
    """A name's key across transliterations: "Shabaab" and "Shebab", "al-Qaeda" and "al Qaida", "Hezbollah" and
    "Hizballah" share one. Particles and "the" are dropped, vowel runs after the first letter become one
    vowel, doubled letters one letter, q is k and a final s goes."""
    words = re.split(r"[^0-9a-z]+", fold(name).replace("'", ""))
    drop = set(particles) | {"the"}
    joined = "".join(w for w in words if w and w not in drop)
    if not joined:
        return ""
    joined = joined.replace("q", "k").replace("ph", "f").replace("dj", "j")
    head, rest = joined[0], re.sub(r"[aeiouy]+", "a", joined[1:])
    key = re.sub(r"(.)\1+", r"\1", head + rest)
    return key[:-1] if len(key) > 4 and key.endswith("s") else key


def slug(name: str) -> str:
    """The id a candidate entity gets: its name folded, apostrophes dropped, words joined by hyphens."""
    words = re.split(r"[^0-9a-z]+", fold(name).replace("'", ""))
    return "-".join(w for w in words if w) or "unnamed"


def _acronym_of(words: Sequence[str], particles: frozenset[str]) -> str:
    """The initials of a long name ("Jama'at Nusrat al-Islam wal-Muslimin": JNIM), particles and "in the" left out."""
    letters = [w[0] for w in words if w and w.lower() not in particles and w.lower() not in ("in", "the", "of", "for",
                                                                                             "and")]
    return "".join(letters).upper() if len(letters) >= 2 else ""


def _is_acronym(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return 2 <= len(letters) <= 8 and all(c.isupper() for c in letters) and " " not in text.strip()


@dataclass
class _Draft:
    """A candidate while the report is read."""

    key: str
    names: list[str]
    label_kind: str | None = None
    name_kind: str | None = None
    context_kind: str | None = None
    votes: Counter[str] = field(default_factory=Counter)
    reasons: list[str] = field(default_factory=list)
    parent: str | None = None
    parent_relation: str | None = None
    merge_into: str | None = None
    mentions: list[ActorMention] = field(default_factory=list)
    descriptive: bool = False
    branch_of: str | None = None  # the registry name a branch's name grew out of ("Islamic State")

    @property
    def kind(self) -> str:
        if self.context_kind:
            return self.context_kind
        if self.votes:
            return self.votes.most_common(1)[0][0]
        return self.name_kind or self.label_kind or "organization"

    @property
    def flexible(self) -> bool:
        """The kind is not read from the context, so the role the name plays may settle it."""
        return self.context_kind is None

    @property
    def trust(self) -> float:
        if self.context_kind:
            return _TRUST["context"]
        if self.votes:
            return _TRUST["role"]
        return _TRUST["name"] if self.name_kind else _TRUST["label"]


class ActorReader:
    """What reading new actors needs from the registry and the lexicon, built once per extractor."""

    def __init__(self, lexicon: Lexicon, index: AliasIndex, entities: Mapping[str, Entity],
                 relation_names: Iterable[str]) -> None:
        known_relations = set(relation_names)
        for table in ("parent_nouns", "branch_name_words"):
            bad = sorted(set(getattr(lexicon, table).values()) - known_relations)
            if bad:
                raise OntologyError(f"extractor lexicon {table} names relation types the ontology lacks: {bad}")
        self.lexicon = lexicon
        self.index = index
        self.entities = entities
        self.particles = lexicon.joining_particles | lexicon.name_particles
        # "also known as", "formerly" …: their words, longest first, and the words they open with (a quick test)
        self.openers = sorted((tuple(o.split()) for o in lexicon.alias_openers), key=lambda w: -len(w))
        self.opener_starts = frozenset(words[0] for words in self.openers)
        self._variants: dict[str, set[str]] = {}
        for entity in entities.values():
            for name in (entity.name, *(a.name for a in entity.aliases)):
                if not _is_acronym(name):
                    key = variant_key(name, self.particles)
                    if len(key) >= 4:
                        self._variants.setdefault(key, set()).add(entity.id)
        self._merges: dict[tuple[str, str, bool], str | None] = {}

    def report(self, known: Mapping[str, Entity]) -> ReportActors:
        """A fresh reading for one report; ``known`` are the ids candidate slugs must not take."""
        return ReportActors(self, known)

    def merge_target(self, name: str, kind: str, *, fuzzy: bool) -> str | None:
        """The registry entity a candidate's name seems to be: the same name in another transliteration, or (with
        ``fuzzy``) a near spelling of a name of the same kind; None if none. Kept for the extractor's life."""
        cache_key = (name, kind, fuzzy)
        if cache_key not in self._merges:
            self._merges[cache_key] = self._merge_target(name, kind, fuzzy=fuzzy)
        return self._merges[cache_key]

    def _merge_target(self, name: str, kind: str, *, fuzzy: bool) -> str | None:
        if _is_acronym(name):
            return None
        kinds = _MAY_BE.get(kind, (kind,))
        ids = [i for i in sorted(self._variants.get(variant_key(name, self.particles), ()))
               if self.entities[i].kind in kinds]
        if len(ids) == 1:
            return ids[0]
        key = name_key(name)
        if not fuzzy or len(key) < 6:
            return None
        for match in self.index.search(name, limit=3, fuzzy_cutoff=0.84):
            other = name_key(match.matched)
            if match.entity.kind in kinds and difflib.SequenceMatcher(None, key, other).ratio() >= 0.86:
                return match.entity.id
        return None


class ReportActors:
    """The candidates of one report, read sentence by sentence; what the resolver asks of them."""

    def __init__(self, reader: ActorReader, known: Mapping[str, Entity]) -> None:
        self.reader = reader
        self.lexicon = reader.lexicon
        self.known = known
        self.drafts: dict[str, _Draft] = {}
        self.entities: dict[str, Entity] = {}  # what the resolver sees: each candidate with its kind now
        self._keys: dict[str, str] = {}  # name keys and transliteration keys -> candidate
        self._initials: dict[str, str] = {}  # a long name's initials -> candidate
        self._short: dict[str, str] = {}  # a long name's short forms -> candidate
        self._aliases_of_known: dict[str, str] = {}  # a name the report gives a registry entity -> its id
        self.redirect: dict[str, str] = {}  # a candidate found to be another (or a registry entity) -> that one
        self._seen: dict[str, None] = {}  # registry entities the report has named so far, in order
        self._officials: set[str] = set()  # people named with an office: not candidates, by any of their names

    # --- what the resolver asks -------------------------------------------------------------

    def is_candidate(self, entity_id: str | None) -> bool:
        """Whether an id is one of this report's candidates."""
        return entity_id is not None and (entity_id in self.drafts or entity_id in self.redirect)

    def fit(self, mention: Mention, kinds: Sequence[str] | None) -> Mention | None:
        """A candidate's mention read as one of ``kinds`` if its kind is still open ("JNIM" with no context, as the
        agent of an attack, is an armed group): the vote is kept; None when it cannot be any of them."""
        key = self.redirect.get(mention.entity_id, mention.entity_id)
        draft = self.drafts.get(key)
        if draft is None:
            return mention._replace(entity_id=key, kind=self.known[key].kind) if key != mention.entity_id else mention
        if kinds is None or draft.kind in kinds:
            return mention._replace(entity_id=key, kind=draft.kind)
        kind = self.kind_for(key, kinds)
        return mention._replace(entity_id=key, kind=kind) if kind is not None else None

    def kind_for(self, entity_id: str, kinds: Sequence[str]) -> str | None:
        """The kind among ``kinds`` a candidate may be read as (its own first), recording the role's vote."""
        draft = self.drafts[entity_id]
        if draft.kind in kinds:
            return draft.kind
        if not draft.flexible:
            return None
        base = draft.name_kind or draft.label_kind or "organization"
        kind = next((k for k in _MAY_BE.get(base, (base,)) if k in kinds), None)
        if kind is not None:
            draft.votes[kind] += 1
            self._reason(draft, f"read as {kind} by the role it plays")
            self._publish(draft)
        return kind

    # --- one sentence -------------------------------------------------------------------------

    def read(self, sentence: Sentence) -> tuple[Sentence, list[ParentLink]]:
        """The sentence with its candidate mentions added (and the registry names a longer name contains taken out),
        and the parents it names. Headlines, whose words are all capitalised, name no candidate."""
        if sentence.headline:
            return sentence, []
        registry = {m.start: m for m in sentence.mentions}
        self._seen.update((m.entity_id, None) for m in sentence.mentions if m.via == "name")
        added: dict[int, Mention] = {}
        dropped: set[int] = set()
        links: list[ParentLink] = []
        for span, hint in self._spans(sentence, registry):
            found = self._candidate(sentence, span, hint, registry, dropped)
            if found is None:
                continue
            root, mention, link = found
            if root.i in registry and root.i not in dropped:
                continue
            added[root.i] = mention
            if link is not None:
                links.append(link)
        names = {**{k: v for k, v in registry.items() if k not in dropped}, **added}
        for token, mention, maybe in self._described(sentence, names):
            added[token] = mention
            names[token] = mention
            if maybe is not None:
                links.append(maybe)
        self._aliases(sentence, names, added)
        names.update(added)
        for start, mention in sorted(names.items()):
            if mention.kind == "armed_group" and not any(link.child.start == start for link in links):
                link = self._apposed_parent(sentence.span.doc[start], mention, names)
                if link is not None:
                    links.append(link)
        if not added and not dropped:
            return sentence, links
        mentions = [m for m in sentence.mentions if m.start not in dropped and m.start not in added]
        mentions.extend(added.values())
        mentions.sort(key=lambda m: m.start)
        return replace(sentence, mentions=tuple(mentions)), links

    # --- finding names --------------------------------------------------------------------------

    def _spans(self, sentence: Sentence, registry: Mapping[int, Mention]) -> list[tuple[Span, PreName | None]]:
        """The sentence's proper names: names read before the parse, runs of proper nouns, the recogniser's names."""
        doc = sentence.span.doc
        pre = {n.token: n for n in sentence.names}
        found: list[tuple[Span, PreName | None]] = [(doc[n.token:n.token + 1], n) for n in sentence.names]
        covered = set(pre)
        run: list[Token] = []

        def close() -> None:
            if not run:
                return
            tokens = _trim(run)
            if tokens:
                found.append((doc[tokens[0].i:tokens[-1].i + 1], None))
                covered.update(t.i for t in tokens)
            run.clear()

        for token in sentence.span:
            if token.i in pre or not self._namey(token, registry):
                close()
                continue
            if token.lower_ in self.lexicon.title_words or token.lower_.rstrip(".") in self.lexicon.title_words \
                    or (token.ent_type_ in _NOT_NAMES and token.i not in registry):
                close()  # "US President Joe Biden", "on Tuesday JNIM": a title or a date divides
                continue
            if run and run[-1].i != token.i - 1:
                close()
            run.append(token)
        close()
        for ent in sentence.span.ents:
            tokens = _trim(list(ent))
            if ent.label_ not in NAME_LABELS or not tokens:
                continue
            span = doc[tokens[0].i:tokens[-1].i + 1]
            if not any(t.i in covered for t in ent):
                found.append((span, None))
            elif ent.label_ == "ORG" and not any(t.i in pre for t in span):
                # "the Islamic Resistance in Iraq", "the Movement for Justice": the recogniser's one name where
                # the proper nouns break at a preposition
                inner = [f for f in found if f[1] is None and span.start <= f[0].start and f[0].end <= span.end]
                joins = all(t.i in covered or t.lower_ in self.lexicon.name_connectors for t in span)
                if inner and joins and len(span) > max(len(f[0]) for f in inner) and span[-1].i in covered:
                    found = [f for f in found if f not in inner]
                    found.append((span, None))
        return sorted(found, key=lambda f: f[0].start)

    def _namey(self, token: Token, registry: Mapping[int, Mention]) -> bool:
        """A token that may be part of a name: a registry name, a proper noun, a capitalised word the recogniser
        puts in a name, a particle inside one ("al"), a hyphen between two proper nouns."""
        if token.i in registry:
            return True
        if token.text == "-" and not token.whitespace_ and token.i > 0 and not token.nbor(-1).whitespace_:
            return token.nbor(-1).pos_ == "PROPN" and token.i + 1 < len(token.doc) and token.nbor().pos_ == "PROPN"
        if not token.text[:1].isupper():
            return token.lower_ in self.reader.particles and token.pos_ == "PROPN"
        return token.pos_ == "PROPN" or (token.ent_type_ in NAME_LABELS and token.pos_ in ("NOUN", "ADJ")) or (
            _is_acronym(token.text) and token.pos_ in ("NOUN", "ADJ"))  # the tagger takes "ISWAP" for a noun

    def _candidate(self, sentence: Sentence, span: Span, hint: PreName | None, registry: Mapping[int, Mention],
                   dropped: set[int]) -> tuple[Token, Mention, ParentLink | None] | None:
        """The candidate a name span stands for (found or made), its mention at the span's root, its parent link."""
        lex = self.lexicon
        inside = [registry[t.i] for t in span if t.i in registry]
        words = [t for t in span if t.text not in ("-",) and t.text not in _POSSESSIVE]
        if hint is not None and hint.parent:
            return self._branch(sentence, span, hint)
        if inside and len(inside) == len(words):
            return None  # the registry's own name
        name_words = {t.lower_ for t in words}
        if inside:
            # a registry name inside a longer one: the longer name only when its own words make it an armed group
            if any(m.kind not in ("state",) for m in inside):
                return None
            extra = [t.lower_ for t in words if t.i not in registry]
            if all(w in lex.state_organ_words or w in lex.state_nouns or w in lex.title_words for w in extra):
                return None  # "the Malian Armed Forces": the state
            if not (name_words & lex.armed_name_words) or not any(t.text[:1].isupper() for t in words[1:]):
                return None
        if any(t.ent_type_ in _NOT_NAMES for t in span) and not (hint is not None or inside):
            return None
        before = span.doc[span.start - 1] if span.start > sentence.span.start else None
        if (before is not None and before.lower_ == "operation") or span[0].lower_ == "operation":
            return None  # "Operation Marg Bar Sarmachar" names an operation, not an actor
        text = _name_text(span)
        if name_key(text) in self._officials:
            return None
        root = span.root
        known = self._aliases_of_known.get(name_key(text)) or (self._registry_key(text) if not inside else None)
        if known is not None:
            entity = self.known[known]
            return root, Mention(root.i, root.i + 1, span.start_char, span.end_char, span.text, known,
                                 entity.kind), None
        folded = [w.lower() for w in text.split()]
        if not folded or all(w in lex.not_names or w in lex.title_words or w in lex.state_organ_words
                             for w in folded):
            return None
        if len(text.replace(" ", "")) < 2:
            return None
        labels = Counter(t.ent_type_ for t in span if t.ent_type_ in NAME_LABELS)
        label = labels.most_common(1)[0][0] if labels else None
        context = self._context_kind(root, span)
        if label is None and context is None and hint is None and not _is_acronym(text) \
                and not (name_words & lex.armed_name_words) and not (
                    len(words) >= 2 and name_words & lex.organization_name_words):
            return None  # a capitalised word no reading says is a name
        if (label == "PERSON" or (context is not None and context[0] == "person")) and (
                any(m.kind == "state" for m in inside) or self._office_holder(span)):
            # "Defence Minister Khawaja Asif", "army chief X", "Taliban spokesman X": an official speaks and acts
            # for the state or group the rules read from the rest of the phrase, as before, by any of their names
            self._officials.add(name_key(text))
            if len(text.split()) >= 2:
                self._officials.add(name_key(text.split()[-1]))
            return None
        short = self._short_of_known(text)
        if short is not None:
            entity = self.known[short]  # "the Jaish" after "Jaish-e-Mohammed": the registry's group
            return root, Mention(root.i, root.i + 1, span.start_char, span.end_char, span.text, short,
                                 entity.kind), None
        if label in ("GPE", "LOC", "FAC", "NORP") and context is None and hint is None and not (
                name_words & lex.armed_name_words) and self._find(text) is None:
            # a place (every state is in the registry) or a people ("Afghans"): no actor unless the context or the
            # name makes it an armed group ("Tuareg rebels"); it stays a candidate name
            return None
        draft = self._find(text)
        if draft is None:
            draft = self._new(text)
        elif _is_acronym(text) and text not in draft.names:
            draft.names.append(text)
        kind_before = draft.kind
        if hint is not None and hint.kind:
            draft.name_kind = draft.name_kind or hint.kind
        self._read_kind(draft, text, label, context)
        self._mention(draft, sentence, span)
        for registry_mention in inside:
            dropped.add(registry_mention.start)
        if draft.kind != kind_before:
            self._publish(draft)
        mention = Mention(root.i, root.i + 1, span.start_char, span.end_char, span.text, draft.key, draft.kind,
                          possessive=_possessive(span))
        return root, mention, None

    def _registry_key(self, text: str) -> str | None:
        """A name the phrase matcher missed but the registry knows as written ("Ansarallah" for "Ansar Allah")."""
        if not self.reader.index.knows(text):
            return None
        readings = self.reader.index.readings(text)
        return readings[0].id if len(readings) == 1 else None

    def _short_of_known(self, text: str) -> str | None:
        """The registry entity the report has named whose name this shorter one stands for, when exactly one does:
        a group's or an institution's opening words ("the Jaish" after "Jaish-e-Mohammed"), a person's last name
        ("Mansour" after "Mullah Akhtar Mohammad Mansour")."""
        if len(text.split()) > 2 or _is_acronym(text):
            return None
        key = name_key(text)
        if len(key) < 4:
            return None
        size = len(text.split())
        found = set()
        for entity_id in self._seen:
            entity = self.known.get(entity_id)
            if entity is None or entity.kind not in ("armed_group", "organization", "person"):
                continue
            for name in (entity.name, *(a.name for a in entity.aliases)):
                if entity.kind == "person":
                    words = name.split()
                    part = " ".join(words[-size:])
                else:
                    words = [w for w in re.split(r"[\s\-]+", fold(name)) if w and w not in self.reader.particles]
                    part = " ".join(words[:size])
                if len(words) > size and name_key(part) == key:
                    found.add(entity_id)
                    break
        return found.pop() if len(found) == 1 else None

    def _office_holder(self, span: Span) -> bool:
        """A person named with an office ("Defence Minister X", "X, the army chief", "Taliban spokesman X")."""
        lex = self.lexicon
        offices = lex.title_words | lex.state_nouns | lex.official_nouns
        doc = span.doc
        before = [doc[i] for i in range(max(span.sent.start, span.start - 3), span.start)]
        near = [*before, *(c for c in span.root.children if c.dep_ in ("appos", "compound") and c.i not in
                           range(span.start, span.end))]
        return any(word_in(t, offices) or t.lower_.rstrip(".") in offices for t in near)

    def _branch(self, sentence: Sentence, span: Span, hint: PreName) -> tuple[Token, Mention, ParentLink | None]:
        """A name read before the parse as a branch of a registry group ("Islamic State Sahel Province")."""
        text = _name_text(span).replace("'s ", " ").replace("’s ", " ")
        draft = self._find(text) or self._new(text)
        draft.context_kind = "armed_group"
        draft.branch_of = hint.swallowed
        if draft.parent is None:
            draft.parent, draft.parent_relation = hint.parent, hint.relation
        self._reason(draft, f"named as a branch of {hint.parent}")
        self._mention(draft, sentence, span)
        self._short_forms(draft)
        self._publish(draft)
        root = span.root
        mention = Mention(root.i, root.i + 1, span.start_char, span.end_char, span.text, draft.key, "armed_group",
                          possessive=_possessive(span))
        parent = self.known.get(hint.parent)
        link = ParentLink(mention, mention._replace(entity_id=hint.parent, kind=parent.kind), hint.relation) \
            if parent is not None else None
        return root, mention, link

    # --- the report's candidates --------------------------------------------------------------

    def _find(self, text: str) -> _Draft | None:
        """The candidate a name already stands for in this report: by name, transliteration, initials, short form."""
        for key in (name_key(text), "v:" + variant_key(text, self.reader.particles)):
            found = self._keys.get(key)
            if found is not None:
                return self.drafts[found]
        if _is_acronym(text):
            found = self._initials.get(text.upper())
            if found is not None:
                return self.drafts[found]
        found = self._short.get(name_key(text))
        return self.drafts[found] if found is not None else None

    def _new(self, text: str) -> _Draft:
        key = f"{_PREFIX}{len(self.drafts)}"
        draft = _Draft(key, [text])
        self.drafts[key] = draft
        self._index(draft, text)
        self._publish(draft)
        return draft

    def _index(self, draft: _Draft, name: str) -> None:
        """Make ``name`` find ``draft`` again: its key, its transliteration key, its initials, its short form."""
        self._keys.setdefault(name_key(name), draft.key)
        variant = variant_key(name, self.reader.particles)
        if len(variant) >= 4 and not _is_acronym(name):
            self._keys.setdefault("v:" + variant, draft.key)
        words = re.split(r"[\s\-]+", name)
        if len(words) >= 3 and not _is_acronym(name):
            initials = _acronym_of(words, self.reader.particles)
            if initials:
                self._initials.setdefault(initials, draft.key)
        generic = self.lexicon.generic_name_words
        spaced = name.split()
        last = spaced[-1] if len(spaced) >= 2 else ""
        if 2 <= len(spaced) <= 4 and sum(c.isalpha() for c in last) >= 4 and not _is_acronym(last) and not (
                {w.lower() for w in re.split(r"[\-]", last)} & (generic | self.lexicon.not_names
                                                                | set(self.lexicon.branch_name_words)
                                                                | self.lexicon.state_organ_words)):
            # a person named again by the last name ("Ayman al-Zawahiri", then "al-Zawahiri")
            self._short.setdefault(name_key(last), draft.key)
        if len(words) >= 2 and words[-1].lower() in generic and words[0].lower() not in self.lexicon.not_names:
            short = " ".join(words[:-1])
            if name_key(short) and not self.reader.index.knows(short):
                self._short.setdefault(name_key(short), draft.key)

    def _short_forms(self, draft: _Draft) -> None:
        """A branch's name without its parent's ("Sahel Province" for "Islamic State Sahel Province")."""
        name, grown = draft.names[0], draft.branch_of
        if grown and name.lower().startswith(grown.lower()):
            rest = name[len(grown):].strip(" '’s")
            if len(rest.split()) >= 2:
                self._short.setdefault(name_key(rest), draft.key)

    def _add_alias(self, draft: _Draft, alias: str) -> None:
        if all(name_key(alias) != name_key(n) for n in draft.names):
            draft.names.append(alias)
            self._index(draft, alias)

    def _publish(self, draft: _Draft) -> None:
        self.entities[draft.key] = Entity(id=draft.key, name=draft.names[0], kind=draft.kind)

    def _mention(self, draft: _Draft, sentence: Sentence, span: Span) -> None:
        start = sentence.start + (span.start_char - sentence.span.start_char)
        at = ActorMention(sentence.number, (start, start + len(span.text)), span.text)
        if at not in draft.mentions:
            draft.mentions.append(at)

    @staticmethod
    def _reason(draft: _Draft, why: str) -> None:
        if why not in draft.reasons:
            draft.reasons.append(why)

    # --- kinds ------------------------------------------------------------------------------------

    def _read_kind(self, draft: _Draft, text: str, label: str | None, context: tuple[str, str] | None) -> None:
        lex = self.lexicon
        if context is not None and draft.context_kind is None:
            draft.context_kind = context[0]
            self._reason(draft, context[1])
        words = {w.lower().strip("'’") for w in re.split(r"[\s\-]+", text)}
        if draft.name_kind is None:
            if words & lex.armed_name_words:
                draft.name_kind = "armed_group"
                self._reason(draft, "its name is an armed group's")
            elif words & lex.organization_name_words:
                draft.name_kind = "organization"
                self._reason(draft, "its name is an institution's")
        if label is not None and draft.label_kind is None:
            draft.label_kind = _LABEL_KINDS[label]
            self._reason(draft, f"the recogniser's {label}")
        elif draft.label_kind is None and _is_acronym(text):
            draft.label_kind = "organization"

    def _context_kind(self, root: Token, span: Span) -> tuple[str, str] | None:
        """The kind the words around a name say it is ("JNIM fighters", "X, a jihadist coalition"), and why."""
        lex = self.lexicon
        head = root.head
        if root.dep_ in ("compound", "nmod", "amod", "poss", "npadvmod") and head.i > root.i \
                and head.pos_ in ("NOUN", "PROPN") and word_in(head, lex.armed_nouns):
            return "armed_group", f"'{_name_text(span)} {head.text}'"
        described = [*children(root, "appos")]
        if root.dep_ == "appos" and head.pos_ in ("NOUN",):
            described.append(head)
        described += [c for c in root.children if c.dep_ in ("compound", "nmod") and c.i < span.start
                      and c.pos_ == "NOUN"]
        if root.dep_ in ("nsubj", "nsubjpass") and head.lemma_ == "be":
            described += [c for c in head.children if c.dep_ == "attr"]
        for noun in described:
            kind = self.description_kind(noun)
            if kind is not None:
                return kind, f"described as '{_phrase(noun)}'"
        return None

    def description_kind(self, noun: Token) -> str | None:
        """The kind a describing noun gives ("a jihadist coalition", "a rights group", "the group's spokesman")."""
        lex = self.lexicon
        lemma = noun.lemma_.lower()
        lower = noun.lower_
        modifiers = {c.lower_ for c in noun.children if c.dep_ in ("amod", "compound", "nmod")} | {
            c.lemma_.lower() for c in noun.children if c.dep_ in ("amod", "compound", "nmod")}
        if lemma in lex.armed_heads or lower in lex.armed_heads or lemma in lex.armed_nouns or lower in lex.armed_nouns:
            return "armed_group"
        if lemma in lex.group_heads or lower in lex.group_heads:
            if modifiers & lex.armed_descriptors:
                return "armed_group"
            if modifiers & lex.organization_descriptors:
                return "organization"
            if lemma in lex.organization_heads and lemma not in ("group", "organisation", "organization",
                                                                 "network", "company", "alliance", "movement"):
                return "organization"
            return None
        if lemma in lex.organization_heads or lower in lex.organization_heads:
            return "armed_group" if modifiers & lex.armed_descriptors else "organization"
        if lemma in lex.person_heads or lower in lex.person_heads:
            return "person"
        return None

    # --- parents ----------------------------------------------------------------------------------

    def _apposed_parent(self, root: Token, mention: Mention, names: Mapping[int, Mention]) -> ParentLink | None:
        """ "X, al-Qaeda's affiliate in the Sahel", "X, a faction of the TTP", "X is an offshoot of Y": the parent."""
        draft = self.drafts.get(mention.entity_id)  # None for a registry group: the relation is a claim all the same
        nouns = [*children(root, "appos")]
        if root.dep_ in ("nsubj", "nsubjpass") and root.head.lemma_ == "be":
            nouns += [c for c in root.head.children if c.dep_ == "attr"]
        for noun in nouns:
            found = self._parent_of(noun, names)
            if found is None:
                continue
            parent, relation = found
            if parent.entity_id == mention.entity_id:
                continue
            if draft is not None and draft.parent is None:
                draft.parent, draft.parent_relation = parent.entity_id, relation
                draft.context_kind = draft.context_kind or "armed_group"
                self._reason(draft, f"described as '{_phrase(noun)}'")
                self._publish(draft)
            kind = draft.kind if draft is not None else mention.kind
            return ParentLink(mention._replace(kind=kind), parent._replace(kind="armed_group"), relation)
        return None

    def _parent_of(self, noun: Token, names: Mapping[int, Mention]) -> tuple[Mention, str] | None:
        """The group a parent noun names and the relation ("al-Qaeda's affiliate", "a splinter of the TTP")."""
        lex = self.lexicon
        relation = lex.parent_nouns.get(noun.lemma_.lower()) or lex.parent_nouns.get(noun.lower_)
        modifiers = [c for c in noun.children if c.dep_ in ("compound", "amod", "nmod") and c.i < noun.i]
        for modifier in modifiers:  # "a splinter group of", "a breakaway faction of"
            relation = lex.parent_nouns.get(modifier.lemma_.lower()) or lex.parent_nouns.get(modifier.lower_) \
                or relation
        if relation is None:
            return None
        owners = [c for c in noun.children if c.dep_ == "poss"]
        owners += [g for c in noun.children if c.dep_ == "prep" and c.lower_ in ("of", "within")
                   for g in c.children if g.dep_ == "pobj"]
        owners += modifiers
        for owner in owners:
            mention = names.get(owner.i)
            if mention is None:
                continue
            kind = self.drafts[mention.entity_id].kind if mention.entity_id in self.drafts else mention.kind
            if kind == "armed_group" or (mention.entity_id in self.drafts
                                         and self.kind_for(mention.entity_id, ("armed_group",))):
                return mention, relation
        return None

    def _described(self, sentence: Sentence, names: Mapping[int, Mention]
                   ) -> list[tuple[int, Mention, ParentLink | None]]:
        """An unnamed branch described by its parent and its region ("al-Qaeda's affiliate in the Sahel claimed …"):
        a candidate of its own, never the parent. Not when the description is in apposition to a name, which it
        describes."""
        lex = self.lexicon
        found: list[tuple[int, Mention, ParentLink | None]] = []
        for noun in sentence.span:
            if noun.pos_ != "NOUN" or noun.i in names or (noun.lemma_.lower() not in lex.parent_nouns
                                                          and noun.lower_ not in lex.parent_nouns):
                continue
            if noun.dep_ == "appos" or (noun.dep_ == "attr" and noun.head.lemma_ == "be"):
                continue
            owner = next((c for c in noun.children if c.dep_ == "poss"), None)
            parent = names.get(owner.i) if owner is not None else None
            if parent is None or parent.kind != "armed_group":
                continue
            region = [c for c in noun.children if c.dep_ in ("compound", "amod", "nmod") and c.i < noun.i
                      and c.text[:1].isupper()]
            places = [p for p in noun.children if p.dep_ == "prep" and p.lower_ in ("in", "for")
                      and any(g.text[:1].isupper() for g in p.subtree)]
            if not region and not places:
                continue
            first = owner.left_edge.i if owner is not None else noun.i
            while sentence.span.doc[first].pos_ == "DET":
                first += 1
            last = max([noun.i, *(p.right_edge.i for p in places)])
            span = sentence.span.doc[first:last + 1]
            text = span.text
            known = self._known_branch(parent, [*region, *(g for p in places for g in p.subtree
                                                            if g.text[:1].isupper())], names)
            if known is not None:
                # "the Islamic State's branch in Afghanistan" is a name the registry has for IS-K
                entity = self.known[known]
                found.append((noun.i, Mention(noun.i, noun.i + 1, span.start_char, span.end_char, text, known,
                                              entity.kind), None))
                continue
            draft = self._find(text) or self._new(text)
            draft.context_kind = "armed_group"
            draft.descriptive = True
            relation = lex.parent_nouns.get(noun.lemma_.lower()) or lex.parent_nouns[noun.lower_]
            if draft.parent is None:
                draft.parent, draft.parent_relation = parent.entity_id, relation
            self._reason(draft, f"an unnamed branch of {parent.entity_id} described as '{text}'")
            self._mention(draft, sentence, span)
            self._publish(draft)
            mention = Mention(noun.i, noun.i + 1, span.start_char, span.end_char, text, draft.key, "armed_group")
            found.append((noun.i, mention, ParentLink(mention, parent, relation)))
        return found

    def _known_branch(self, parent: Mention, region: Sequence[Token], names: Mapping[int, Mention]) -> str | None:
        """A registry group that is the parent's branch in that region by name ("Islamic State in Afghanistan",
        "Islamic State Khorasan Province"), if the registry has one."""
        entity = self.known.get(parent.entity_id)
        if entity is None or not region:
            return None
        places = {t.text for t in region}
        for token in region:
            mention = names.get(token.i)
            if mention is not None and mention.entity_id in self.known:
                places.add(self.known[mention.entity_id].name)
        for parent_name in [entity.name, *(a.name for a in entity.aliases)][:6]:
            for place in sorted(places):
                for form in (f"{parent_name} in {place}", f"{parent_name} {place} Province", f"{parent_name} {place}",
                             f"{parent_name}'s {place} branch"):
                    if self.reader.index.knows(form):
                        found = self.reader.index.readings(form)
                        if len(found) == 1 and found[0].kind == "armed_group" and found[0].id != entity.id:
                            return found[0].id
        return None

    # --- aliases ------------------------------------------------------------------------------------

    def _aliases(self, sentence: Sentence, names: Mapping[int, Mention], added: dict[int, Mention]) -> None:
        """ "X (JNIM)", "X, also known as Y", "X (formerly Y)": two names of one actor. A candidate given a
        registry name as its other name is proposed as a merge into that entity; a registry entity given a new
        name keeps it for the rest of the report."""
        names = {**names, **added}
        starting = {m.start_char: (token, m) for token, m in names.items()}
        for _start, first in sorted(names.items()):
            other = self._alias_after(first, sentence, starting)
            if other is None:
                continue
            second = names[other]
            a, b = self.drafts.get(first.entity_id), self.drafts.get(second.entity_id)
            if a is not None and b is not None and a is not b:
                self._join(a, b)
                added[other] = second._replace(entity_id=a.key, kind=a.kind)
            elif a is not None and b is None:
                a.merge_into = second.entity_id
                a.context_kind = a.context_kind or second.kind
                self._reason(a, f"also named {second.text}, a name of {second.entity_id}")
                self._publish(a)
            elif b is not None and a is None:
                # a registry name given another: the other is the same entity, not a new one
                self._aliases_of_known[name_key(second.text)] = first.entity_id
                for text in b.names:
                    self._aliases_of_known[name_key(text)] = first.entity_id
                self._forget(b, first.entity_id)
                added[other] = second._replace(entity_id=first.entity_id, kind=first.kind)

    def _alias_after(self, first: Mention, sentence: Sentence,
                     starting: Mapping[int, tuple[int, Mention]]) -> int | None:
        """The name right after a name in parentheses or after "also known as" (the token it is read at), if any."""
        doc = sentence.span.doc
        end = sentence.span.end
        i = first.start + 1  # a name's mention is at its root, which is its last word but for a few
        while i < end and doc[i].idx < first.end_char:
            i += 1
        if i >= end or (doc[i].text not in ("(", ",") and doc[i].lower_ not in self.reader.opener_starts):
            return None
        parenthesis = doc[i].text == "("
        if doc[i].text in ("(", ","):
            i += 1
        j = self._past_opener(doc, i, end)
        if j >= end or (j == i and not parenthesis) or doc[j].idx not in starting:
            return None
        token, second = starting[doc[j].idx]
        if token == first.start:
            return None
        closing = token + 1
        while closing < end and doc[closing].idx < second.end_char:
            closing += 1
        if parenthesis and not (closing < end and doc[closing].text == ")"):
            return None
        return token

    def _past_opener(self, doc: Any, i: int, end: int) -> int:
        """The token after "also known as" (and any article) at ``i``, or ``i`` when none opens there."""
        if i >= end or doc[i].lower_ not in self.reader.opener_starts:
            return i
        for words in self.reader.openers:
            if i + len(words) <= end and all(doc[i + n].lower_ == w for n, w in enumerate(words)):
                j = i + len(words)
                while j < end and doc[j].pos_ == "DET":
                    j += 1
                return j
        return i

    def _join(self, keep: _Draft, other: _Draft) -> None:
        for name in other.names:
            self._add_alias(keep, name)
        keep.mentions.extend(m for m in other.mentions if m not in keep.mentions)
        keep.context_kind = keep.context_kind or other.context_kind
        keep.name_kind = keep.name_kind or other.name_kind
        keep.label_kind = keep.label_kind or other.label_kind
        keep.parent = keep.parent or other.parent
        keep.parent_relation = keep.parent_relation or other.parent_relation
        keep.votes.update(other.votes)
        for reason in other.reasons:
            self._reason(keep, reason)
        self._forget(other, keep.key)
        self._publish(keep)

    def _forget(self, draft: _Draft, into: str) -> None:
        """Drop a candidate found to be another one (or a registry entity): what named it names ``into`` now."""
        self.drafts.pop(draft.key, None)
        self.entities.pop(draft.key, None)
        self.redirect[draft.key] = into
        for old, new in list(self.redirect.items()):
            if new == draft.key:
                self.redirect[old] = into
        for table in (self._keys, self._initials, self._short):
            for key in [k for k, v in table.items() if v == draft.key]:
                if into in self.drafts:
                    table[key] = into
                else:
                    del table[key]

    # --- the end of the report -----------------------------------------------------------------

    def finish(self, used: Iterable[str]) -> tuple[list[CandidateEntity], dict[str, str]]:
        """The candidate entities the report's claims name (and their candidate parents), with their final ids, and
        the map from the ids used while reading to those."""
        wanted = [k for k in dict.fromkeys(self.redirect.get(u, u) for u in used) if k in self.drafts]
        queue = list(wanted)
        while queue:
            parent = self.drafts[queue.pop()].parent
            parent = self.redirect.get(parent, parent) if parent is not None else None
            if parent is not None and parent in self.drafts and parent not in wanted:
                wanted.append(parent)
                queue.append(parent)
        taken = set(self.known)
        ids: dict[str, str] = {}
        for key in wanted:
            draft = self.drafts[key]
            base = slug(self._canonical(draft))
            final, n = base, 1
            while final in taken:
                n += 1
                final = f"{base}-{n}"
            taken.add(final)
            ids[key] = final
        out = []
        for key in wanted:
            draft = self.drafts[key]
            name = self._canonical(draft)
            kind = draft.kind
            merge = draft.merge_into
            if merge is None and not draft.descriptive:
                for candidate_name in [name, *draft.names]:
                    merge = self.reader.merge_target(candidate_name, kind, fuzzy=draft.parent is None)
                    if merge is not None:
                        break
            if merge is not None:
                self._reason(draft, f"proposed as a merge into {merge}")
            aliases = [n for n in dict.fromkeys(draft.names) if name_key(n) != name_key(name)]
            confidence = min(0.9, draft.trust + 0.05 * min(2, len(draft.mentions) - 1))
            draft.parent = self.redirect.get(draft.parent, draft.parent) if draft.parent else None
            out.append(CandidateEntity(
                id=ids[key], name=name, kind=kind, aliases=aliases,
                parent=ids.get(draft.parent, draft.parent) if draft.parent else None,
                parent_relation=draft.parent_relation if draft.parent else None, merge_into=merge,
                mentions=list(draft.mentions), confidence=round(confidence, 2), reason=self._named("; ".join(
                    draft.reasons), ids)))
        for old, new in self.redirect.items():
            ids.setdefault(old, ids.get(new, new))
        return out, ids

    def parents_from(self, claims: Iterable[tuple[str, str, str]]) -> None:
        """Parents the report's claims state of candidates without one ("ISWAP, which split from Boko Haram": a
        splinter), from (subject, relation, object) triples of the parent relations."""
        relations = set(self.lexicon.parent_nouns.values()) | set(self.lexicon.branch_name_words.values())
        for subject, relation, obj in claims:
            draft = self.drafts.get(self.redirect.get(subject, subject))
            if draft is None or draft.parent is not None or relation not in relations or subject == obj:
                continue
            draft.parent, draft.parent_relation = self.redirect.get(obj, obj), relation
            self._reason(draft, f"{relation} {obj} by a claim of the report")

    def _named(self, text: str, ids: Mapping[str, str]) -> str:
        """A reason with the candidates it names by their final ids."""
        for key in sorted(ids, key=len, reverse=True):
            text = text.replace(key, ids[key])
        for key, draft in self.drafts.items():  # a candidate the claims do not name: by its name
            text = text.replace(key, draft.names[0])
        return text

    def names_of(self, keys: Iterable[str]) -> set[str]:
        """The name keys of these candidates (to tell candidate names that became entities)."""
        return {name_key(n) for k in keys if k in self.drafts for n in self.drafts[k].names}

    def final_kind(self, key: str) -> str | None:
        """The kind a candidate ends the report with."""
        draft = self.drafts.get(key)
        return draft.kind if draft is not None else None

    @staticmethod
    def _canonical(draft: _Draft) -> str:
        """The fullest of a candidate's names: not an acronym, the most words, the first seen on a tie."""
        full = [n for n in draft.names if not _is_acronym(n)] or draft.names
        best = max(full, key=lambda n: (len(n.split()), -draft.names.index(n)))
        return best.replace("'s ", " ").replace("’s ", " ") if draft.branch_of else best


def _trim(tokens: Sequence[Token]) -> list[Token]:
    """A name's tokens without a leading article or punctuation and a trailing possessive or punctuation."""
    found = list(tokens)
    while found and (found[0].pos_ in ("DET", "PUNCT") or (found[0].is_stop and not found[0].text[:1].isupper())
                     or found[0].lower_ in ("the", "a", "an")):
        found.pop(0)
    while found and (found[-1].text in _POSSESSIVE or found[-1].pos_ == "PUNCT"):
        found.pop()
    return found


def _name_text(span: Span) -> str:
    """A name as written, without a possessive ending ("Wagner Group's" is "Wagner Group")."""
    text = span.text
    for ending in _POSSESSIVE:
        text = text.removesuffix(ending)
    return text.strip()


def _possessive(span: Span) -> bool:
    doc = span.doc
    return (span.end < len(doc) and doc[span.end].text in _POSSESSIVE) or span.text.endswith(_POSSESSIVE)


def _phrase(noun: Token) -> str:
    """A describing noun with its modifiers ("jihadist coalition", "al-Qaeda's affiliate")."""
    tokens = [t for t in noun.subtree if t.i <= noun.i and t.pos_ != "DET" and (t.dep_ != "punct" or t.text == "-")]
    return "".join(t.text_with_ws for t in tokens).strip()[:60]
