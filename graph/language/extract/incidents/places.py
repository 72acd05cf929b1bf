"""Places named in a sentence, resolved through the gazetteer (``graph.domain.gazetteer``) to a town, district,
province or country with its province, country and coordinates.

Three kinds of name are read: a place of the registry ("Kunduz", linked to its gazetteer entry); a state named
where something happened ("in Pakistan", "inside Tajikistan"), or by its capital ("a blast in Kabul" is the city,
though "Kabul" as an actor is the Taliban); and any other proper name in a place's position: after "in", "at",
"near", "outside", "of" a province or city, before "district" or "province", or tagged a place by the parser.
A name the gazetteer knows only as another country's alternate spelling ("Police" is a Polish town) is taken only
when the report is about that country. Places after "from" ("rockets fired from Takhar") are kept as origins, which
an incident's place gives way to.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from spacy.tokens import Token

from graph.domain.dates import MONTHS
from graph.domain.gazetteer import Gazetteer, Place, fold
from graph.domain.model import Entity
from graph.language.extract.document import Sentence
from graph.language.extract.mentions import Mention

# How precisely a place places an incident, most precise first (a gazetteer kind -> the ontology's precision).
PRECISION = {"site": "site", "neighbourhood": "neighbourhood", "city": "city", "district": "district",
             "province": "province", "country": "country"}
RANK = {"site": 0, "neighbourhood": 1, "city": 2, "district": 3, "province": 4, "country": 5}
_LOCATIVE = {"in", "at", "near", "outside", "inside", "into", "across", "on", "around", "within", "throughout",
             "along", "off", "over", "toward", "towards", "to"}
_PLACE_NOUNS = {"province", "city", "district", "town", "village", "outskirts", "area", "region", "capital",
                "suburb", "suburbs", "neighbourhood", "neighborhood", "valley", "agency", "county", "state", "port",
                "border", "heart", "centre", "center", "part", "parts", "edge", "entrance", "gates", "north", "south",
                "east", "west", "northwest", "northeast", "southwest", "southeast", "outskirt", "mountains",
                "hills", "desert", "plains", "valleys"}
_KIND_AFTER = {"district": "district", "province": "province", "city": "city", "town": "city", "village": "city",
               "valley": "district", "agency": "district", "region": "province", "area": None, "tehsil": "district"}
_CALENDAR = {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", *MONTHS}
_NOT_PLACES = {"PERSON", "ORG", "NORP", "DATE", "TIME", "MONEY", "PERCENT", "CARDINAL", "ORDINAL", "WORK_OF_ART",
               "EVENT", "LAW", "LANGUAGE", "PRODUCT", "QUANTITY"}


@dataclass(frozen=True)
class PlaceHit:
    """A place named in a sentence: the gazetteer's entry (if any), the registry's entity (if any), the name as
    written, where it stands (token), and whether it is where something came from rather than where it happened."""

    name: str
    token: Token
    place: Place | None
    entity: str | None
    origin: bool = False

    @property
    def rank(self) -> int:
        """0 for a site up to 5 for a country (how precisely it places an incident)."""
        if self.place is None:
            return 2
        return RANK[self.place.kind]

    @property
    def country_code(self) -> str | None:
        return self.place.country_code if self.place else None


class PlaceFinder:
    """Places in sentences, over the registry's places and states and the gazetteer (loaded on first need)."""

    def __init__(self, entities: Mapping[str, Entity], gazetteer: Gazetteer) -> None:
        self.entities = entities
        self.gazetteer = gazetteer
        self.entity_of_key = {e.gazetteer: e.id for e in entities.values() if e.gazetteer}
        self._events: frozenset[int] = frozenset()
        self.state_of_country: dict[str, str] = {}
        for entity in entities.values():
            if entity.kind != "state":
                continue
            place = gazetteer.get(entity.gazetteer) if entity.gazetteer else None
            if place is None:
                place = next((p for p in (gazetteer.resolve(n, kind="country") for n in
                                          [entity.name, *(a.name for a in entity.aliases)]) if p), None)
            if place is not None and place.kind == "country":
                self.state_of_country.setdefault(place.country_code, entity.id)

    def country_of(self, entity_id: str) -> str | None:
        """The ISO code of a state entity's country."""
        return next((code for code, state in self.state_of_country.items() if state == entity_id), None)

    def hints(self, mentions: Iterable[Mention]) -> list[str]:
        """The countries a report is about, most named first: its states, and the countries of its places."""
        counts: dict[str, int] = {}
        for mention in mentions:
            code = None
            if mention.kind == "state":
                code = self.country_of(mention.entity_id)
            elif mention.kind == "place":
                entity = self.entities.get(mention.entity_id)
                place = self.gazetteer.get(entity.gazetteer) if entity and entity.gazetteer else None
                code = place.country_code if place else None
            if code:
                counts[code] = counts.get(code, 0) + 1
        return sorted(counts, key=lambda c: -counts[c])

    def find(self, sentence: Sentence, hints: list[str], events: frozenset[int] = frozenset()) -> list[PlaceHit]:
        """The places a sentence names, in text order; ``events`` are the tokens of its event verbs, whose objects
        are places where they are places ("shelled Chaman")."""
        self._events = events
        hits: list[PlaceHit] = []
        covered: set[int] = set()
        for mention in sentence.mentions:
            covered.add(mention.start)
            hit = self._of_mention(sentence, mention, hints)
            if hit is not None:
                hits.append(hit)
        span = sentence.span
        tokens = [t for t in span if t.i not in covered]
        runs: list[list[Token]] = []
        for token in tokens:
            if token.pos_ == "PROPN" or (token.text in ("-", "e", "i", "al", "el") and runs and runs[-1] and
                                         runs[-1][-1].i == token.i - 1 and token.i + 1 < span.end and
                                         span.doc[token.i + 1].pos_ == "PROPN"):
                if runs and runs[-1] and runs[-1][-1].i == token.i - 1:
                    runs[-1].append(token)
                else:
                    runs.append([token])
        for run in runs:
            hit = self._of_run(run, hints)
            if hit is not None:
                hits.append(hit)
        return sorted(hits, key=lambda h: h.token.i)

    # --- one name ---------------------------------------------------------------------------

    def _of_mention(self, sentence: Sentence, mention: Mention,  # noqa: PLR0911 - a return per kind of name
                    hints: list[str]) -> PlaceHit | None:
        token = sentence.span.doc[mention.start]
        entity = self.entities.get(mention.entity_id)
        if entity is None:
            return None
        if entity.kind == "place":
            if not (_locative(token) or _modifies(token) or self._struck(token)) or _of_office(token):
                return None  # "the governor of Kandahar": a title, not where it happened
            place = self.gazetteer.get(entity.gazetteer) if entity.gazetteer else None
            if place is None:
                place = self._lookup(mention.text, hints, strict=False) or self._lookup(entity.name, hints,
                                                                                        strict=False)
            return PlaceHit(entity.name, token, place, entity.id, origin=_origin(token))
        surface = mention.text
        metonym = fold(surface) not in {fold(entity.name)} and token.ent_type_ != "NORP"
        if entity.kind not in ("state", "armed_group") or mention.possessive or not (
                _locative(token) or (metonym and token.dep_ == "compound" and token.head.pos_ == "NOUN")):
            return None  # "in Kabul", "inside Tajikistan", "the Kabul airport bombing" are where it happened
        if metonym:
            # a capital standing for its state or its rulers ("Islamabad", "Kabul" for the Taliban): where it
            # happened, the city itself
            city = self._lookup(surface, hints, strict=True)
            if city is not None and city.kind != "country":
                return PlaceHit(city.name, token, city, self.entity_of_key.get(city.key), origin=_origin(token))
        if entity.kind != "state":
            return None
        code = self.country_of(entity.id)
        place = self.gazetteer.get(f"country:{code}") if code else None
        if place is None or (fold(surface) not in {fold(entity.name), fold(place.name)} and \
                self.gazetteer.resolve(surface, kind="country") is None):
            return None  # "Afghan", "Pakistani": a demonym, not a place
        return PlaceHit(entity.name, token, place, entity.id, origin=_origin(token))

    def _of_run(self, run: list[Token], hints: list[str]) -> PlaceHit | None:
        head = run[-1]
        doc = head.doc
        name = doc[run[0].i:head.i + 1].text
        after = doc[head.i + 1] if head.i + 1 < len(doc) else None
        kind_word = after.lower_ if after is not None and after.lower_ in _KIND_AFTER else None
        phrase_head = after if after is not None and kind_word else head
        located = _locative(phrase_head) or _locative(head) or _place_of(phrase_head) or self._struck(phrase_head)
        labelled = head.ent_type_ in ("GPE", "LOC", "FAC")
        if not located and not labelled:
            return None
        if head.lower_ in _CALENDAR or (head.ent_type_ in _NOT_PLACES and not located and not kind_word):
            return None
        if head.ent_type_ in ("PERSON", "ORG", "NORP") and not kind_word and not located:
            return None
        wanted = _KIND_AFTER.get(kind_word) if kind_word else None
        place = None
        if kind_word:
            place = self._lookup(f"{name} {kind_word}", hints, strict=False, kind=wanted)
        place = place or self._lookup(name, hints, strict=not (located and (labelled or kind_word)))
        if place is None:
            return None
        shown = place.name if place.name.isascii() else name  # "Saravan" as written, not GeoNames' "Sarāvān"
        return PlaceHit(shown, head, place, self.entity_of_key.get(place.key), origin=_origin(phrase_head))

    def _struck(self, token: Token) -> bool:
        """The object of an event verb ("shelled Chaman", "bombed Mosul"): the place struck."""
        return token.dep_ == "dobj" and token.head.i in self._events

    def _lookup(self, name: str, hints: list[str], *, strict: bool, kind: str | None = None) -> Place | None:
        """The gazetteer's best reading of a name: in a country the report is about, or by its own name anywhere
        (a strict lookup asks the name to be the place's own, not an alternate spelling)."""
        for code in hints[:3]:
            found = self.gazetteer.candidates(name, country=code, kind=kind)
            if found and found[0].country_code == code:
                return found[0]
        found = self.gazetteer.candidates(name, kind=kind)
        if not found:
            return None
        best = found[0]
        if best.kind == "country" or fold(best.name) == fold(name.removesuffix(f" {kind}") if kind else name):
            return best
        if strict or hints:
            return None  # another country's town by an alternate name: not where this report is
        return best


