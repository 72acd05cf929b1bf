"""Names read before the parse: a registry group's name grown into a branch's, and transliterated names.

Two kinds of proper name are found on the tokenizer's tokens, before the tagger and parser run,
so that each can be merged into one token as registry names are (``graph.language.extract.document``):

- capitalised words before a registry group's name that name an armed group of their own make
  another group's name ("Kataib Hezbollah" is not Hezbollah);
- a registry armed group's name that more title-case words continue into one longer name is a
  new name, a branch of that group, never the group itself: "Islamic State Sahel Province",
  "Islamic State's West Africa Province" (any group, closed by a word of ``branch_name_words``),
  and for a group whose name the registry already uses inside another group's name (Al-Qaeda for
  "Al-Qaeda in the Indian Subcontinent", the Islamic State for "Islamic State Khorasan
  Province": a *brand*), "al-Qaeda in the Islamic Maghreb" and "Islamic State Somalia" too;
- a run of capitalised words joined by lowercase particles ("Jama'at Nusrat al-Islam
  wal-Muslimin", "Ahlu Sunnah wal Jamaa", "Al-Shabaab"), which the parser otherwise splits into
  fragments ("al" as a subject, "Islam" as a modifier) and the recogniser labels piecemeal.

Either becomes a ``NameSpan``; the actor reader (``graph.language.extract.actors``) decides after
the parse whether the name plays an actor's role. Nothing here resolves a name or creates anything.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from spacy.tokens import Doc

from graph.domain.model import Entity
from graph.domain.names import AliasIndex
from graph.language.extract.lexicon import Lexicon
from graph.language.extract.mentions import Mention

_POSSESSIVE = ("'s", "’s")
_MAX_RUN = 5  # capitalised words a branch's name adds to its group's


@dataclass(frozen=True)
class NameSpan:
    """A proper name found before the parse: where it is, and what its shape says of it."""

    start_char: int
    end_char: int
    kind: str | None  # armed_group when the shape says so, else None (the parse and context decide)
    parent: str | None = None  # the registry group a branch's name grows out of
    relation: str | None = None  # a parent relation of the ontology: what the branch is to the parent
    swallowed: str | None = None  # the registry name the longer name contains


class PreName(NamedTuple):
    """A name read before the parse, as the parsed doc keeps it: its token (one, merged) and its shape's reading
    (empty strings where it says nothing)."""

    token: int
    kind: str
    parent: str
    relation: str
    swallowed: str


def brands(entities: Iterable[Entity]) -> frozenset[str]:
    """Armed groups whose name the registry uses at the start of another group's name ("Al-Qaeda in the Indian
    Subcontinent", "Islamic State Khorasan Province"): the same shape with another region is another branch."""
    groups = [e for e in entities if e.kind == "armed_group"]
    found: set[str] = set()
    for group in groups:
        names = [n.lower() for n in (group.name, *(a.name for a in group.aliases))]
        for other in groups:
            if other.id == group.id:
                continue
            others = [n.lower() for n in (other.name, *(a.name for a in other.aliases))]
            if any(o.startswith((n + " ", n + "'s ", n + "’s ")) for n in names for o in others):
                found.add(group.id)
                break
    return frozenset(found)


