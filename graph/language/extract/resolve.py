"""From a noun phrase in the tree to the entity it stands for: a name, a demonym, a proxy, or an earlier mention.

Reporting rarely names an actor bare. "Pakistani forces", "TTP militants", "fighters of the
Islamic State", "Tehran's envoy" and "the group" all stand for an entity the registry knows:
the phrase's head is read through its modifiers, its "of" complement, its apposition, or,
for "it", "they" and "the group", through the discourse so far.

Coreference policy: within a sentence the antecedent is the nearest compatible name among the
subjects of the clauses above the pronoun, then the nearest compatible name before it outside a
prepositional phrase; across sentences, the subjects of the claims of the sentence before (what
the report is talking about), then the latest compatible name. Only names are antecedents, so a
wrong guess does not propagate. "It" in "it is likely that" refers to nothing.

Names the registry lacks are in the sentence as candidate mentions (``graph.language.extract.actors``)
and are read like any name; a candidate whose kind the context left open takes the kind its role
asks for ("JNIM" as the agent of an attack is an armed group), but an anaphor takes it so only from
the sentence before (what "the group" most plausibly means), never by searching further back.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from spacy.tokens import Token

from graph.domain.model import Entity
from graph.domain.names import AliasIndex
from graph.language.extract.document import Sentence
from graph.language.extract.lexicon import Lexicon
from graph.language.extract.mentions import Mention
from graph.language.extract.tree import SUBJECTS, ancestors, children, word_in

if TYPE_CHECKING:
    from graph.language.extract.actors import ReportActors

_MODIFIERS = ("compound", "amod", "nmod", "poss", "npadvmod")


@dataclass
class Discourse:
    """What reading a report carries from sentence to sentence for coreference."""

    salient: list[str] = field(default_factory=list)
    history: list[Mention] = field(default_factory=list)


class Resolver:
    """Entities for the noun phrases of one sentence, against the registry and the discourse so far."""

    def __init__(self, sentence: Sentence, discourse: Discourse, entities: Mapping[str, Entity],
                 lexicon: Lexicon, index: AliasIndex | None = None, actors: ReportActors | None = None) -> None:
        self.sentence = sentence
        self.actors = actors
        self.discourse = discourse
        self.entities = entities
        self.lexicon = lexicon
        self.index = index
        self._by_token = {m.start: m for m in sentence.mentions}
        # entities a token was found to stand for by the slot rules (an event named by its target)
        self.extra: dict[int, Mention] = {}
        self._active: set[int] = set()
        self._proxies = lexicon.state_nouns | lexicon.group_nouns
        self._anaphors = {phrase.split()[-1]: klass.kinds for klass in lexicon.coreference.values()
                          for phrase in klass.phrases if phrase.startswith("the ")}

    # --- names ---------------------------------------------------------------------------------

    def name_at(self, token: Token) -> Mention | None:
        """The registry name that is this token, if any."""
        return self._by_token.get(token.i)

    def entity(self, token: Token, kinds: Sequence[str] | None = None, *, places: bool = False,
               exclude: Sequence[str] = ()) -> Mention | None:
        """The entity a noun phrase headed by ``token`` stands for, of one of ``kinds``; None if none is clear.

        ``places`` also accepts the place an event happened at ("a checkpoint in Bajaur"), which
        is how reporting names what an attack hit when it names no owner. ``exclude`` are entities
        a pronoun here cannot mean (the subject of its own clause: "X hosted them" is not X).
        """
        found = self._entity(token, kinds, places=places, exclude=exclude)
        if found is not None and self.is_candidate(found.entity_id):
            found = self._fit(found, None if places and found.start == token.i else kinds)
        if found is None or (kinds is not None and found.kind not in kinds):
            return None
        return found

    def is_candidate(self, entity_id: str | None) -> bool:
        """Whether an id is a name the registry lacks, read as a candidate of this report."""
        return self.actors is not None and self.actors.is_candidate(entity_id)

    def _fit(self, mention: Mention, kinds: Sequence[str] | None) -> Mention | None:
        return self.actors.fit(mention, kinds) if self.actors is not None else mention

    def _kind_in(self, entity_id: str, kind: str, kinds: Sequence[str], *, adapt: bool) -> str | None:
        """``kind`` if it is one of ``kinds``; for a candidate whose kind is open (and ``adapt``), the one it may be."""
        if kind in kinds:
            return kind
        if adapt and self.actors is not None and self.actors.is_candidate(entity_id):
            return self.actors.kind_for(entity_id, kinds)
        return None

    def _entity(self, token: Token, kinds: Sequence[str] | None, *, places: bool,
                exclude: Sequence[str] = ()) -> Mention | None:
        # a phrase may lead back to itself (a pronoun's antecedent search reads the clause's subject,
        # which may hold the pronoun): a phrase already being read stands for nothing more
        if token.i in self._active:
            return None
        self._active.add(token.i)
        try:
            return self._read(token, kinds, places=places, exclude=exclude)
        finally:
            self._active.discard(token.i)

    def _read(self, token: Token, kinds: Sequence[str] | None, *, places: bool,
              exclude: Sequence[str] = ()) -> Mention | None:
        named = self._by_token.get(token.i) or self.extra.get(token.i)
        if named is not None and self.is_candidate(named.entity_id):
            current = self._fit(named, None)
            if current is not None and current.kind not in ("armed_group", "state") and token.dep_ == "pobj" and (
                    token.head.lower_ in self.lexicon.locative_prepositions or (token.head.lower_ == "of" and word_in(
                    token.head.head, self.lexicon.place_nouns))):
                # "near Gao", "in the Sahel", "the town of Macomia": a place the recogniser took for a person or
                # a body
                return None
            if current is not None and current.kind == "person" and places:
                leader = self._led_group(token)  # "Al-Qaeda leader Ayman al-Zawahiri": the target is the group
                if leader is not None:
                    return leader
            if token.pos_ == "PROPN" and current is not None and current.kind == "person":
                for role in children(token, "appos"):
                    # "Sarbakaf Mohmand, a commander of Jamaat-ul-Ahrar": an unknown member acts for the group
                    if word_in(role, self.lexicon.member_nouns) or word_in(role, self.lexicon.group_nouns):
                        group = self._entity(role, ("armed_group",), places=False, exclude=exclude)
                        if group is not None:
                            return group
            # what an act hits may be a thing with a name ("the Jaffar Express", "the Serena hotel"): the role of
            # a target settles no kind; an agent's does
            return self._fit(named, None if places else kinds)
        if named is not None:
            return named
        antecedent = _antecedent(token)
        if antecedent is not None:
            # "the group, which Pakistan blamed for …", "the group, whose leadership is based in Pakistan"
            return self._entity(antecedent, kinds, places=places, exclude=exclude)
        anaphor = self._anaphor(token)
        if anaphor is not None:
            return self.corefer(token, anaphor, exclude)
        if token.pos_ == "PROPN":
            for role in children(token, "appos"):
                # "Sarbakaf Mohmand, a commander of Jamaat-ul-Ahrar": an unknown member acts for the group
                if word_in(role, self.lexicon.member_nouns) or word_in(role, self.lexicon.group_nouns):
                    group = self._entity(role, ("armed_group",), places=False, exclude=exclude)
                    if group is not None:
                        return group
        if token.dep_ == "appos" and token.pos_ in ("NOUN", "PROPN"):
            # "the Haqqani Network, a Taliban faction long allied with al-Qaeda": the faction is the network
            head = self._by_token.get(token.head.i)
            if head is not None:
                return head
        lemma = token.lemma_.lower()
        lex = self.lexicon
        # "Afghanistan's neighbours" are not Afghanistan: a relational noun is not its possessor
        relational = lemma in lex.relational_nouns or token.lower_ in lex.relational_nouns
        proxy = lemma in self._proxies or token.lower_ in self._proxies
        # what an attack hits, named by its owner ("Houthi targets", "US targets"), is the owner's; whom an actor
        # targets ("IS-K's targets") is not the actor
        owned = relational and places and lemma == "target"
        # the modifier nearest the head first: "Afghanistan's Shi'ite Hazara minority" is the Hazara
        for modifier in sorted(token.children, key=lambda c: -c.i) if not relational or owned else ():
            if modifier.dep_ not in _MODIFIERS or modifier.i > token.i or (owned and modifier.dep_ == "poss"):
                continue
            mention = self._by_token.get(modifier.i)
            if mention is not None and self.is_candidate(mention.entity_id):
                if proxy and any(c.dep_ == "poss" and c.i != modifier.i for c in token.children):
                    continue  # "its Al-Azaim media arm": the possessor acts, the new name only names the part
                # a new name's role may settle its kind when it owns forces or their posts ("a Wagner Group
                # convoy"); on anything else it names a place or a thing ("the Torkham crossing")
                armed = proxy or word_in(token, lex.security_nouns) or word_in(token, lex.holding_nouns) \
                    or word_in(token, lex.armed_nouns)
                mention = self._fit(mention, kinds if armed else None)
                if mention is None:
                    continue
                if word_in(token, lex.armed_nouns) and not relational:
                    return mention  # "Azawad Liberation Front rebels": the new group's fighters
            holding = lemma in lex.holding_nouns or token.lower_ in lex.holding_nouns
            if mention is None and modifier.dep_ == "poss" and (proxy or (places and holding)):
                # "its fighters", "the group's headquarters": the possessor stands for the whole
                kinds_of = self.lexicon.pronoun_kinds.get(modifier.lower_) or self._anaphor(modifier)
                if kinds_of:
                    mention = self.corefer(modifier, kinds_of, exclude)
                    if mention is not None:
                        return mention
                continue
            if mention is None:
                continue
            if proxy or modifier.dep_ == "poss" or (places and self._owner(mention, modifier)):
                return mention
        if not relational and (proxy or places or lemma in lex.member_nouns or lemma in lex.quantity_nouns
                               or token.lower_ in lex.quantity_nouns):
            # "fighters of the TTP", "most of its members", and for targets "the gate of the Russian embassy"
            for pobj in _of(token):
                inner = self._entity(pobj, kinds, places=places, exclude=exclude)
                if inner is not None:
                    return inner
        if not relational and (word_in(token, lex.armed_nouns) or word_in(token, lex.member_nouns)):
            # "fighters from JNIM", "insurgents loyal to the Islamic State": a group's (never a state's:
            # "militants from Afghanistan" are no state's)
            loyal = [c for c in token.children if c.dep_ == "amod" and c.lower_ in ("loyal", "allied")]
            preps_of = [c for c in token.children if c.dep_ == "prep" and c.lower_ == "from"] + [
                p for a in loyal for p in a.children if p.dep_ == "prep" and p.lower_ in ("to", "with")]
            for pobj in (g for c in preps_of for g in c.children if g.dep_ == "pobj"):
                inner = self._entity(pobj, ("armed_group",), places=False, exclude=exclude)
                if inner is not None and (kinds is None or inner.kind in kinds):
                    return inner
        for apposition in children(token, "appos"):
            mention = self._by_token.get(apposition.i)
            if mention is not None:
                return mention
        if places or proxy:
            held = self._holder(token, kinds, exclude)
            if held is not None:
                return held
        leader = self._led_group(token)
        if leader is not None and places:
            return leader
        if places and word_in(token, lex.security_nouns) and not relational and not any(
                c.dep_ in ("poss", "amod", "compound") and c.i in self._by_token for c in token.children):
            found = self._located_state(token, exclude)
            if found is not None:
                return found
        if places:
            for clause in children(token, "acl"):
                by = next((g for c in clause.children if c.dep_ == "agent" for g in c.children if g.dep_ == "pobj"),
                          None)
                owner = self._entity(by, kinds, places=False, exclude=exclude) if by is not None else None
                if owner is not None and owner.kind in ("state", "armed_group", "community"):
                    return owner  # "a hotel frequented by Chinese diplomats", "bases used by the TTP"
            for prep in token.children:
                if prep.dep_ == "prep" and prep.lower_ in ("in", "at", "near", "inside", "outside"):
                    for pobj in children(prep, "pobj"):
                        mention = self._by_token.get(pobj.i) or self._entity(pobj, ("place", "state"), places=True,
                                                                              exclude=exclude)
                        if mention is not None and mention.kind not in ("place", "state") and self.metonym(mention):
                            mention = self.other_reading(mention, ("place", "state"), exclude)  # "in Kabul"
                        if mention is not None and mention.kind in ("place", "state"):
                            return mention
        return None

    def other_reading(self, mention: Mention, kinds: Sequence[str] | None, exclude: Sequence[str]) -> Mention | None:
        """Another entity a name stands for at some date, when the one it stands for now cannot be meant here
        ("the Taliban took control of Kabul": the capital, so the state, not the Taliban's government)."""
        for entity in self.index.readings(mention.text) if self.index is not None else []:
            if entity.id not in exclude and (kinds is None or entity.kind in kinds):
                return mention._replace(entity_id=entity.id, kind=entity.kind, via="demonym")
        return None

    def metonym(self, mention: Mention) -> bool:
        """A capital standing for a state or a government ("Kabul", "Tehran"): a place name, not the actor's own
        name, acronym or adjective."""
        entity = self.entities.get(mention.entity_id)
        surface = mention.text.rstrip("'’s").strip()
        if entity is None or mention.via != "name" or surface.lower() == entity.name.lower() or surface.isupper():
            return False
        token = self.sentence.span.doc[mention.start]
        place_like = token.pos_ == "PROPN" and token.ent_type_ in ("GPE", "LOC", "FAC") and not surface.endswith(
            ("i", "n", "ese", "ish", "ic"))
        return place_like or len(self.index.readings(surface) if self.index else []) > 1

    def _located_state(self, token: Token, exclude: Sequence[str]) -> Mention | None:
        """The state whose soldiers or posts an unowned phrase names: a state named where it stands ("posts in
        Pakistan"), else the state the report has named most (the one it is about), never the attacker."""
        for prep in token.children:
            if prep.dep_ == "prep" and prep.lower_ in ("in", "inside", "at", "near"):
                for pobj in children(prep, "pobj"):
                    named = self._by_token.get(pobj.i)
                    if named is not None and named.kind == "state" and named.entity_id not in exclude:
                        return named._replace(start=token.i, end=token.i + 1, via="inferred")
        counts: dict[str, int] = {}
        for mention in [*self.discourse.history, *self.sentence.mentions]:
            if mention.kind == "state" and mention.entity_id not in exclude:
                counts[mention.entity_id] = counts.get(mention.entity_id, 0) + 1
        if not counts:
            return None
        state = max(counts, key=lambda e: counts[e])
        return Mention(token.i, token.i + 1, token.idx, token.idx + len(token.text), token.text, state, "state",
                       via="inferred")

    def _holder(self, token: Token, kinds: Sequence[str] | None, exclude: Sequence[str]) -> Mention | None:
        """Whose camps, bases or hideouts: "camps belonging to JeM", "hideouts of the BLA", "bases used by the TTP"."""
        if token.lemma_.lower() not in self.lexicon.holding_nouns and token.lower_ not in self.lexicon.holding_nouns:
            return None
        for pobj in _of(token):
            found = self._entity(pobj, kinds, places=False, exclude=exclude)
            if found is not None:
                return found
        for clause in children(token, "acl", "relcl"):
            for prep in clause.children:
                if prep.dep_ in ("prep", "agent") and prep.lower_ in ("to", "by"):
                    for pobj in children(prep, "pobj"):
                        found = self._entity(pobj, kinds, places=False, exclude=exclude)
                        if found is not None:
                            return found
        return None

    def _led_group(self, token: Token) -> Mention | None:
        """ "Al-Qaeda leader Ayman al-Zawahiri", "TTP commander X": the group whose leader the phrase names."""
        for role in token.children:
            if role.dep_ != "compound" or role.lemma_.lower() not in self.lexicon.member_nouns | {"chief", "founder",
                                                                                                 "head", "emir"}:
                continue
            for modifier in role.children:
                mention = self._by_token.get(modifier.i)
                if mention is not None and mention.kind == "armed_group":
                    return mention
        return None

    def _owner(self, mention: Mention, modifier: Token) -> bool:
        """A name modifying a noun that is no proxy ("the Russian embassy", "Chinese nationals", "a TTP attack").

        Demonyms, acronyms, a group's names and a state's own name say whose the thing is; a
        capital standing for its state does not ("the Kabul airport" is a place, not the Taliban).
        """
        entity = self.entities.get(mention.entity_id)
        surface = mention.text.rstrip("'’s")
        if self.metonym(mention):
            return False  # "a Kabul hotel": the city, not the Taliban's government
        if mention.kind in ("armed_group", "community"):
            return True
        if mention.kind != "state":
            return False
        return modifier.pos_ == "ADJ" or modifier.dep_ == "amod" or surface.isupper() or (
            entity is not None and surface.lower() == entity.name.lower()) or mention.via == "demonym"

    # --- coreference --------------------------------------------------------------------------

    def _anaphor(self, token: Token) -> tuple[str, ...] | None:
        """The kinds an anaphoric pronoun or definite description ("the group") may refer to."""
        lower = token.lower_
        pronouns = self.lexicon.pronoun_kinds
        if token.pos_ == "PRON" and lower in pronouns:
            if lower == "it" and _expletive(token, self.lexicon.expletive_verbs):
                return None  # "it is likely that": refers to nothing
            return pronouns[lower]
        if token.pos_ in ("NOUN", "PROPN") and word_in(token, self.lexicon.state_voices) and any(
                c.dep_ == "det" and c.lower_ == "the" for c in token.children) and not any(
                c.i in self._by_token for c in token.children):
            return ("state",)  # "the military said …", "the foreign ministry blamed …": the state the report is about
        if token.pos_ in ("NOUN", "PROPN") and (lower in self._anaphors or lower == "groups"):
            determiners = [c.lower_ for c in token.children if c.dep_ in ("det", "poss", "amod", "predet")]
            named = any(c.i in self._by_token for c in token.children)
            if not named and set(determiners) & {"the", "this", "that", "these", "those", "such"}:
                return tuple(self._anaphors.get(lower, ("armed_group",)))
        return None

    def corefer(self, token: Token, kinds: Sequence[str], exclude: Sequence[str] = ()) -> Mention | None:
        """The antecedent of an anaphor at ``token``, as a mention there (``via='coreference'``)."""
        exclude = [*exclude, *self._own_subject(token)]
        entity_id = self._cataphor(token, kinds) or self._in_sentence(token, kinds, exclude) or self._before(
            kinds, exclude)
        if entity_id is None or entity_id == _NOBODY:
            return None
        possessive = token.lower_ in ("its", "their", "his", "her")
        kind = self.entities[entity_id].kind
        if kind not in kinds:
            kind = self._kind_in(entity_id, kind, kinds, adapt=False) or kind
        return Mention(token.i, token.i + 1, token.idx, token.idx + len(token.text), token.text, entity_id,
                       kind, possessive=possessive, via="coreference")

    def references(self, kinds: Sequence[str]) -> list[Mention]:
        """The actors of ``kinds`` this sentence refers to without naming them ("the group", "it", "they"), each
        resolved as the rules resolve an anaphor, once per entity, leaving out the entities the sentence names.

        They give the trained reader its pairs across sentences ("JNIM claimed the raid. The group said it had
        killed twelve Malian soldiers": JNIM and Mali) without changing what a named pair reads."""
        named = {m.entity_id for m in self.sentence.mentions}
        found: dict[str, Mention] = {}
        for token in self.sentence.span:
            if token.i in self._by_token:
                continue
            wanted = tuple(kind for kind in self._anaphor(token) or () if kind in kinds)
            if not wanted:
                continue
            mention = self.corefer(token, wanted)
            if mention is not None and mention.entity_id not in named and mention.entity_id not in found:
                found[mention.entity_id] = mention
        return list(found.values())

    def _own_subject(self, token: Token) -> list[str]:
        """What an anaphor that is a verb's object cannot mean: that verb's subject ("the LeJ …, providing the
        group once led by bin Laden with manpower": the group is not the LeJ; "X hosted them": not X)."""
        if token.dep_ not in ("dobj", "dative", "pobj", "attr") or token.lower_ in ("its", "their", "his", "her"):
            return []
        verb = token.head.head if token.dep_ == "pobj" else token.head
        if verb.pos_ not in ("VERB", "AUX"):
            return []
        subjects = [c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass") and c.i != token.i]
        if not subjects and verb.dep_ in ("advcl", "xcomp", "conj", "acl") and verb.tag_ in ("VBG", "VB", "VBN"):
            subjects = [c for c in verb.head.children if c.dep_ in ("nsubj", "nsubjpass")]
        found = [self._entity(s, None, places=False) for s in subjects if s.i != token.i]
        return [m.entity_id for m in found if m is not None]

    def _unknown_name(self, phrase: Token) -> bool:
        """A noun phrase that names someone the registry does not know ("Zarnigor Brigade fighters")."""
        words = [t for t in phrase.subtree if t.i <= phrase.i or t.dep_ == "appos" or t.head.dep_ == "appos"]
        return any(t.pos_ == "PROPN" and t.i not in self._by_token and t.text[:1].isupper() for t in words)

    def _cataphor(self, token: Token, kinds: Sequence[str]) -> str | None:
        """ "In its 2020 agreement with the US, the Taliban promised": a pronoun in an opening phrase
        points forward to the subject of the clause the phrase opens."""
        for head in ancestors(token):
            subject = next((c for c in head.children if c.dep_ in SUBJECTS), None)
            if subject is None:
                continue
            opening = next((c for c in head.children if c.i < subject.i and token.i in
                            range(c.left_edge.i, c.right_edge.i + 1) and c.dep_ in ("prep", "advcl", "npadvmod")), None)
            if opening is None or subject.i < token.i:
                return None
            mention = self._by_token.get(subject.i)
            if mention is not None and mention.kind in kinds:
                return mention.entity_id
            return None
        return None

    def _in_sentence(self, token: Token, kinds: Sequence[str], exclude: Sequence[str] = ()) -> str | None:
        earlier = [m for m in self.sentence.mentions if m.end <= token.i and m.entity_id not in exclude
                   and self._kind_in(m.entity_id, self.entities[m.entity_id].kind if m.entity_id in self.entities
                                     else m.kind, kinds, adapt=False)]
        # the subjects of the clauses above the pronoun come first ("Pakistan blamed the TTP for the
        # attack on its soldiers": its = Pakistan), then names outside prepositional phrases
        heads = [token, *ancestors(token)]
        # agents first: "Taliban officials denied that Uzbekistan was attacked … and say they are probing"
        subjects = [c for h in heads for c in h.children if c.dep_ in ("nsubj", "csubj") and c.i < token.i]
        subjects += [c for h in heads for c in h.children if c.dep_ == "nsubjpass" and c.i < token.i]
        for subject in subjects:
            if subject.lower_ in self.lexicon.pronoun_kinds:
                continue
            mention = self._entity(subject, kinds, places=False, exclude=exclude)
            if mention is not None and mention.kind in kinds and mention.entity_id not in exclude:
                return mention.entity_id
            if mention is None and self._unknown_name(subject):
                # "A little-known group, Jabhat al-Fajr Khorasan, said it attacked …": it is that group,
                # which the registry lacks, not a known actor named earlier
                return _NOBODY
        if not earlier:
            return None
        doc = token.doc
        # heads of their phrases before possessors and names inside prepositional phrases
        # ("a separate group from Afghanistan's Taliban … allied with them": the Taliban)
        direct = [m for m in earlier if doc[m.start].dep_ not in ("pobj", "poss")]
        chosen = (direct or earlier)[-1]
        return chosen.entity_id

    def _before(self, kinds: Sequence[str], exclude: Sequence[str] = ()) -> str | None:
        for n, entity_id in enumerate(self.discourse.salient):
            entity = self.entities.get(entity_id)
            # the sentence before's first actor may be a candidate whose kind only this reference settles
            # ("JNIM said on Sunday …. The group …"); further back, kinds are what they are
            if entity is not None and entity_id not in exclude and self._kind_in(entity_id, entity.kind, kinds,
                                                                                 adapt=n == 0):
                return entity_id
        for mention in reversed(self.discourse.history):
            if mention.kind in kinds and mention.entity_id not in exclude:
                return mention.entity_id
        return None


_NOBODY = "\0unknown"  # an antecedent the registry does not know: the pronoun is left unresolved


def _expletive(token: Token, verbs: frozenset[str]) -> bool:
    """ "It is likely that …", "it seems …": an "it" that stands for the clause after it, not for an actor
    (``verbs``: the lexicon's ``expletive_verbs``)."""
    if token.dep_ == "expl":
        return True
    head = token.head
    return token.dep_ in ("nsubj", "nsubjpass") and head.lemma_.lower() in verbs and any(
        c.dep_ in ("acomp", "ccomp", "xcomp") for c in head.children) and not any(
        c.dep_ in ("prep", "attr", "dobj") for c in head.children)


def _antecedent(token: Token) -> Token | None:
    """The noun a relative pronoun stands for ("which", "who", "whose" opening a relative clause)."""
    if token.lower_ not in ("which", "who", "whom", "whose", "that") or token.pos_ not in ("PRON", "DET"):
        return None
    clause = token.head
    while clause.dep_ not in ("relcl", "acl") and clause.head != clause and clause.pos_ != "NOUN":
        if clause.dep_ in ("ccomp", "xcomp", "conj", "pobj", "prep", "pcomp", "nsubj", "nsubjpass", "dobj", "poss"):
            clause = clause.head
            continue
        return None
    return clause.head if clause.dep_ in ("relcl", "acl") and clause.head != clause else None


def _of(token: Token) -> list[Token]:
    """Objects of the token's "of" ("fighters of the TTP", "the leadership of al-Qaeda")."""
    return [g for c in token.children if c.dep_ == "prep" and c.lower_ == "of" for g in c.children
            if g.dep_ == "pobj"]