def _locative(token: Token) -> bool:
    """The token is the object of a preposition of place ("in Kabul", "near the border of Tajikistan")."""
    current = token
    while current.dep_ in ("compound", "conj", "appos") and current.head != current:
        current = current.head
    if current.dep_ == "pobj" and current.head.lower_ in _LOCATIVE:
        return True
    if current.dep_ == "pobj" and current.head.lower_ == "of":
        noun = current.head.head
        return noun.lower_ in _PLACE_NOUNS or noun.lemma_.lower() in _PLACE_NOUNS
    return current.dep_ == "pobj" and current.head.lower_ == "from"


def _modifies(token: Token) -> bool:
    """ "the Kunduz attack", "Kabul's airport": a place name before the noun it places."""
    return token.dep_ in ("compound", "poss", "nmod", "amod") and token.head.pos_ in ("NOUN", "PROPN")


def _of_office(token: Token) -> bool:
    """ "the governor of Kandahar", "the police chief of Kabul": an office named by its place."""
    return token.dep_ == "pobj" and token.head.lower_ == "of" and token.head.head.pos_ == "NOUN" and \
        token.head.head.lower_ not in _PLACE_NOUNS


def _place_of(token: Token) -> bool:
    """ "the Peshawar mosque", "Kabul's airport": a name that says where the noun it modifies is."""
    return token.dep_ in ("compound", "poss") and token.head.pos_ == "NOUN" and _locative(token.head)


_PREPARING = {"plan", "prepare", "organise", "organize", "direct", "order", "mastermind", "train", "base", "hide",
              "shelter", "harbour", "harbor", "plot", "launch", "recruit", "arm", "fund", "flee", "escape", "cross"}


_HANDLING = {"handler", "base", "sanctuary", "hideout", "camp", "master", "leader", "leadership", "haven", "soil",
             "territory", "sponsor", "backer", "headquarters"}


def _origin(token: Token) -> bool:
    """The place is where something came from or was prepared ("fired from Takhar", "crossed from Afghanistan",
    "planned in Afghanistan"), not where it happened."""
    current = token
    for _ in range(4):
        if current.dep_ == "pobj" and current.head.lower_ == "from":
            return True
        governor = current.head.head
        if current.dep_ == "pobj" and governor.lemma_.lower() in (
                _PREPARING if governor.pos_ == "VERB" else _HANDLING if governor.pos_ == "NOUN" else ()):
            return True  # "planned in Afghanistan", "handlers in Afghanistan"
        if current.head == current:
            return False
        current = current.head
    return False