class NameFinder:
    """Finds branch names and particle-joined names in tokenized text, from one registry and lexicon."""

    def __init__(self, lexicon: Lexicon, brand_ids: frozenset[str], index: AliasIndex | None = None) -> None:
        self.lexicon = lexicon
        self.brands = brand_ids
        self.index = index
        # words that end a run of capitalised words: titles, days and months ("on Sunday"), and function
        # words (checked on the token: "The", "In" open sentences)
        self._stop = lexicon.title_words | lexicon.calendar_words

    def find(self, doc: Doc, mentions: Sequence[Mention], blocked: Iterable[tuple[int, int]] = ()
             ) -> tuple[list[NameSpan], list[Mention]]:
        """The names in ``doc`` (token offsets of ``mentions`` are the tokenizer's), and the mentions left
        standing: a registry group's mention a branch's name contains is no mention of the group."""
        taken = {i for m in mentions for i in range(m.start, m.end)}
        taken.update(i for start, end in blocked for i in range(start, end))
        by_start = {m.start: m for m in mentions}
        names: list[NameSpan] = []
        known: list[Mention] = []
        for mention in mentions:
            grown = self._branch(doc, mention, by_start) if mention.kind == "armed_group" else None
            if grown is None and mention.kind == "armed_group":
                grown = self._prefixed(doc, mention, taken)
            if grown is None or any(n.start_char <= grown.start_char < n.end_char for n in names):
                continue
            registered = self._registered(mention, doc.text[grown.start_char:grown.end_char], grown) \
                if grown.parent else None
            if registered is not None:
                known.append(registered)  # "the Islamic State group's Khorasan branch" is IS-K, by the registry
            else:
                names.append(grown)
        spans = [(n.start_char, n.end_char) for n in names] + [(m.start_char, m.end_char) for m in known]
        kept = [m for m in mentions if not any(start <= m.start_char < end for start, end in spans)] + known
        kept.sort(key=lambda m: m.start)
        taken.update(t.i for n in names for t in doc.char_span(n.start_char, n.end_char) or ())
        names.extend(self._joined(doc, taken))
        return sorted(names, key=lambda n: n.start_char), kept

    # --- a group's name grown into a branch's ------------------------------------------------

    def _branch(self, doc: Doc, mention: Mention, by_start: dict[int, Mention]) -> NameSpan | None:
        """ "Islamic State Sahel Province", "al-Qaeda in the Islamic Maghreb": the longer name, or None."""
        i = mention.end
        possessive = mention.possessive
        if i < len(doc) and doc[i].text in _POSSESSIVE:
            i += 1
        brand = mention.entity_id in self.brands
        opened_by_in = False
        if brand and not possessive and i + 1 < len(doc) and doc[i].lower_ == "in":
            opened_by_in = True
            i += 2 if doc[i + 1].lower_ == "the" else 1
        words, end, own = self._capitalised_run(doc, i, by_start)
        if not words:
            return None
        relation = self.lexicon.branch_name_words.get(words[-1].lower())
        # without a branch word: a brand and a region ("Islamic State Somalia", "al-Qaeda in the Arabian
        # Peninsula"); "al-Qaeda in Pakistan" is the group where it is, and more words than a region's are a
        # sentence going on
        if relation is None and (possessive or not brand or not own or (not opened_by_in and len(words) > 2)):
            return None
        start_char = doc[mention.start].idx
        end_char = doc[end - 1].idx + len(doc[end - 1].text)
        return NameSpan(start_char, end_char, "armed_group", mention.entity_id,
                        relation or self.lexicon.branch_default_relation, mention.text)

    def _prefixed(self, doc: Doc, mention: Mention, taken: set[int]) -> NameSpan | None:
        """ "Kataib Hezbollah", "Harakat Hezbollah": capitalised words before a registry group's name that name an
        armed group of their own (one of them is a word of ``armed_name_words``) make another group's name,
        neither the group nor its branch."""
        i = mention.start
        words: list[int] = []
        while i > 0 and len(words) < 3:
            token = doc[i - 1]
            if i - 1 in taken or not _capitalised(token.text) or token.lower_ in self._stop or token.is_stop:
                break
            words.insert(0, i - 1)
            i -= 1
        if not words or not any(doc[j].lower_.replace("’", "'") in self.lexicon.armed_name_words for j in words):
            return None
        if words[0] > 0 and doc[words[0] - 1].text == "-" and not doc[words[0] - 1].whitespace_:
            return None
        return NameSpan(doc[words[0]].idx, mention.end_char, "armed_group", swallowed=mention.text)

    def _registered(self, mention: Mention, text: str, grown: NameSpan) -> Mention | None:
        """The registry group a branch's name is a form of (one of the parent's names with the same region and
        branch word: "Islamic State group's Khorasan branch" is "Islamic State's Khorasan branch", IS-K), if any."""
        if self.index is None:
            return None
        parent = self.index.get(mention.entity_id)
        rest = text[len(mention.text):].strip()
        rest = rest[2:].strip() if rest.startswith(("'s", "’s")) else rest
        rest = rest[3:].strip() if rest.lower().startswith("in ") else rest
        if parent is None or not rest:
            return None
        for name in (parent.name, *(a.name for a in parent.aliases)):
            for form in (f"{name} {rest}", f"{name}'s {rest}", f"{name} in {rest}", f"{name} in the {rest}"):
                readings = self.index.readings(form) if self.index.knows(form) else []
                if len(readings) == 1 and readings[0].kind == "armed_group" and readings[0].id != parent.id:
                    found = readings[0]
                    # token offsets are the tokenizer's; the merge that follows makes the name one token
                    return Mention(mention.start, mention.end, grown.start_char, grown.end_char, text, found.id,
                                   found.kind)
        return None

    def _capitalised_run(self, doc: Doc, i: int, by_start: dict[int, Mention]) -> tuple[list[str], int, bool]:
        """Capitalised words (and registry places and states, whole) from token ``i``: their texts, their end, and
        whether any of them is a word of its own rather than a registry name."""
        words: list[str] = []
        own = False
        while i < len(doc) and len(words) < _MAX_RUN:
            mention = by_start.get(i)
            if mention is not None:
                if mention.kind not in ("state", "place"):
                    break
                words.append(mention.text)
                i = mention.end
                continue
            text = doc[i].text
            if text.lower() in self.lexicon.branch_name_words and words:
                words.append(text)  # "Province" closes the name
                return words, i + 1, True
            if not _capitalised(text) or text.lower() in self._stop or doc[i].is_stop:
                break
            words.append(text)
            own = True
            i += 1
        return words, i, own

    # --- transliterated names joined by particles -------------------------------------------

    def _joined(self, doc: Doc, taken: set[int]) -> list[NameSpan]:
        """Runs of capitalised words joined by particles ("Jama'at Nusrat al-Islam wal-Muslimin", "Al-Shabaab").

        A run opens with a capitalised word (or a particle hyphened to one: "al-Shabaab") and goes on
        through capitalised words, hyphens and particles; it is a name when a particle joins it
        ("Sunni-Shia" is no name, "Al-Shabaab" is).
        """
        size = len(doc)
        particles = self.lexicon.joining_particles
        # what each token is, read once: a capitalised word, a particle, a hyphen written tight
        word = [i not in taken and _capitalised(t.text) and t.lower_ not in self._stop and not t.is_stop
                for i, t in enumerate(doc)]
        particle = [i not in taken and t.lower_ in particles for i, t in enumerate(doc)]
        hyphen = [i not in taken and t.text == "-" and i > 0 and not doc[i - 1].whitespace_ and not t.whitespace_
                  for i, t in enumerate(doc)]
        tight = [not t.whitespace_ for t in doc]
        found: list[NameSpan] = []
        i = 0
        while i < size:
            if not (word[i] or particle[i]):
                i += 1
                continue
            end, joins, words = _run(doc, i, word, particle, hyphen, tight, particles)
            if joins and words >= 2:
                armed = any(t.lower_ in self.lexicon.armed_name_words for t in doc[i:end])
                found.append(NameSpan(doc[i].idx, doc[end - 1].idx + len(doc[end - 1].text),
                                      "armed_group" if armed else None))
                i = end
            else:
                i += 1
        return found


