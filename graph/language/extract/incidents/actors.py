"""Who did it, by whose account, and to whom: the actors around an event word, read from the parse.

``ActorReader`` reads, for one sentence:

- the **agents** of an event word: the subject of "stormed", the "by" of "was carried out by", the possessor of
  "IS-K's attack", the modifier of "a TTP attack", the subject of "carried out an attack" or "was behind the
  attack";
- its **targets**: entities the graph has ("attacked Shia worshippers"), or what the words describe ("a police
  post", "a Shia mosque", "a wedding party") when the graph has none;
- the **speaker** of a clause ("…, officials said", "according to police", "a Taliban spokesman said"), which
  makes an agent claimed (by itself), alleged (by a state or group), assessed (by an analyst) or reported (by the
  outlet, when nobody else speaks);
- **stances** on an attack that need no event word of their own: "claimed responsibility for", "claimed the
  blast", "blamed X for", "accused X of", "held X responsible", "denied involvement", "rejected the accusation".

Unnamed officials ("police said", "the military said") are the state where it happened, which the incident reader
fills in once it knows the place; unnamed analysts are the outlet's own assessment.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Literal

from spacy.tokens import Token

from graph.domain.errors import AmbiguousName, EntityNotFound
from graph.domain.model import Entity
from graph.domain.names import AliasIndex
from graph.language.extract.document import Sentence
from graph.language.extract.incidents.words import IncidentWords
from graph.language.extract.lexicon import Lexicon
from graph.language.extract.tree import SUBJECTS, agent, ancestors, children, conjuncts, is_passive, negated, preps

ACTING_KINDS = ("armed_group", "state", "person")
TARGET_KINDS = ("community", "state", "armed_group", "person", "organization")
_LIGHT = {"carry", "launch", "conduct", "stage", "mount", "commit", "perpetrate", "mastermind", "orchestrate",
          "execute", "undertake", "plan", "unleash", "wage", "organise", "organize", "direct", "order", "lead"}
_SPEECH_LINKS = ("ccomp", "parataxis", "xcomp", "advcl", "dobj", "prep", "pcomp", "acomp")
_TARGET_PREPS = ("on", "at", "against", "near", "outside", "inside", "in")
_SPOKES = {"spokesman", "spokeswoman", "spokesperson", "representative", "envoy", "minister", "ministry",
           "official", "officials", "commander", "leader", "chief", "statement", "spokesmen"}
_PRONOUNS = {"it", "they", "he", "she", "who", "which", "that"}
Basis = Literal["claimed", "alleged", "assessed", "reported", "denied", "confirmed"]


@dataclass(frozen=True)
class Actor:
    """An actor as a sentence names it: an entity, unnamed officials or analysts, or a description."""

    entity_id: str | None = None
    kind: str | None = None
    description: str | None = None
    official: bool = False
    analyst: bool = False
    token: Token | None = None
    refers_back: bool = False  # "the group", "it": who is meant is read from what came before

    @property
    def named(self) -> bool:
        return self.entity_id is not None


@dataclass(frozen=True)
class Stance:
    """What a sentence says of who did an attack: ``actor`` did it by ``basis`` as ``asserter`` says, or (for a
    denial) ``asserter`` denies that ``actor`` did it; ``happened`` marks a denial that the attack took place."""

    basis: Basis
    actor: Actor | None
    asserter: Actor | None
    token: Token
    event: Token | None = None
    role: Literal["perpetrator", "sponsor"] = "perpetrator"
    happened: bool = False
    parts: tuple[str, ...] = field(default_factory=tuple)


class ActorReader:
    """Agents, targets, speakers and stances of sentences, over the registry's names as the parse found them."""

    def __init__(self, entities: Mapping[str, Entity], lexicon: Lexicon, words: IncidentWords) -> None:
        self.entities = entities
        self.lexicon = lexicon
        self.words = words
        self.speech = frozenset(lexicon.speech_verbs) | {"say", "tell", "claim", "announce", "confirm", "report",
                                                         "add", "state", "insist", "allege", "blame", "accuse"}
        self.names = AliasIndex(entities.values())
        self.group_refs = {p.split(" ")[-1] for p in lexicon.coreference["group"].phrases} if \
            "group" in lexicon.coreference else set()
        # nouns a state's name before them makes the state's own ("Pakistani troops", "Iranian jets")
        self._acting_nouns = frozenset(lexicon.state_nouns | lexicon.security_nouns | lexicon.official_nouns
                                       | {"jets", "jet", "warplanes", "warplane", "drones", "drone", "missiles",
                                          "gunboats", "helicopters", "artillery", "agents", "spies", "proxies"})

    # --- noun phrases ---------------------------------------------------------------------

    def of_phrase(self, sentence: Sentence, head: Token,  # noqa: PLR0911 - a return per kind of phrase
                  kinds: tuple[str, ...] = ACTING_KINDS) -> Actor | None:
        """The actor a noun phrase names: a registry name at its head or in its modifiers ("fighters of the TTP",
        "a Taliban spokesman", "Pakistan's military"), unnamed officials or analysts, or a description of
        attackers ("unidentified gunmen")."""
        found = self._named(sentence, head, kinds)
        if found is not None:
            return found
        lex, lemma, lower = self.lexicon, head.lemma_.lower(), head.lower_
        modifiers = {c.lower_ for c in head.children if c.dep_ in ("amod", "compound")}
        if lower in _PRONOUNS or (lower in self.group_refs and any(c.lower_ in ("the", "this") for c in head.children)):
            return Actor(token=head, refers_back=True)
        if any(t.lower_ in ("its", "their") and t.dep_ == "poss" and (t.head.lower_ in self.lexicon.group_nouns or
                                                                     t.head.lemma_.lower() in self.lexicon.group_nouns)
               for t in head.subtree):
            return Actor(token=head, refers_back=True)  # "one of its fighters", "their men"
        if {lower, lemma} & lex.analyst_nouns or modifiers & lex.analyst_nouns:
            return Actor(analyst=True, token=head)
        if ({lower, lemma} | (modifiers if head.pos_ == "PROPN" else set())) & (
                lex.official_nouns | lex.state_nouns | _SPOKES) and not {lower, lemma} & lex.news_nouns:
            return Actor(official=True, token=head)  # "police", "the army", "Interior Minister Sheikh Rashid"
        if {lower, lemma} & (self.words.attacker_nouns | self.words.fighter_nouns) or \
                (lemma in ("bomber", "man", "men") and modifiers):
            return Actor(description=_phrase(head), token=head)
        return None

    def _named(self, sentence: Sentence, head: Token, kinds: tuple[str, ...]) -> Actor | None:
        mention = sentence.mention_at(head.i)
        if mention is not None and mention.kind in kinds:
            return Actor(mention.entity_id, mention.kind, token=head)
        for apposition in children(head, "appos"):
            if apposition.lower_ in _SPOKES or apposition.lemma_.lower() in _SPOKES:
                found = self._named(sentence, apposition, ("armed_group", "state"))
                if found is not None:
                    return found
        queue = [c for c in head.children if c.dep_ in ("compound", "poss", "amod", "nmod", "prep", "appos")]
        acting_noun = head.lemma_.lower() in self._acting_nouns or head.lower_ in self._acting_nouns
        while queue:
            child = queue.pop(0)
            if child.dep_ == "prep" and child.lower_ not in ("of", "from", "for"):
                continue  # "the bombing in Kabul", "fighters with links to": a place or a tie, not the actor
            if child.i != head.i and self.words.target_nouns & {child.lower_, child.lemma_.lower()}:
                continue  # "the Kabul airport bombing": the airport's place, not who bombed
            mention = sentence.mention_at(child.i)
            if mention is not None and mention.kind in kinds:
                if mention.kind == "state" and child.dep_ in ("amod", "compound") and child.head.i == head.i \
                        and not acting_noun:
                    continue  # "the Jordanian doctor": where he is from, not who acted
                if self._metonym(mention.entity_id, mention.text) and child.dep_ in ("compound", "amod"):
                    continue  # "a Kabul bombing": the city, not its rulers
                return self._branch(sentence, head, Actor(mention.entity_id, mention.kind, token=head))
            queue.extend(c for c in child.children if c.dep_ in ("compound", "poss", "amod", "pobj", "prep",
                                                                  "nmod", "conj"))
        return None

    def _metonym(self, entity_id: str, surface: str) -> bool:
        """Whether a name stands for an entity only for a time ("Kabul" for the Taliban): a place's name."""
        entity = self.entities.get(entity_id)
        folded = surface.casefold().removesuffix("'s").removesuffix("\u2019s")
        return entity is not None and any(a.name.casefold() == folded and (a.valid_from or a.valid_until)
                                          for a in entity.aliases)

    def _branch(self, sentence: Sentence, head: Token, actor: Actor) -> Actor:
        """ "The Islamic State's Afghan affiliate": the branch the registry names for that country, when it has
        one ("Islamic State in Afghanistan" is IS-K); the group itself otherwise."""
        if head.lemma_.lower() not in self.lexicon.branch_words and head.lower_ not in self.lexicon.branch_words:
            return actor
        entity = self.entities.get(actor.entity_id or "")
        if entity is None:
            return actor
        places = []
        for child in head.children:
            mention = sentence.mention_at(child.i)
            if mention is not None and mention.kind in ("state", "place") and child.dep_ in ("amod", "compound",
                                                                                            "nmod"):
                places.append(self.entities[mention.entity_id].name)
            elif child.dep_ in ("amod", "compound") and child.pos_ == "PROPN":
                places.append(child.text)
        for place in places:
            for name in (f"{entity.name} in {place}", f"{entity.name} {place}", f"{entity.name} {place} Province"):
                try:
                    found = self.names.resolve(name)
                except (EntityNotFound, AmbiguousName):
                    continue
                if found.kind == "armed_group" and found.id != entity.id:
                    return Actor(found.id, found.kind, token=actor.token)
        return actor

    # --- agents and targets of an event word --------------------------------------------------

    def agents(self, sentence: Sentence, head: Token, part: str) -> list[Actor]:
        """Who the sentence says did what the event word at ``head`` tells (not who struck back: "troops hit back
        and killed 20 attackers")."""
        phrases: list[Token] = []
        if self._responding(head):
            return []
        if part == "verb":
            phrases += self._subjects(head)
            # "carried out with the help of the Pakistani Taliban"
            phrases += [p for help_ in preps(head, "with") if help_.lemma_.lower() in ("help", "support", "backing",
                                                                                        "assistance")
                        for p in preps(help_, "of")]
        else:
            for child in head.children:
                mention = sentence.mention_at(child.i)
                if child.dep_ in ("poss", "compound", "nmod", "amod") and mention is not None and not (
                        child.dep_ != "poss" and self._metonym(mention.entity_id, mention.text)):
                    phrases.append(child)  # "a TTP attack", "IS-K's bombing"; not "a Kabul bombing"
            phrases += preps(head, "by")
            for acl in children(head, "acl", "relcl"):
                if acl.lemma_.lower() in _LIGHT or acl.lemma_.lower() == "claim":
                    by = agent(acl)
                    if by is not None:
                        phrases.append(by)
            verb = head.head
            if head.dep_ in ("dobj", "nsubjpass") and verb.lemma_.lower() in _LIGHT:
                by = agent(verb) if is_passive(verb) else None
                phrases += [by] if by is not None else self._subjects(verb)
            for light in [verb, *verb.conjuncts] if head.dep_ in ("dobj", "nsubjpass") else []:
                # "the bombing was planned in Afghanistan and carried out with the help of the Pakistani Taliban"
                phrases += [p for help_ in preps(light, "with") if help_.lemma_.lower() in (
                    "help", "support", "backing", "assistance") for p in preps(help_, "of")]
            if head.dep_ == "pobj" and head.head.lower_ == "behind":
                phrases += self._subjects(head.head.head)
            if head.dep_ == "nsubjpass" and verb.lemma_.lower() in _LIGHT | {"carry"}:
                by = agent(verb)
                if by is not None:
                    phrases.append(by)
        actors = []
        for phrase in phrases:
            for part_token in conjuncts(phrase):
                actor = self.of_phrase(sentence, part_token)
                if actor is not None and not actor.official and not actor.analyst:
                    actors.append(actor)
        return actors

    @staticmethod
    def _responding(head: Token) -> bool:
        """The event word tells a response to the attack: "hit back", "fired back", "retaliated", "repulsed"."""
        for token in [head, *list(ancestors(head))[:2]]:
            if token.pos_ == "VERB" and (token.lemma_.lower() in ("retaliate", "respond", "repulse", "repel",
                                                                   "counter") or any(
                    c.dep_ in ("prt", "advmod") and c.lower_ == "back" for c in token.children)):
                return True
        return False

    def _subjects(self, verb: Token) -> list[Token]:
        """A verb's subjects (a passive's agent), or its head's when it shares them ("stormed … and killed")."""
        current = verb
        for _ in range(4):
            if is_passive(current):
                by = agent(current)
                return [by] if by is not None else []
            found = [c for c in current.children if c.dep_ in ("nsubj", "csubj")]
            if found:
                if found[0].lower_ in ("who", "which", "that") and current.dep_ == "relcl":
                    return [current.head]
                return found
            if current.dep_ in ("conj", "xcomp", "advcl", "pcomp") and current.head != current:
                current = current.head
                continue
            if current.dep_ in ("acl", "relcl"):
                return [current.head]
            break
        return []

    def targets(self, sentence: Sentence, head: Token, part: str,
                start: int | None = None) -> list[tuple[str | None, str | None]]:
        """What the event word at ``head`` struck: (entity id, None) for an entity of the graph, (None,
        description) for one described ("police post"). ``start`` is where the event word begins: its own words
        ("car" of "car bomb") are no target."""
        phrases: list[Token] = []
        if part == "verb" and not is_passive(head):
            phrases += children(head, "dobj")
        if part == "verb" and is_passive(head):
            phrases += children(head, "nsubjpass")
        phrases += preps(head, *_TARGET_PREPS)
        for clause in children(head, "acl", "advcl", "xcomp", "relcl"):
            if clause.lemma_.lower() in ("target", "hit", "strike", "attack"):
                phrases += children(clause, "dobj") + preps(clause, "on", "at")
        if part == "noun":
            phrases += [c for c in head.children if c.dep_ == "compound" and self._described(c)
                        and (start is None or c.i < start)]
        found: list[tuple[str | None, str | None]] = []
        for phrase in phrases:
            for token in conjuncts(phrase):
                mention = sentence.mention_at(token.i)
                if mention is not None and mention.kind in TARGET_KINDS:
                    found.append((mention.entity_id, None))
                    continue
                if self._described(token):
                    found.append((None, self._description(sentence, token)))
                    for mention_token in (c for c in token.children if c.dep_ in ("compound", "amod", "poss")):
                        inner = sentence.mention_at(mention_token.i)
                        if inner is not None and inner.kind == "community":
                            found.append((inner.entity_id, None))
        return found

    def _described(self, token: Token) -> bool:
        return token.pos_ in ("NOUN", "PROPN") and (token.lower_ in self.words.target_nouns
                                                    or token.lemma_.lower() in self.words.target_nouns)

    def _description(self, sentence: Sentence, token: Token) -> str:
        """A target in a few words: its head with the modifiers that say what it is ("Shia mosque", "police
        post", "wedding party"), without articles, numbers or evaluations."""
        kept = []
        for child in token.children:
            if child.i > token.i:
                continue
            lower = child.lower_
            if child.dep_ == "compound" or (child.dep_ in ("amod", "nmod") and (
                    lower in self.words.target_modifiers or child.pos_ == "PROPN" or child.ent_type_ == "NORP"
                    or sentence.mention_at(child.i) is not None)):
                kept.append(child)
        words = [t.text for t in sorted(kept, key=lambda t: t.i)] + [token.text]
        return " ".join(words)

    # --- who says so ------------------------------------------------------------------------

    def speaker(self, sentence: Sentence, clause: Token) -> Actor | None:
        """Who asserts the clause at ``clause``: the subject of a speech verb over it, or "according to" whom;
        None when the outlet speaks in its own voice."""
        path = [clause, *ancestors(clause)]
        for position, token in enumerate(path):
            for prep in children(token, "prep"):
                if prep.lower_ == "according":
                    for pobj in (p for to in children(prep, "prep") for p in children(to, "pobj")):
                        return self.of_phrase(sentence, pobj, ("state", "armed_group", "person", "organization"))
            if position == 0:
                continue
            below = path[position - 1]
            if token.pos_ in ("VERB", "AUX") and (token.lemma_.lower() in self.speech or token.lower_ in self.speech) \
                    and below.dep_ in _SPEECH_LINKS and not (below.dep_ in SUBJECTS and below.head == token):
                subject = agent(token) if is_passive(token) else next(
                    (c for c in token.children if c.dep_ in ("nsubj", "csubj")), None)
                if subject is None:
                    continue
                return self.of_phrase(sentence, subject, ("state", "armed_group", "person", "organization"))
        return None

    # --- stances ------------------------------------------------------------------------------

    def stances(self, sentence: Sentence, event_nouns: frozenset[str]) -> list[Stance]:
        """Claims of responsibility, blame and denial the sentence makes (``event_nouns``: the words that name an
        attack, "the blast")."""
        found: list[Stance] = []
        for token in sentence.span:
            if token.pos_ not in ("VERB", "AUX") and not token.tag_.startswith("VB"):
                if token.pos_ == "ADP" and token.lower_ == "behind":
                    found += self._behind(sentence, token, event_nouns)
                elif token.lower_ in ("responsible", "involved") and token.dep_ in ("acomp", "oprd", "amod"):
                    found += self._responsible(sentence, token)
                elif token.lemma_.lower() in ("hallmark", "signature", "fingerprint"):
                    found += self._hallmarks(sentence, token)
                continue
            lemma = token.lemma_.lower()
            if negated(token) or self._unreal(token):
                continue
            if lemma in self.words.responsibility_verbs:
                found += self._responsibility(sentence, token, event_nouns)
            elif lemma in self.words.blame_verbs:
                found += self._blame(sentence, token, event_nouns)
            elif lemma in self.words.denial_verbs:
                found += self._denial(sentence, token, event_nouns)
        return found

    def _unreal(self, token: Token) -> bool:
        return any(c.dep_ == "aux" and c.lemma_.lower() in ("will", "would", "could", "may", "might")
                   for c in token.children)

    def _event_of(self, token: Token | None, event_nouns: frozenset[str]) -> Token | None:
        if token is None:
            return None
        if token.lemma_.lower() in event_nouns or token.lower_ in event_nouns or token.lower_ in ("it", "this"):
            return token
        return None

    def _responsibility(self, sentence: Sentence, verb: Token, event_nouns: frozenset[str]) -> list[Stance]:
        """ "X claimed responsibility for the attack", "X claimed the blast", "the attack was claimed by X"."""
        objects = children(verb, "dobj")
        event: Token | None = None
        claimant: Token | None = None
        if any(o.lemma_.lower() in self.words.responsibility_nouns for o in objects):
            noun = next(o for o in objects if o.lemma_.lower() in self.words.responsibility_nouns)
            if any(negated(c) for c in (noun, verb)) or any(c.lower_ == "no" for c in noun.children):
                return []
            event = next((p for p in preps(noun, "for") + preps(verb, "for")), None)
            claimant = next(iter(self._subjects(verb)), None)
        elif verb.lemma_.lower() in self.words.claim_verbs:
            if is_passive(verb):
                event = next(iter(children(verb, "nsubjpass")), None)
                claimant = agent(verb)
            else:
                event = next((o for o in objects if self._event_of(o, event_nouns) is not None), None)
                claimant = next(iter(self._subjects(verb)), None) if event is not None else None
            if event is None or self._event_of(event, event_nouns) is None:
                return []
        if claimant is None:
            return []
        actor = self.of_phrase(sentence, claimant)
        if actor is None or actor.official or actor.analyst:
            return []
        said = self.speaker(sentence, verb)
        if said is not None and said.entity_id != actor.entity_id and (said.named or said.official):
            # "ISIS bears sole responsibility for this attack," a US spokeswoman said: her allegation
            basis: Basis = "assessed" if said.analyst or said.kind in ("person", "organization") else "alleged"
            return [Stance(basis, actor, said, verb, event)]
        return [Stance("claimed", actor, actor, verb, event)]

    def _blame(self, sentence: Sentence, verb: Token, event_nouns: frozenset[str]) -> list[Stance]:
        """ "X blamed Y for the attack", "X blamed the attack on Y", "X accused Y of", "X held Y responsible"."""
        lemma = verb.lemma_.lower()
        objects = children(verb, "dobj")
        accused: list[Token] = []
        event: Token | None = None
        if lemma == "hold" and not any(c.lower_ == "responsible" for c in verb.subtree):
            return []
        if is_passive(verb):
            subject = next(iter(children(verb, "nsubjpass")), None)
            if self._event_of(subject, event_nouns) is not None:
                event, accused = subject, preps(verb, "on", "to")
            else:
                accused = [subject] if subject is not None else []
                event = next(iter(preps(verb, "for")), None)
            accuser = agent(verb)
        else:
            for obj in objects:
                if self._event_of(obj, event_nouns) is not None:
                    event = obj
                    accused += preps(verb, "on", "to")
                else:
                    accused.append(obj)
            event = event or next(iter(preps(verb, "for", "of")), None)
            accuser = next(iter(self._subjects(verb)), None)
        said = self.speaker(sentence, verb)
        asserter = self.of_phrase(sentence, accuser, ("state", "armed_group", "person", "organization")) \
            if accuser is not None else said
        sponsor = any(t.lower_ in self.words.sponsor_words or t.lemma_.lower() in self.words.sponsor_words
                      for t in verb.subtree if t.i > verb.i)
        found = []
        for phrase in accused:
            for token in conjuncts(phrase):
                actor = self.of_phrase(sentence, token)
                if actor is None or actor.official or actor.analyst:
                    continue
                basis: Basis = "assessed" if asserter is not None and (
                    asserter.analyst or asserter.kind in ("person", "organization")) else "alleged"
                found.append(Stance(basis, actor, asserter, verb, event, "sponsor" if sponsor else "perpetrator"))
        return found

    def _behind(self, sentence: Sentence, behind: Token, event_nouns: frozenset[str]) -> list[Stance]:
        """ "Police said the TTP was behind the attack": an agent by the speaker's word."""
        event = next((c for c in behind.children if c.dep_ == "pobj"), None)
        if self._event_of(event, event_nouns) is None:
            return []
        copula = behind.head
        if negated(copula):
            return []
        subjects = [c for c in copula.children if c.dep_ in ("nsubj", "nsubjpass")]
        said = self.speaker(sentence, copula)
        found = []
        for subject in subjects:
            for token in conjuncts(subject):
                actor = self.of_phrase(sentence, token)
                if actor is None or actor.official or actor.analyst:
                    continue
                found.append(self._by_speaker(actor, said, copula, event))
        return found

    def _responsible(self, sentence: Sentence, word: Token) -> list[Stance]:
        """ "US officials said IS-K was responsible", "suggested that Kyiv was involved": who did it, by the
        speaker's word."""
        copula = word.head
        if negated(copula) or negated(word) or copula.lemma_.lower() not in ("be", "seem", "appear"):
            return []
        said = self.speaker(sentence, copula)
        found = []
        for subject in (c for c in copula.children if c.dep_ in ("nsubj", "nsubjpass")):
            for token in conjuncts(subject):
                actor = self.of_phrase(sentence, token)
                if actor is not None and actor.named:
                    found.append(self._by_speaker(actor, said, copula, None))
        return found

    def _hallmarks(self, sentence: Sentence, noun: Token) -> list[Stance]:
        """ "The attack bore the hallmarks of IS-K, analysts said": a judgement of who did it."""
        if negated(noun.head) or any(c.lower_ == "no" for c in noun.children):
            return []
        found = []
        for pobj in preps(noun, "of"):
            actor = self.of_phrase(sentence, pobj)
            if actor is None or not actor.named:
                continue
            said = self.speaker(sentence, noun.head)
            found.append(Stance("assessed", actor, said if said is not None and (said.named or said.analyst)
                                else Actor(analyst=True), noun))
        return found

    def _by_speaker(self, actor: Actor, said: Actor | None, token: Token, event: Token | None) -> Stance:
        if said is None:
            return Stance("reported", actor, None, token, event)
        if said.named and said.entity_id == actor.entity_id:
            return Stance("claimed", actor, actor, token, event)
        if said.analyst or said.kind in ("person", "organization"):
            return Stance("assessed", actor, said, token, event)
        return Stance("alleged", actor, said, token, event)

    def _denial(self, sentence: Sentence, verb: Token, event_nouns: frozenset[str]) -> list[Stance]:
        """ "X denied involvement", "X rejected the accusation", "X denied that such attacks took place"."""
        subject = next(iter(self._subjects(verb)), None)
        if subject is None:
            said = self.speaker(sentence, verb)
            denier = said
        else:
            denier = self.of_phrase(sentence, subject, ("state", "armed_group", "person"))
        if denier is None:
            return []
        words = {t.lemma_.lower() for t in verb.subtree if t.i > verb.i} | \
                {t.lower_ for t in verb.subtree if t.i > verb.i}
        text = " ".join(t.lower_ for t in verb.subtree if t.i > verb.i)
        happened = any(w in text for w in self.words.happened_words) or (
            "attacked" in words and denier.kind == "state")
        parts = tuple(sorted(words & self.words.denied_part_words))
        if not parts and not happened and not (words & event_nouns):
            return []
        event = next((t for t in verb.subtree if t.i > verb.i and t.lemma_.lower() in event_nouns), None)
        return [Stance("denied", denier, denier, verb, event, happened=happened, parts=parts)]


def resolved(actor: Actor, entity_id: str, kind: str | None) -> Actor:
    """The actor with who it refers to filled in."""
    return replace(actor, entity_id=entity_id, kind=kind, refers_back=False, official=False)


def _phrase(head: Token) -> str:
    """A described actor in a few words ("unidentified gunmen", "suicide bomber"), without articles."""
    kept = [c for c in head.children if c.i < head.i and c.dep_ in ("amod", "compound")]
    return " ".join(t.text for t in [*sorted(kept, key=lambda t: t.i), head]).lower()
