"""Who did what to whom: a relation cue's subject and object, read from the dependency tree.

A cue (data in the ontology: "attack* on", "fired rockets at", "backed by", "- based") is
found in the text; its words' syntactic root is the *anchor*. The rules then read the tree
around the anchor, not a window of words:

- a verb takes its subject (``nsubj``; a passive's ``agent``), shares the subject of the verb
  it is conjoined to or completes ("vowed to attack", "attacked X and killed"), takes the
  antecedent of a relative clause ("militants who attack"), the accused of an accusation
  ("accused X of sheltering"), and its object from ``dobj`` or, when the cue ends in a
  preposition, from that preposition's object, with every conjunct ("China, Iran and Uzbekistan");
- a noun ("attack on", "enemy of", "support for") takes as its agent a possessor ("IS-K's
  attack"), a modifier ("a Pakistani air strike"), a "by" phrase, the subject of the light verb
  or copula it completes ("carried out an attack on", "is a threat to"), or the head of the
  phrase it is in apposition to ("X, an ally of Y");
- a claim of responsibility ("claimed the bombing", "said it was behind the attack") makes the
  claimant the agent of the attack, whose target is named by the attack noun or was told before;
- a hyphened compound ("Iran-backed", "Pakistan-based", "Taliban-run") relates the name in it
  to the phrase it modifies.
Each reading says how it was made, which sets the claim's confidence.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from spacy.tokens import Span, Token

from graph.domain.ontology import RelationType
from graph.language.extract.cues import CueHit
from graph.language.extract.lexicon import Lexicon
from graph.language.extract.mentions import Mention
from graph.language.extract.resolve import Resolver
from graph.language.extract.tree import SUBJECTS, agent, child, children, conjuncts, is_passive, preps, word_in


def _located(rel: RelationType) -> bool:
    """Whether the object may be named by what it owns or where it lies ("Pakistani posts", "hideouts in X")."""
    return rel.category in ("hostile", "territorial")


def _blames_on(event: Token, put_down_to: Mapping[str, str]) -> str | None:
    """The preposition naming who an event is put down to when the parser hangs it on the event itself:
    "blamed the attack on IS-K", "attributed the attack to the TTP" (the lexicon's ``put_down_to``)."""
    word = put_down_to.get(event.head.lemma_.lower()) if event.dep_ == "dobj" else None
    return word if word and any(c.dep_ == "prep" and c.lower_ == word for c in event.children) else None


@dataclass(frozen=True)
class Reading:
    """The subjects and objects one cue relates, and how they were read."""

    subjects: list[Mention]
    objects: list[Mention]
    clause: Token  # where speech, negation and hedges are looked up from
    form: str  # verb | passive | noun | compound | responsibility | reaction
    accuser: Mention | None = None  # "X accused Y of …": what follows is X's allegation
    mutual: bool = False
    intended: bool = False  # governed by a verb of intention ("vowed to attack"): a threat, not an act
    retype: str | None = None  # the relation type the grammar shows this cue stands for here
    notes: list[str] = field(default_factory=list)


@dataclass
class Pending:
    """An attack told without its agent ("a bomb struck a market in Peshawar"), for a later claim of it."""

    target: Mention | None = None
    text: str = ""


class SlotReader:
    """Reads the slots of cue hits in one sentence."""

    def __init__(self, sentence: Span, resolver: Resolver, lexicon: Lexicon, pending: Pending,
                 earlier: Callable[[str], list[Mention]] | None = None) -> None:
        self.sentence = sentence
        self.doc = sentence.doc
        self.resolver = resolver
        self.lexicon = lexicon
        self.pending = pending
        # verbs whose object is accused of what follows "of" or "for" ("accused X of", "held X responsible for")
        self._accusing = lexicon.accusing_verbs | lexicon.holding_verbs
        # the agents of attacks on an entity told earlier in the report ("the alleged attack on Tajikistan")
        self.earlier = earlier or (lambda _target: [])
        # who named an end read through a free relative ("what Iran called hideouts of …")
        self.voice: Mention | None = None

    # --- entry point ---------------------------------------------------------------------------

    def read(self, hit: CueHit, rel: RelationType) -> Reading | None:
        """The reading of one cue hit, or None when the tree gives it no two ends."""
        span = self.doc[hit.start:hit.end]
        if span[0].text == "-":
            return self._compound(hit, rel)
        anchor = span.root
        if len(span) == 1 and word_in(anchor, self.lexicon.ruler_nouns):
            return self._rulers(anchor, rel)
        words = {t.lower_ for t in span} | {t.lemma_.lower() for t in span}
        if rel.category == "hostile" and (words & self.lexicon.claim_verbs or "behind" in words
                                          or "responsibility" in words):
            return self._responsibility(span, rel)
        if hit.passive:
            return self._passive(anchor, rel, span)
        last = span[-1]
        prep_object = len(span) > 1 and last.dep_ != "prt" and (last.pos_ == "ADP" or last.dep_ in ("prep", "agent"))
        if anchor.pos_ == "ADP" and anchor.i == span[0].i:
            return self._adverbial(anchor, rel, span)
        if anchor.pos_ in ("VERB", "AUX") or (anchor.tag_.startswith("VB") and anchor.pos_ != "NOUN"):
            reading = self._verb(anchor, rel, span, last if prep_object else None, hit.mutual)
        else:
            reading = self._noun(anchor, rel, span, last if prep_object else None, hit.mutual)
        if reading is not None and rel.category == "hostile" and self._intended(anchor):
            reading = replace(reading, intended=True)
        if reading is not None and rel.category == "hostile":
            reading = self._retype(reading, rel, anchor)
        return reading

    def _intended(self, anchor: Token) -> bool:
        """A verb of intention governs the cue ("vowed to attack", "promised attacks on", "plans to strike");
        "planned the Bisham attack" tells of an act, not an intention."""
        current = anchor
        for _ in range(3):
            link = current.dep_
            if link not in ("xcomp", "dobj", "ccomp") or current.head == current:
                return False
            current = current.head
            if word_in(current, self.lexicon.intention_verbs) and (
                    link != "dobj" or word_in(current, self.lexicon.threat_verbs)):
                return True
        return False

    def _retype(self, reading: Reading, rel: RelationType, anchor: Token) -> Reading:
        """One act or a campaign, by the verb's aspect: "has repeatedly attacked" is a campaign (the lexicon's
        campaign type); "Iran said it had targeted Jaish al-Adl" one strike (its responsibility type)."""
        lex = self.lexicon
        if reading.form not in ("verb", "passive") or anchor.pos_ != "VERB" or reading.retype is not None:
            return reading
        often = any(c.dep_ == "advmod" and c.lower_ in lex.frequency_adverbs for c in anchor.children)
        if rel.name == lex.responsibility_type and often:
            return replace(reading, retype=lex.campaign_type)
        past = anchor.tag_ == "VBD" or any(c.dep_ == "aux" and c.lower_ == "had" for c in anchor.children)
        if rel.name == lex.campaign_type and past and not often:
            return replace(reading, retype=lex.responsibility_type)
        return reading

    # --- verbs ---------------------------------------------------------------------------------

    def _verb(self, verb: Token, rel: RelationType, span: Span, prep: Token | None, mutual: bool) -> Reading | None:
        if rel.symmetric:
            pair = self._between(verb, rel)
            if pair is not None:
                return pair
        if is_passive(verb) and len(span) > 1 and span[-1].i > verb.i and span[-1].pos_ in ("VERB", "AUX"):
            # "IS-K's attack on the Hazara is aimed at forcing Iran to …": the event's agent does it
            subjects = self._ends(self._agents_of_events(self._passive_subjects(verb)), rel.subject_kinds)
            exclude = [m.entity_id for m in subjects]
            objects = self._ends(self._objects_of_verb(span[-1], None), rel.object_kinds, exclude=exclude)
            return Reading(subjects, objects, verb, "verb")
        if is_passive(verb) and prep is None:
            # "Tajikistan was attacked by IS-K", "the Hazara have long been targeted by IS-K"
            by = agent(verb)
            objects = self._ends(self._passive_subjects(verb), rel.object_kinds, places=_located(rel))
            subjects = self._ends(conjuncts(by), rel.subject_kinds) if by is not None else []
            if not subjects and rel.category == "hostile":
                # "Abu Ali Balochi was killed in a US drone strike": the strike's agent
                events = [e for e in preps(verb, "in", "during", "by") if word_in(e, self.lexicon.event_nouns)]
                subjects = self._ends([a for e in events for a in self._event_agents(e)], rel.subject_kinds,
                                      exclude=[m.entity_id for m in objects])
            if not subjects and objects and rel.name == self.lexicon.responsibility_type:
                self._wait(objects[0])
            return Reading(subjects, objects, verb, "passive")
        if word_in(verb, self.lexicon.suffered_participles) and verb.dep_ in ("acl", "amod") \
                and verb.tag_ == "VBN":
            # "twelve soldiers killed in the blast": a victim described, not an agent acting
            suffered = self._ends([verb.head], rel.object_kinds, places=True)
            if suffered and rel.name == self.lexicon.responsibility_type:
                self._wait(suffered[0])
            return None
        subject_tokens, accuser = self._subjects_of_verb(verb)
        if not subject_tokens and prep is not None and is_passive(verb):
            # "the TTP has long been allied with al-Qaeda", "which is based in": a state, its holder the subject
            subject_tokens = self._passive_subjects(verb)
        subjects = self._ends(self._agents_of_events(subject_tokens), rel.subject_kinds)
        exclude = [m.entity_id for m in subjects]
        object_tokens = self._objects_of_verb(verb, prep)
        self.voice = None
        objects = self._ends(self._events_as_agents(object_tokens, rel), rel.object_kinds,
                             places=_located(rel), exclude=exclude)
        if not objects and rel.category == "hostile" and prep is None:
            # "a suicide bomber blew himself up outside the Russian embassy", "stormed a bus in Peshawar"
            where = [c for t in preps(verb, "outside", "at", "near", "inside", "in", "on") for c in conjuncts(t)]
            objects = self._ends(where, rel.object_kinds, places=True, exclude=exclude)
        accuser = accuser or self.voice
        if rel.name == self.lexicon.responsibility_type and not subjects and objects:
            self._wait(objects[0])
        if rel.cues.reactive and not objects:
            objects = self._ends(self._reaction_targets(verb), rel.object_kinds, exclude=exclude)
        if rel.symmetric and not subjects and len(objects) >= 2:
            return Reading(objects[:1], objects[1:2], verb, "verb", accuser, mutual)  # "connecting X and Y"
        if mutual and not objects and len(subjects) >= 2:
            return Reading(subjects[:1], subjects[1:2], verb, "verb", accuser, mutual)  # "X and Y clash"
        return Reading(subjects, objects, verb, "verb", accuser, mutual, retype=self._attack_participle(verb, rel))

    def _between(self, verb: Token, rel: RelationType) -> Reading | None:
        """ "Relations between Islamabad and Kabul have soured", "… have been strained": the pair is the subject."""
        subjects = [t for t in verb.children if t.dep_ in SUBJECTS]
        between = [c for t in subjects for g in preps(t, "between") for c in conjuncts(g)]
        pair = self._ends(between, rel.subject_kinds)
        if len(pair) >= 2:
            return Reading(pair[:1], pair[1:2], verb, "verb")
        return None

    def _attack_participle(self, verb: Token, rel: RelationType) -> str | None:
        """ "Pakistan carried out air strikes …, targeting TTP hideouts": the target of an attack, not a campaign."""
        if rel.category != "hostile" or rel.name == self.lexicon.responsibility_type or verb.dep_ != "advcl" \
                or verb.tag_ != "VBG":
            return None
        head = verb.head
        attacks = word_in(head, self.lexicon.event_nouns) or any(
            c.dep_ == "dobj" and word_in(c, self.lexicon.event_nouns) for c in head.children)
        return self.lexicon.responsibility_type if attacks else None

    def _events_as_agents(self, tokens: list[Token], rel: RelationType) -> list[Token]:
        """What a probe or an accusation is about when it names an event: the event's agent."""
        if rel.category != "discursive":
            return tokens
        found: list[Token] = []
        for token in tokens:
            if self.resolver.entity(token) is None and word_in(token, self.lexicon.event_nouns):
                agents = self._event_agents(token)
                found.extend(agents if agents else self._agents_told(token))
            else:
                found.append(token)
        return found

    def _agents_told(self, event: Token) -> list[Token]:
        """The agent of an attack told earlier, for an event named by its target ("the attack on Tajikistan")."""
        for target in preps(event, *self.lexicon.target_prepositions):
            mention = self.resolver.entity(target, places=True)
            if mention is not None:
                for agent_mention in self.earlier(mention.entity_id):
                    self.resolver.extra[event.i] = agent_mention._replace(start=event.i, end=event.i + 1,
                                                                          via="event")
                    return [event]
        return []

    def _agents_of_events(self, tokens: list[Token]) -> list[Token]:
        """A subject that is an event stands for its agent: "the IS-K attack killed …", "the strikes hit …"."""
        found = []
        for token in tokens:
            if self.resolver.entity(token) is None and word_in(token, self.lexicon.event_nouns):
                found.extend(self._event_agents(token))
            else:
                found.append(token)
        return found

    def _objects_of_verb(self, verb: Token, prep: Token | None) -> list[Token]:
        if prep is not None:
            found = [g for g in prep.children if g.dep_ in ("pobj", "pcomp")]
            return [c for t in found for c in conjuncts(t)]
        direct = children(verb, "dobj", "obj", "dative")
        if not direct:
            # "targeting what it called TTP hideouts": a free relative stands in the object's place
            direct = [w for c in children(verb, "ccomp") for w in c.children if w.lower_ == "what"]
        if not direct and word_in(verb, self.lexicon.object_control_verbs):
            # "allowing the TTP to use Afghan soil": the subject of the clause the verb lets happen
            direct = [c for comp in children(verb, "ccomp", "xcomp") for c in comp.children if c.dep_ in SUBJECTS]
        if not direct:
            # "threatened to attack Pakistan": the object of the verb the cue governs
            for complement in children(verb, "xcomp"):
                direct = children(complement, "dobj")
                if direct:
                    break
        return [c for t in direct for c in conjuncts(t)]

    def _passive_subjects(self, verb: Token) -> list[Token]:
        subject = child(verb, "nsubjpass", "nsubj")
        if subject is not None:
            if subject.lower_ in self.lexicon.relative_pronouns and verb.dep_ == "relcl":
                return conjuncts(verb.head)
            return conjuncts(subject)
        if verb.dep_ in ("acl", "amod", "relcl"):
            return conjuncts(verb.head)  # "militants backed by Iran"
        if verb.dep_ == "conj":
            return self._passive_subjects(verb.head)
        return []

    def subjects_of_verb(self, verb: Token) -> tuple[list[Token], Mention | None]:
        """The subjects of a verb's clause (see ``_subjects_of_verb``), for the denial rule."""
        return self._subjects_of_verb(verb)

    def _subjects_of_verb(self, verb: Token, depth: int = 0) -> tuple[list[Token], Mention | None]:
        """The subjects of a verb's clause, and the accuser when the clause is what someone is accused of."""
        if depth > 4:
            return [], None
        if is_passive(verb):
            by = agent(verb)
            return (conjuncts(by) if by is not None else []), None
        subject = child(verb, "nsubj", "csubj", "expl")
        if subject is not None and subject.dep_ != "expl":
            if subject.lower_ in self.lexicon.relative_pronouns:
                # "militants who attack", "the TTP, which Pakistan says operates from Afghan soil"
                clause = verb
                while clause.dep_ in ("ccomp", "xcomp", "conj") and clause.head != clause:
                    clause = clause.head
                if clause.dep_ in ("relcl", "acl"):
                    return conjuncts(clause.head), None
            return conjuncts(subject), None
        head = verb.head
        dep = verb.dep_
        if dep == "relcl":
            return conjuncts(head), None
        if dep == "ccomp" and head.dep_ == "relcl" and any(
                c.lower_ in self.lexicon.relative_pronouns and c.dep_ not in ("nsubj", "nsubjpass")
                for c in head.children):
            return conjuncts(head.head), None  # "the TTP, which Pakistan says operates from Afghan soil"
        if dep == "acl" and verb.tag_ in ("VBG", "VBN"):
            if self.resolver.entity(head) is None and head.pos_ == "NOUN":
                # "launched a propaganda offensive targeting Iran": the offensive's agent targets
                tokens, _, accuser = self._noun_agents(head)
                return tokens, accuser
            return [head], None  # "a group operating in Pakistan"
        if dep == "pcomp" and head.dep_ == "prep" and head.lower_ in ("of", "for"):
            accuser_verb = head.head
            if accuser_verb.lemma_.lower() in self._accusing:
                # "Pakistan accused the Taliban of sheltering the TTP": done by the accused, alleged by the accuser
                accused = children(accuser_verb, "dobj")
                accusers, _ = self._subjects_of_verb(accuser_verb, depth + 1)
                accuser = self.resolver.entity(accusers[0]) if accusers else None
                if is_passive(accuser_verb):
                    by = agent(accuser_verb)
                    accuser = self.resolver.entity(by) if by is not None else None
                    accused = [t for t in accuser_verb.children if t.dep_ in ("nsubjpass", "nsubj")]
                return [c for t in accused for c in conjuncts(t)], accuser
            return self._subjects_of_verb(accuser_verb, depth + 1) if accuser_verb.pos_ in ("VERB", "AUX") \
                else ([], None)
        if dep == "pcomp" and head.dep_ == "prep" and head.head.pos_ in ("VERB", "AUX"):
            # "increasing their propaganda by directly targeting regional countries", "after attacking"
            return self._subjects_of_verb(head.head, depth + 1)
        if dep == "xcomp":
            if head.lemma_.lower() in self.lexicon.object_control_verbs:
                controlled = children(head, "dobj")
                if controlled:
                    return conjuncts(controlled[0]), None
            return self._subjects_of_verb(head, depth + 1)
        if dep == "conj" and head.pos_ in ("VERB", "AUX"):
            speaker = head.head
            if head.dep_ == "ccomp" and self._speaks(verb) and self._speaks(speaker):
                # "Islamabad says TTP fighters found sanctuary … and accuses Kabul": the second verb is the speaker's
                return self._subjects_of_verb(speaker, depth + 1)
            return self._subjects_of_verb(head, depth + 1)
        if dep == "advcl" and verb.tag_ in ("VBG", "VBN") and child(verb, "mark") is None:
            return self._subjects_of_verb(head, depth + 1)  # "IS-K attacked Kabul, killing …"
        return [], None

    def _speaks(self, verb: Token) -> bool:
        lex = self.lexicon
        return verb.pos_ in ("VERB", "AUX") and (word_in(verb, lex.speech_verbs) or word_in(verb, lex.claim_verbs)
                                                  or verb.lemma_.lower() in self._accusing)

    def _reaction_targets(self, verb: Token) -> list[Token]:
        """What a response answers: "after TTP attacks, Islamabad retaliated", "in retaliation for X's raids"."""
        found = []
        for prep in children(verb, "prep"):
            if prep.lower_ in ("after", "following", "for") or (prep.lower_ == "in" and any(
                    c.lower_ in ("response", "retaliation", "reprisal") for c in prep.children)):
                for pobj in preps(prep.head, prep.lower_):
                    event = pobj
                    if pobj.lower_ in ("response", "retaliation", "reprisal"):
                        event = next(iter(preps(pobj, "to", "for")), pobj)
                    found.extend(self._event_agents(event))
        for clause in children(verb, "advcl"):
            if clause.lemma_.lower() in ("follow",):
                for obj in children(clause, "dobj"):
                    found.extend(self._event_agents(obj))
        return found

    # --- nouns ---------------------------------------------------------------------------------

    def _relational(self, noun: Token, rel: RelationType) -> Reading | None:
        """ "Beijing, Islamabad's closest ally", "IS-K, the Taliban's fiercest rival": the possessor is the other
        end, and the one the noun describes (by apposition or "is") the first."""
        possessor = child(noun, "poss")
        if possessor is None or not word_in(noun, self.lexicon.relational_nouns):
            possessor = self._naming_modifier(noun, rel)
            if possessor is None:
                return None
        described: list[Token] = []
        if noun.dep_ == "appos":
            described = [noun.head]
        elif noun.dep_ in ("attr", "oprd") and noun.head.pos_ in ("VERB", "AUX"):
            described = [t for t in noun.head.children if t.dep_ in SUBJECTS]
        subjects = self._ends(described, rel.subject_kinds)
        objects = self._ends([possessor], rel.object_kinds, exclude=[m.entity_id for m in subjects])
        if not subjects or not objects:
            return None
        return Reading(subjects, objects, noun, "noun")

    def _naming_modifier(self, noun: Token, rel: RelationType) -> Token | None:
        """ "Jamaat-ul-Ahrar, a Pakistani Taliban faction", "X is an Iranian proxy": a cue noun describing an entity
        (by apposition or "is") names the other end in its modifier. Not for hostile types, whose modifier is
        the agent ("an IS-K attack")."""
        if rel.category == "hostile" or noun.dep_ not in ("appos", "attr", "oprd"):
            return None
        return next((c for c in noun.children if c.dep_ in ("poss", "compound", "amod")
                     and self._ends([c], rel.object_kinds)), None)

    def _noun(self, noun: Token, rel: RelationType, span: Span, prep: Token | None, mutual: bool) -> Reading | None:
        if prep is not None and prep.lower_ == _blames_on(noun, self.lexicon.put_down_to):
            return None  # "blamed the attack on IS-K": IS-K is who is blamed, not what was hit
        relational = self._relational(noun, rel) if prep is None else None
        if relational is not None:
            return relational
        if prep is not None:
            object_tokens = [c for g in prep.children if g.dep_ in ("pobj", "pcomp") for c in conjuncts(g)]
        else:
            object_tokens = [c for t in preps(noun, "of", "on", "against", "to", "with", "for", "over")
                             for c in conjuncts(t)]
        if not object_tokens and noun.dep_ == "dobj" and rel.category == "hostile":
            # "fired rockets at X": the parser may hang the target on the verb
            object_tokens = [c for t in preps(noun.head, "at", "on", "against", "into", "inside") for c in conjuncts(t)]
        agent_tokens, clause, accuser = self._noun_agents(noun)
        if not agent_tokens:
            # "the attack on the embassy by IS-K": the parser often hangs the "by" on the target
            agent_tokens = [c for t in object_tokens for g in preps(t, "by") for c in conjuncts(g)]
        subjects = self._ends(agent_tokens, rel.subject_kinds)
        exclude = [m.entity_id for m in subjects]
        self.voice = None
        objects = self._ends(self._events_as_agents(object_tokens, rel), rel.object_kinds, places=_located(rel),
                             exclude=exclude)
        accuser = accuser or self.voice
        subjects = [s for s in subjects if not any(s.entity_id == o.entity_id for o in objects)]
        if rel.name == self.lexicon.responsibility_type and not subjects and objects \
                and word_in(noun, self.lexicon.event_nouns):
            self._wait(objects[0])
        form = "noun"
        if rel.category == "hostile" and subjects and not objects and self._definite_event(noun) \
                and self.pending.target is not None and self.pending.target.kind in rel.object_kinds:
            # "The BLA said one of its members had carried out the attack": the attack told before
            objects = [self.pending.target._replace(via="event")]
            form = "responsibility-earlier"
        if not objects and rel.symmetric and len(subjects) >= 2:
            return Reading(subjects[:1], subjects[1:2], clause, "noun", accuser, mutual)
        if not subjects and rel.symmetric and len(objects) >= 2 and prep is not None and prep.lower_ == "between":
            # "the strain between Islamabad and Kabul", "tensions between X and Y": the pair is both ends
            return Reading(objects[:1], objects[1:2], clause, "noun", accuser, mutual)
        if not objects and not subjects and rel.symmetric:
            # "relations between Islamabad and Kabul", "the alliance between X and Y"
            between = [c for t in preps(noun, "between") for c in conjuncts(t)]
            pair = self._ends(between, rel.subject_kinds)
            if len(pair) >= 2:
                return Reading(pair[:1], pair[1:2], clause, "noun", accuser, mutual)
        return Reading(subjects, objects, clause, form, accuser, mutual)

    def _definite_event(self, noun: Token) -> bool:
        """An attack the sentence names as one already told: "the attack", "Monday's bombing", "this assault"."""
        if noun.lemma_.lower() not in self.lexicon.event_nouns or preps(noun, *self.lexicon.target_prepositions):
            return False
        return any(c.dep_ in ("det", "poss") and (c.lower_ in ("the", "this", "that", "these", "those")
                                                  or c.dep_ == "poss") for c in noun.children)

    def responsibility(self) -> list[tuple[Token, Reading]]:
        """Claims of responsibility the tree shows, whatever their words: "claimed the bombing",
        "took responsibility on Thursday for the twin blasts in Kerman", "claimed credit for Monday's raid"."""
        lex = self.lexicon
        found: list[tuple[Token, Reading]] = []
        for verb in self.sentence:
            lemma = verb.lemma_.lower()
            if verb.pos_ != "VERB" or lemma not in lex.responsibility_verbs:
                continue
            events: list[Token] = []
            if verb.dep_ in ("acl", "relcl") and word_in(verb.head, lex.event_nouns) and lemma in lex.claim_verbs:
                events.append(verb.head)  # "the attack in Moscow, claimed by the Islamic State"
            for obj in children(verb, "dobj", "nsubjpass"):
                if word_in(obj, lex.event_nouns) and lemma in lex.claim_verbs:
                    events.append(obj)
                elif obj.lower_ in lex.responsibility_nouns:
                    events.extend(preps(obj, "for"))
                    events.extend(preps(verb, "for"))
            events = [e for e in events if word_in(e, lex.event_nouns)]
            named_none = not events and any(o.lower_ in lex.responsibility_nouns
                                            for o in children(verb, "dobj", "nsubjpass"))
            if not events and not named_none:
                continue
            # "Responsibility was claimed by Tehreek-e-Jihad": for the attack the report told before
            reading = self._claimed(verb, events[0] if events else None)
            if reading is not None:
                found.append((verb, reading))
        found.extend(self._attributions())
        return found

    def _attributions(self) -> list[tuple[Token, Reading]]:
        """ "The attack in Moscow, attributed by many to ISK", "an attack the group blamed on Israel": the one an
        event is put down to is its agent, in the words of whoever puts it down (or of unnamed others)."""
        lex = self.lexicon
        found: list[tuple[Token, Reading]] = []
        for verb in self.sentence:
            if verb.pos_ != "VERB" or verb.lemma_.lower() not in lex.attribution_verbs:
                continue
            event = verb.head if verb.dep_ in ("acl", "relcl", "conj") else next(iter(children(verb, "dobj")), None)
            if verb.dep_ == "conj" and event is not None and event.dep_ in ("acl", "relcl"):
                event = event.head  # "claimed by X and attributed by many to Y"
            if event is None or not word_in(event, lex.event_nouns):
                continue
            agents = [c for t in preps(verb, "to", "on") for c in conjuncts(t)]
            put_down = _blames_on(event, self.lexicon.put_down_to)
            if not agents and put_down:
                agents = [c for t in preps(event, put_down) for c in conjuncts(t)]  # "blamed the attack on IS-K"
            subjects = self._ends(agents, ("armed_group", "state", "person"))
            if not subjects:
                continue
            exclude = [m.entity_id for m in subjects]
            kept = [p for p in self.lexicon.target_prepositions if p != put_down]
            targets = [c for t in preps(event, *kept) for c in conjuncts(t)]
            objects = self._ends(targets, ("state", "place", "community", "armed_group", "person"), places=True,
                                 exclude=exclude)
            if not objects and self.pending.target is not None and self.pending.target.entity_id not in exclude:
                objects = [self.pending.target._replace(via="event")]
            by = agent(verb) if is_passive(verb) else next(iter(children(verb, "nsubj")), None)
            accuser = self.resolver.entity(by) if by is not None else None
            found.append((verb, Reading(subjects, objects, verb, "attributed", accuser)))
        return found

    def _claimed(self, verb: Token, event: Token | None) -> Reading | None:
        rel_kinds = ("armed_group", "state", "person")
        subject_tokens, accuser = self._subjects_of_verb(verb)
        subjects = self._ends(subject_tokens, rel_kinds)
        if not subjects:
            return None
        exclude = [m.entity_id for m in subjects]
        objects: list[Mention] = []
        if event is not None:
            targets = [c for t in preps(event, *self.lexicon.target_prepositions) for c in conjuncts(t)]
            objects = self._ends(targets, ("state", "place", "community", "armed_group", "person"), places=True,
                                 exclude=exclude)
            if not objects:
                objects = self._ends(self._event_owners(event), ("state", "community", "armed_group"),
                                     exclude=exclude)
        form = "responsibility"
        if not objects and self.pending.target is not None and self.pending.target.entity_id not in exclude:
            objects = [self.pending.target._replace(via="event")]
            form = "responsibility-earlier"
        return Reading(subjects, objects, verb, form, accuser)

    def _noun_agents(self, noun: Token, depth: int = 0) -> tuple[list[Token], Token, Mention | None]:
        """Who does what a noun names, the clause it sits in, and the accuser if it is an accusation's content."""
        clause = noun
        possessor = child(noun, "poss")
        if possessor is not None:
            return conjuncts(possessor), noun, None
        for modifier in noun.children:
            if modifier.dep_ in ("compound", "amod", "nmod") and modifier.i < noun.i:
                mention = self.resolver.name_at(modifier)
                if mention is not None and self._agentive(mention, modifier):
                    return [modifier], noun, None
        by = list(preps(noun, "by"))
        if by:
            return [c for t in by for c in conjuncts(t)], noun, None
        head = noun.head
        if noun.dep_ == "appos":
            return [head], noun, None
        if noun.dep_ in ("dobj", "attr", "oprd", "acomp", "nsubjpass") and head.pos_ in ("VERB", "AUX"):
            temporal = word_in(head, self.lexicon.temporal_verbs) and word_in(noun, self.lexicon.event_nouns)
            if not temporal and (word_in(head, self.lexicon.light_verbs) or word_in(head, self.lexicon.copulas)
                                 or head.lemma_.lower() == "be"):
                tokens, accuser = self._subjects_of_verb(head)
                return tokens, head, accuser
            if noun.dep_ == "nsubjpass":
                by_agent = agent(head)
                if by_agent is not None:
                    return conjuncts(by_agent), head, None
        if noun.dep_ == "nsubj" and head.pos_ in ("VERB", "AUX") and depth == 0:
            # "the attack on X was claimed by", handled by the claim; otherwise the event itself acts
            return [], head, None
        if noun.dep_ == "pobj" and head.dep_ == "prep":
            governor = head.head
            if head.lower_ in ("for", "of") and governor.lemma_.lower() in self._accusing:
                # "blamed the TTP for the attack on its soldiers"
                accused = children(governor, "dobj")
                accusers, _ = self._subjects_of_verb(governor)
                accuser = self.resolver.entity(accusers[0]) if accusers else None
                if is_passive(governor):
                    blamer = agent(governor)
                    accuser = self.resolver.entity(blamer) if blamer is not None else None
                    accused = [t for t in governor.children if t.dep_ in ("nsubjpass", "nsubj")]
                return [c for t in accused for c in conjuncts(t)], governor, accuser
            if (head.lower_ in ("in", "through", "with", "during", "behind") or (
                    head.lower_ == "to" and word_in(governor, self.lexicon.light_verbs))) and governor.pos_ in (
                    "VERB", "AUX"):  # "agreed to a ceasefire", "killed in attacks on"
                tokens, accuser = self._subjects_of_verb(governor)
                return tokens, governor, accuser
            if head.lower_ == "for" and governor.lower_ == "responsibility":
                claimant = governor.head
                tokens, accuser = self._subjects_of_verb(claimant)
                return tokens, claimant, accuser
            if head.lower_ == "as" and governor.pos_ in ("VERB", "AUX"):
                # "X regards Y as an ally", "Taliban and Iran are described as allies": said of the object,
                # in the words of whoever regards it so
                described = children(governor, "dobj")
                viewer = None
                if described:
                    viewers, _ = self._subjects_of_verb(governor)
                    viewer = self.resolver.entity(viewers[0]) if viewers else None
                else:
                    described = [t for t in governor.children if t.dep_ in SUBJECTS]
                return [c for t in described for c in conjuncts(t)], governor, viewer
            if head.lower_ in ("including", "like") and governor.pos_ == "NOUN" and depth < 2:
                # "has stepped up attacks …, including a suicide bombing of a mosque in Peshawar"
                tokens, outer, accuser = self._noun_agents(governor, depth + 1)
                return tokens, outer, accuser
            if head.lower_ == "of" and governor.pos_ == "NOUN" and depth < 2:
                # "a campaign of attacks on", "a wave of strikes against"
                tokens, outer, accuser = self._noun_agents(governor, depth + 1)
                return tokens, outer, accuser
        if noun.dep_ == "conj" and head.pos_ in ("NOUN", "PROPN") and depth < 2:
            return self._noun_agents(head, depth + 1)
        return [], clause, None

    def _agentive(self, mention: Mention, modifier: Token) -> bool:
        """A name modifying an event noun as its agent: a group, or a state by its adjective or own name."""
        if mention.kind == "armed_group":
            return True
        return mention.kind == "state" and (modifier.dep_ == "amod" or modifier.pos_ == "ADJ"
                                            or mention.text.isupper() or mention.via == "demonym")

    def _event_agents(self, event: Token) -> list[Token]:
        lex = self.lexicon
        while word_in(event, lex.quantity_nouns) or event.lower_ in lex.quantity_nouns:
            inner = next(iter(preps(event, "of")), None)  # "a spate of recent TTP attacks"
            if inner is None:
                break
            event = inner
        tokens, _, _ = self._noun_agents(event)
        if not tokens and self.resolver.name_at(event) is not None:
            return [event]
        return tokens

    # --- other forms ---------------------------------------------------------------------------

    def _passive(self, anchor: Token, rel: RelationType, span: Span) -> Reading | None:
        """A passive cue ("backed by", "led by"): the "by" phrase is the subject."""
        by_tokens = [g for t in span if t.lower_ == "by" for g in t.children if g.dep_ == "pobj"]
        subjects = self._ends([c for t in by_tokens for c in conjuncts(t)], rel.subject_kinds)
        verb = anchor if anchor.pos_ in ("VERB", "AUX") else span[0]
        objects = self._ends(self._passive_subjects(verb), rel.object_kinds, places=_located(rel))
        if not objects and verb.dep_ == "appos":
            objects = self._ends([verb.head], rel.object_kinds)
        if rel.name == self.lexicon.responsibility_type and not subjects and objects:
            self._wait(objects[0])
        return Reading(subjects, objects, verb, "passive")

    def _adverbial(self, prep: Token, rel: RelationType, span: Span) -> Reading | None:
        """A cue that is a prepositional phrase ("in retaliation", "at war with"): it modifies a clause."""
        verb = prep.head
        if verb.pos_ not in ("VERB", "AUX"):
            return None
        subject_tokens, accuser = self._subjects_of_verb(verb)
        subjects = self._ends(subject_tokens, rel.subject_kinds)
        object_tokens = [c for g in span[-1].children if g.dep_ == "pobj" for c in conjuncts(g)] \
            if span[-1].pos_ == "ADP" and span[-1] != prep else []
        objects = self._ends(object_tokens, rel.object_kinds)
        if not objects and rel.cues.reactive:
            retaliation = [g for g in prep.children if g.dep_ == "pobj"]
            events = [e for r in retaliation for e in preps(r, "for", "to")]
            objects = self._ends([a for e in events for a in self._event_agents(e)], rel.object_kinds)
        if not objects:
            objects = self._ends([c for t in children(verb, "dobj") for c in conjuncts(t)], rel.object_kinds)
        return Reading(subjects, objects, verb, "verb", accuser)

    def _responsibility(self, span: Span, rel: RelationType) -> Reading | None:
        """A claim of responsibility: the claimant is the agent of the attack, whose target is named or was told."""
        claimer = next((t for t in span if word_in(t, self.lexicon.claim_verbs)
                        or t.lower_ in self.lexicon.claim_verbs), None)
        behind = next((t for t in span if t.lower_ == "behind"), None)
        event = next((t for t in span if word_in(t, self.lexicon.event_nouns)
                      or t.lower_ in self.lexicon.event_nouns), None)
        if claimer is not None:
            subject_tokens, accuser = self._subjects_of_verb(claimer)
            clause = claimer
        elif behind is not None:
            verb = behind.head
            subject_tokens, accuser = self._subjects_of_verb(verb) if verb.pos_ in ("VERB", "AUX") else ([], None)
            clause = verb
        else:
            return None
        subjects = self._ends(subject_tokens, rel.subject_kinds)
        objects: list[Mention] = []
        form = "responsibility"
        if event is not None:
            targets = [c for t in preps(event, *self.lexicon.target_prepositions) for c in conjuncts(t)]
            objects = self._ends(targets, rel.object_kinds, places=True)
            if not objects:
                objects = self._ends(self._event_owners(event), rel.object_kinds)
        if not objects and self.pending.target is not None and self.pending.target.kind in rel.object_kinds:
            objects = [self.pending.target._replace(via="event")]
            form = "responsibility-earlier"
        return Reading(subjects, objects, clause, form, accuser)

    def _event_owners(self, event: Token) -> list[Token]:
        """The target a modifier names: "the Russian embassy bombing", "Tuesday's attack on the Chinese convoy"."""
        return [m for m in event.children if m.dep_ in ("compound", "amod") and m.i < event.i
                and self.resolver.name_at(m) is not None]

    def _rulers(self, noun: Token, rel: RelationType) -> Reading | None:
        """ "Afghanistan's Taliban rulers": the name on the noun rules its possessor; "the Taliban government
        said …" says nothing of what it governs."""
        ruler = next((m for c in noun.children if c.dep_ in ("compound", "amod", "nmod")
                      and (m := self.resolver.name_at(c)) is not None and m.kind in rel.subject_kinds), None)
        ruled = next((m for c in noun.children if c.dep_ == "poss"
                      and (m := self.resolver.name_at(c)) is not None and m.kind in rel.object_kinds), None)
        if ruler is None or ruled is None or ruler.entity_id == ruled.entity_id:
            return None
        return Reading([ruler], [ruled], noun, "compound")

    def _compound(self, hit: CueHit, rel: RelationType) -> Reading | None:
        """ "Iran-backed Jaish al-Adl", "the Pakistan-based Lashkar-e-Taiba", "Taliban-run Afghanistan"."""
        doc = self.doc
        if hit.start == 0:
            return None
        attached = self.resolver.name_at(doc[hit.start - 1])
        participle = doc[hit.end - 1]
        if attached is None:
            return None
        head = participle.head
        while head.dep_ in ("amod", "compound") and head.head != head and head.pos_ not in ("NOUN", "PROPN"):
            head = head.head
        if head.i == attached.start:
            return None
        modified = self.resolver.name_at(head)
        if modified is None and head.dep_ == "appos":
            modified = self.resolver.name_at(head.head)  # "Lashkar-e-Taiba, the Pakistan-based group"
        if modified is None:
            modified = self.resolver.entity(head)
        if modified is None:
            return None
        subject, obj = (modified, attached) if hit.passive else (attached, modified)
        if subject.kind not in rel.subject_kinds or obj.kind not in rel.object_kinds:
            return None
        return Reading([subject], [obj], head, "compound")

    # --- helpers -------------------------------------------------------------------------------

    def _ends(self, tokens: Sequence[Token], kinds: Sequence[str], *, places: bool = False,
              exclude: Sequence[str] = ()) -> list[Mention]:
        """The entities of one end, in order, each once."""
        found: list[Mention] = []
        for given in tokens:
            token = self._free_relative(given)
            mention = self.resolver.entity(token, kinds, places=places, exclude=exclude)
            named = self.resolver.name_at(token)
            if named is not None and (mention is None or mention.entity_id in exclude):
                # a name that cannot be meant as itself here may be read as it was at another time:
                # "the Taliban took control of Kabul" (the capital, so the state, not the Taliban's government)
                mention = self.resolver.other_reading(named, kinds, exclude)
            if mention is not None and mention.entity_id not in {m.entity_id for m in found} and not (
                    self._hyphened(mention)):
                found.append(mention)
        return found

    def _free_relative(self, token: Token) -> Token:
        """ "strikes on what it called TTP hideouts", "on what it said were bases of X": the object is what
        is named, in the words of whoever names it (kept in ``voice`` for the reading)."""
        what = token if token.lower_ == "what" else next(
            (t for t in token.subtree if t.lower_ == "what"), None) if token.pos_ in ("VERB", "AUX") else None
        if what is None:
            return token
        clause = what.head
        named = next((c for c in clause.children if c.dep_ in ("attr", "oprd", "xcomp") and c.i != what.i), None)
        if named is None:
            return token
        speech = clause if clause.lemma_.lower() != "be" else clause.head
        speaker = next((c for c in speech.children if c.dep_ == "nsubj" and c.i != what.i), None)
        if speaker is not None and speech.pos_ in ("VERB", "AUX"):
            self.voice = self.resolver.entity(speaker)
        return named

    def _hyphened(self, mention: Mention) -> bool:
        """A name hyphened to a lowercase word ("Pakistan-based") modifies; it is no end of another relation."""
        doc = self.doc
        end = mention.end
        return mention.via == "name" and end + 1 < len(doc) and doc[end].text == "-" and doc[end + 1].is_lower

    def _wait(self, target: Mention) -> None:
        """Keep the target of an attack told without its agent for a claim of responsibility to come."""
        self.pending.target = target
        self.pending.text = self.sentence.text