def _run(doc: Doc, i: int, word: list[bool], particle: list[bool], hyphen: list[bool], tight: list[bool],
         particles: frozenset[str]) -> tuple[int, int, int]:
    """From token ``i``: the run's end, how many particles join it, how many capitalised words it has."""
    size = len(doc)

    def at(flags: list[bool], j: int) -> bool:
        return j < size and flags[j]

    joins = 0
    if word[i]:
        j, words = i + 1, 1
    elif particle[i] and at(hyphen, i + 1) and at(word, i + 2) and (i == 0 or doc[i - 1].text != "-"):
        j, words, joins = i + 3, 1, 1  # "al-Shabaab"
    else:
        return i, 0, 0
    if i > 0 and doc[i - 1].text == "-" and tight[i - 1]:
        return i, 0, 0  # the tail of a hyphened word ("Pakistan-Taliban")
    while j < size:
        long_particle = particle[j] and len(doc[j].text) > 1
        if hyphen[j] and at(word, j + 1):
            joins += doc[j - 1].lower_ in particles  # "Al-Shabaab"
            j, words = j + 2, words + 1
        elif hyphen[j] and at(particle, j + 1) and at(hyphen, j + 2) and at(word, j + 3):
            j, words, joins = j + 4, words + 1, joins + 1  # "Jaish-e-Fursan"
        elif long_particle and at(hyphen, j + 1) and at(word, j + 2):
            j, words, joins = j + 3, words + 1, joins + 1  # "al-Islam", "wal-Muslimin"
        elif long_particle and not tight[j] and at(word, j + 1):
            j, words, joins = j + 2, words + 1, joins + 1  # "wal Jamaa", "Ansar al Islam"
        elif word[j] and not tight[j - 1]:
            j, words = j + 1, words + 1
        else:
            break
    return j, joins, words


def _capitalised(text: str) -> bool:
    """A word that starts with a capital and has letters ("Sahel", "ISWAP", "Jama'at"), not a lone initial."""
    return text[:1].isupper() and sum(c.isalpha() for c in text) >= 2
