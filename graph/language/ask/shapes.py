"""The shapes a question can have, each read by one function from a parsed question (``Question``) into a
structured query, or ``None`` when the question is not of that shape. ``read_query`` tries them, the most
specific first; a shape that does not recognise a question leaves it as it was."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from spacy.tokens import Token

from graph.domain.gazetteer import Place, load_gazetteer
from graph.domain.model import Entity
from graph.language.ask.model import AskQuery, CountOf, Direction, Form
from graph.language.ask.question import Question, Unreadable
from graph.language.ask.vocabulary import WH_WORDS, Meaning, after_do_support, inverse

# --- readings ---------------------------------------------------------------------------

def read_query(asked: Question) -> AskQuery:
    """The query a question asks, or ``Unreadable``."""
    vocab = asked.vocab
    if any(t.lower_ in vocab.unanswerable or (t.tag_ == "MD" and t.lower_ in vocab.hypothetical) for t in asked.doc):
        raise Unreadable  # "why", "could", "will": the graph holds who did what to whom, not reasons or chances
    form, count_of = _form(asked)
    query = None
    for shape in _SHAPES:
        # Each shape reads what it recognises; one that does not recognise the question leaves it as it was.
        used, roles = set(asked.used), dict(asked.roles)
        query = shape(asked)
        if query is not None:
            break
        asked.used, asked.roles = used, roles
    if query is None:
        raise Unreadable
    if form == "count" and count_of == "entities" and query.shape not in ("relation", "category", "chain"):
        raise Unreadable
    if count_of in ("killed", "injured") and query.shape not in ("events", "incident"):
        raise Unreadable  # the killed are counted from incidents: at a place, in a period, in an attack
    return query.model_copy(update={"form": form, "count_of": count_of if form == "count" else None})


def _form(asked: Question) -> tuple[Form, CountOf | None]:
    """List, yes/no or count; for a count, what it counts."""
    doc = asked.doc
    for token in doc:
        pair = (token.lower_, doc[token.i + 1].lower_ if token.i + 1 < len(doc) else "")
        counting = token.i == 0 and token.lower_ == "count"  # "count IS-K's attacks"
        if pair in (("how", "many"), ("number", "of")) or counting:
            asked.use(token) if counting else asked.use(token, doc[token.i + 1])
            casualty = _casualty(asked)
            if casualty is not None:
                return "count", casualty
            counted = asked.wh_noun() if pair[0] in ("how", "count") else (
                doc[token.i + 2] if token.i + 2 < len(doc) else None)
            if counted is None:
                raise Unreadable
            lemma = asked.lemma(counted)
            if lemma in asked.vocab.counted:
                unit: CountOf = "claims" if asked.vocab.counted[lemma] == "claims" else "incidents"
                if lemma not in asked.vocab.attacks:
                    asked.use(counted)
                return "count", unit
            if asked.vocab.kind_of(counted):
                return "count", "entities"
            raise Unreadable  # "how many fighters": nothing the graph counts
    if asked.is_yes_no:
        asked.use(doc[0])
        return "yes_no", None
    return "list", None


def _casualty(asked: Question) -> CountOf | None:
    """"how many (people) were killed", "how many died", "the number of injured": the killed or injured, by the
    word's dictionary lemma (the ontology reads "kill" as an attack elsewhere). The word and the people counted are
    read here; the place, period or attack the rest of the question names is read by the events shapes."""
    vocab = asked.vocab
    words = [t for t in asked.doc if t.i not in asked.entities and t.pos_ in ("VERB", "ADJ", "NOUN")
             and (t.lemma_.lower() in vocab.casualties or t.lower_ in vocab.casualties)]
    if not words:
        return None
    word = words[0]
    kind = vocab.casualties.get(word.lemma_.lower()) or vocab.casualties[word.lower_]
    asked.use(word, *(t for t in asked.doc if t.i not in asked.entities and t.i < word.i
                      and (t.lemma_.lower() in vocab.victims or t.lower_ in vocab.victims)))
    asked.casualty = kind
    return "killed" if kind == "killed" else "injured"


def _time_fields(asked: Question) -> dict[str, str | None]:
    return {"since": asked.times.since, "until": asked.times.until}


def _statuses(asked: Question) -> tuple[list[str], bool | None]:
    """Status words ("disputed", "alleged", "assessed") as filters."""
    statuses: list[str] = []
    negated: list[str] = []
    disputed: bool | None = None
    for token in asked.doc:
        if token.i in asked.entities or token.i in asked.used:
            continue
        status = asked.vocab.statuses.get(token.lower_) or asked.vocab.statuses.get(asked.lemma(token))
        if status is None:
            continue
        previous = asked.doc[token.i - 1] if token.i > 0 else None
        if previous is not None and previous.lower_ in asked.vocab.negations:
            asked.use(previous, token)  # "alleged, not reported": a claim has one status; "not disputed"
            if status == "disputed":
                disputed = False
            else:
                negated.append(status)
            continue
        quoted = token.i > 0 and asked.doc[token.i - 1].text in ("'", '"', "status", "`", "``")
        if not quoted and token.pos_ in ("VERB", "AUX") and not _passive_without_agent(asked, token) \
                and token.dep_ != "amod" \
                and not (token.i + 1 < len(asked.doc) and asked.doc[token.i + 1].pos_ in ("NOUN", "PROPN")
                         and token.i + 1 not in asked.entities):
            continue  # "who accused al-Qaeda": a verb, not a status
        asked.use(token)
        if status in ("disputed", "undisputed"):
            disputed = status == "disputed"
        elif status not in statuses:
            statuses.append(status)
    if negated and not statuses:
        statuses = [s for s in dict.fromkeys(asked.vocab.statuses.values())
                    if s not in negated and s in asked.vocab.ontology.statuses]
    return statuses, disputed


_DETERMINERS = frozenset({"which", "what", "the", "these", "those", "any", "all", "many", "of", "its", "their", "'s",
                          "whose"})


def _claims_word(asked: Question) -> None:
    """"claims", "allegations", "reports" name what a status, profile or count lists: read, nothing more; and so
    is what they are said to say ("claims *say*", "claims *that state*")."""
    for token in asked.having(asked.vocab.claim_words):
        before = asked.doc[token.i - 1].lower_ if token.i > 0 else ""
        if token.pos_ in ("NOUN", "PROPN") or before in _DETERMINERS or asked.vocab.statuses.get(before):
            asked.use(token)
            for after in asked.doc[token.i + 1:token.i + 3]:
                if asked.lemma(after) in asked.vocab.assertions or after.lower_ == "that":
                    asked.use(after)
                else:
                    break


# --- two entities: connection and pair ----------------------------------------------------

def _connection(asked: Question) -> AskQuery | None:
    named = asked.named
    words = [t for t in asked.having(asked.vocab.connection) if t.pos_ in ("VERB", "NOUN", "ADJ")]
    if len(named) != 2 or not words:
        return None
    if any(asked.vocab.is_trigger(t) for t in asked.doc if t not in words and t.i not in asked.entities
           and not asked.vocab.kind_of(t)):
        return None  # "how is IS-K connected to the attack on …": more than a path
    asked.use(*words)
    asked.use(*asked.having(("how", "to", "and", "with", "between", *asked.vocab.profile)))
    first, second = named
    asked.role(first, "subject")
    asked.role(second, "object")
    return AskQuery(shape="connection", subject=asked.entity(first).id, object=asked.entity(second).id)


def _pair(asked: Question) -> AskQuery | None:
    named = asked.named
    if len(named) != 2:
        return None
    words = [t for t in asked.having(asked.vocab.pair) if t.pos_ in ("NOUN", "VERB", "AUX")]
    doing = [t for t in words if asked.lemma(t) == "do"]
    if doing and not any(t.lower_ in ("to", "against") for t in asked.doc):
        doing = []
    nouns = [t for t in words if asked.lemma(t) != "do"]
    triggers = [t for t in asked.doc if asked.vocab.is_trigger(t) and t.i not in asked.entities]
    bare = all(t.i in asked.entities or t.is_punct or t.pos_ in ("DET", "ADP", "AUX", "CCONJ", "PRON")
               or asked.lemma(t) in asked.vocab.fillers or t.lower_ in WH_WORDS for t in asked.doc)
    if not nouns and not doing and not bare:  # "IS-K vs Uzbekistan", "China and the Taliban?"
        return None
    if triggers:
        return None
    first, second = named
    asked.use(*nouns, *doing)
    asked.use(*asked.having(("between", "and", "with", "to", "against", "of", *asked.vocab.profile)))
    direction: Direction = "both"
    if doing:  # "what has IS-K done to Uzbekistan": from the first to the second only
        direction = "out"
    asked.role(first, "subject")
    asked.role(second, "object")
    statuses, disputed = _statuses(asked)
    _claims_word(asked)
    return AskQuery(shape="pair", subject=asked.entity(first).id, object=asked.entity(second).id,
                    direction=direction, statuses=statuses, disputed=disputed, **_time_fields(asked))


# --- denials, assertions, events and incidents ---------------------------------------------

@dataclass
class _Attack:
    """What selects the claims of an attack a question names."""

    types: list[str]
    subject: str | None = None
    object: str | None = None
    place: str | None = None
    gazetteer: str | None = None

    def has(self, role: str) -> bool:
        return getattr(self, role) is not None


def _attack_phrase(asked: Question, noun: Token) -> _Attack | None:
    """What names an attack: "the Termez attack", "the attack on Tajikistan", "IS-K's attack in Kunduz",
    "the Peshawar mosque bombing". The fields that select its claims, or None if nothing names it."""
    vocab = asked.vocab
    agent_noun = asked.lemma(noun) in vocab.attackers  # "the Mashhad attacker", "IS-K's attackers"
    fields = _Attack([vocab.attacks.get(asked.lemma(noun)) or vocab.attackers[asked.lemma(noun)]])
    asked.use(noun)
    named = False
    for token in asked.named:
        entity = asked.entity(token)
        before = token.i < noun.i
        if entity.kind not in vocab.ontology.location_kinds and not (before and asked.doc[token.i + 1].tag_ == "POS") \
                and fields.gazetteer is None and (spot := _as_place(asked, token)) is not None:
            fields.gazetteer = spot.key  # "the Kabul airport attack": the city, not the government "Kabul" names
            named = True
            continue
        between = asked.doc[min(token.i, noun.i) + 1:max(token.i, noun.i)]
        if before and all(t.i in asked.entities or asked.lemma(t) in vocab.descriptors or t.tag_ == "POS"
                          or t.pos_ in ("ADJ", "DET") for t in between):
            agent = entity.kind in ("armed_group", "person") and not agent_noun
            if (asked.doc[token.i + 1].tag_ == "POS" or agent) and entity.kind != "place" and not agent_noun:
                fields.subject = entity.id  # "IS-K's attack", "the IS-K attacks"
                asked.role(token, "subject")
            elif entity.kind == "place":
                fields.place = entity.id  # "the Termez attack"
                asked.role(token, "place")
            else:
                fields.object = entity.id  # "the Tajikistan attack"
                asked.role(token, "object")
            named = True
        elif not before:
            prepositions = [t for t in between if t.pos_ == "ADP" or t.tag_ == "IN"]
            following = asked.doc[token.i + 1] if token.i + 1 < len(asked.doc) else None
            if following is not None and asked.lemma(following) in vocab.descriptors and \
                    (not prepositions or entity.kind == "place"):
                # "bombed the Shia mosque": whom the building served; "hit the Peshawar mosque": where it stood
                role = "place" if entity.kind in ("place",) else "object"
                if not fields.has(role):
                    setattr(fields, role, entity.id)
                    asked.role(token, role)
                    asked.use(*prepositions)
                    named = True
                continue
            if not prepositions or any(t.i not in asked.entities and t.pos_ in ("VERB", "AUX") for t in between):
                continue
            preposition = prepositions[-1].lower_
            if preposition in ("on", "against") and fields.object is None:
                fields.object = entity.id
                asked.role(token, "object")
            elif preposition in asked.vocab.at_place and entity.kind in ("place", "state") and fields.place is None:
                fields.place = entity.id
                asked.role(token, "place")
            elif preposition == "by" and fields.subject is None:
                fields.subject = entity.id
                asked.role(token, "subject")
            else:
                continue
            asked.use(*prepositions)
            named = True
    for token in asked.doc:
        if asked.lemma(token) in vocab.descriptors and token.i not in asked.entities:
            asked.use(token)
    if asked.times.since or asked.times.until:
        named = True
    return fields if named else None


def _attack_nouns(asked: Question) -> list[Token]:
    """Nouns of an attack ("the Termez *attack*", "the *bombing*"), not the verb ("who did Pakistan *bomb*")."""
    return [t for t in asked.doc if t.i not in asked.entities and asked.lemma(t) in asked.vocab.attacks
            and t.pos_ in ("NOUN", "PROPN", "VERB") and (t.pos_ != "VERB" or t.tag_ == "VBG")
            and not after_do_support(t)]


def _is_status(asked: Question, token: Token) -> bool:
    """A status word used as one ("disputed claims", "is the attack disputed?"), not as a verb ("who disputed")."""
    word = asked.vocab.statuses.get(token.lower_) or asked.vocab.statuses.get(asked.lemma(token))
    return word is not None and (_passive_without_agent(asked, token) or _attributive(asked, token))


def _same(one: Token | None, other: Token | None) -> bool:
    """Whether two tokens are the same word of the question (spaCy makes a new object per lookup)."""
    return one is not None and other is not None and one.i == other.i


def _passive_without_agent(asked: Question, token: Token) -> bool:
    """"are disputed", "were alleged": a participle after "be" with no "by": a claim's status, not an act."""
    return token.tag_ in ("VBN", "VBD") and any(t.lemma_ == "be" for t in asked.doc[:token.i]) and \
        not any(t.lower_ == "by" for t in asked.doc[token.i + 1:])


def _attributive(asked: Question, token: Token) -> bool:
    """"disputed claims", "alleged attacks": a participle before the noun it describes."""
    following = asked.doc[token.i + 1] if token.i + 1 < len(asked.doc) else None
    return token.tag_ in ("VBN", "JJ") and (token.dep_ == "amod" or (
        following is not None and following.pos_ in ("NOUN", "PROPN") and following.i not in asked.entities))


def _denials(asked: Question) -> AskQuery | None:
    vocab = asked.vocab
    words = [t for t in asked.having(vocab.denials) if t.pos_ in ("VERB", "NOUN", "AUX")
             and not _passive_without_agent(asked, t) and not _attributive(asked, t)]
    if not words or vocab.denial_type is None:
        return None
    word = words[0]
    asked.use(word)
    denier: Entity | None = None
    for token in asked.named:
        if token.i < word.i and not (token.i + 1 < len(asked.doc) and asked.doc[token.i + 1].tag_ == "POS") \
                and not (token.i > 0 and asked.doc[token.i - 1].pos_ == "ADP"):
            denier = asked.entity(token)
            asked.role(token, "asserted_by")
            break
    fields = _Attack([])
    attacks = [t for t in _attack_nouns(asked) if t.i > word.i or denier is None]
    if attacks:
        fields = _attack_phrase(asked, attacks[0]) or _Attack([vocab.attacks[asked.lemma(attacks[0])]])
    else:
        # "who denied IS-K's claims": the claims of the entity named after the denial
        for token in asked.named:
            if token.i > word.i and token.i not in asked.used:
                fields.subject = asked.entity(token).id
                asked.role(token, "subject")
                break
    _claims_word(asked)
    asked.use(*asked.having(("that", "of", "by")))
    if any(t.i not in asked.used for t in asked.named):
        raise Unreadable
    return AskQuery(shape="denials", asserted_by=denier.id if denier else None, relation=vocab.denial_type,
                    types=fields.types, subject=fields.subject, object=fields.object, place=fields.place,
                    **_time_fields(asked))


def _assertions(asked: Question) -> AskQuery | None:
    vocab = asked.vocab
    words = [t for t in asked.having(vocab.assertions)
             if t.pos_ in ("VERB", "NOUN", "ADP", "AUX", "X") or t.lower_ == "per"]
    claim_nouns = [t for t in asked.doc if asked.lemma(t) in ("claim", "allegation", "assessment", "statement")]
    if claim_nouns:
        words += asked.having(("make", "issue"))  # "which claims does Valle make"
        for noun in claim_nouns:  # "claims by Mines", "which claims come from Andrew Mines"
            for token in asked.named:
                between = asked.doc[noun.i + 1:token.i]
                if token.i > noun.i and between and between[-1].lower_ in ("by", "from") and all(
                        t.pos_ in ("ADP", "VERB", "AUX", "DET") for t in between):
                    asked.use(*between)
                    words.append(between[-1])
    if not words:
        return None
    asserter: Token | None = None
    word: Token | None = None
    for candidate in words:
        if candidate.tag_ == "VBN" and any(t.lower_ == "by" for t in asked.doc[candidate.i + 1:]):
            after = [t for t in asked.named if t.i > candidate.i and asked.doc[t.i - 1].lower_ == "by"]
            if after:  # "which claims are asserted by IS-K"
                asserter, word = after[0], candidate
                asked.use(asked.doc[after[0].i - 1])
                break
        if candidate.lower_ in ("per", "by", "from"):
            after = [t for t in asked.named if t.i == candidate.i + 1]
            if after:
                asserter, word = after[0], candidate
                break
            continue
        if _passive_without_agent(asked, candidate):
            continue  # "claims that are assessed": a status, not someone asserting
        if _same(asked.wh_noun(), candidate) or asked.vocab.kind_of(candidate):
            continue  # "which IS-K claims are contested", "which states has …": the noun a question asks for
        before = [t for t in asked.named if t.i < candidate.i and t.i not in asked.used
                  and not (t.i > 0 and asked.doc[t.i - 1].pos_ == "ADP")]
        if candidate.i > 0 and asked.lemma(asked.doc[candidate.i - 1]) in asked.vocab.claim_words:
            continue  # "claims say": what the claims say, not someone asserting
        if before:
            asserter, word = before[-1], candidate
            break
    if asserter is None or word is None:
        return None
    attacks = _attack_nouns(asked)
    responsibility = [t for t in asked.doc if t.lower_ == "responsibility"]
    if asked.lemma(word) == "claim" and word.pos_ == "VERB" and (attacks or responsibility):
        # "which attacks did IS-K claim", "what has IS-K claimed responsibility for": the attacks it claimed, not
        # what it said of others
        noun = attacks[0] if attacks else word
        attacked = asked.vocab.attacks.get(asked.lemma(noun), next(iter(asked.vocab.attacks.values())))
        asked.use(word, noun, *_descriptors(asked, noun))
        asked.role(asserter, "subject")
        asked.use(*asked.having(("responsibility", "for")))
        return AskQuery(shape="relation", relation=attacked, types=[attacked], direction="out",
                        subject=asked.entity(asserter).id, statuses=["claimed"], kinds=list(asked.kinds_asked()),
                        **_time_fields(asked))
    asked.use(word)
    asked.role(asserter, "asserted_by")
    asserted_by = asked.entity(asserter).id
    for token in asked.doc[asserter.i + 1:word.i]:  # "IS-K's propaganda", "Taliban officials", "Iranian authorities"
        if asked.lemma(token) in vocab.voices or token.tag_ == "POS":
            asked.use(token)
    statuses, disputed = _statuses(asked)
    # A relation asked with the asserter named ("per Mines, who is IS-K trying to provoke?")
    others = [t for t in asked.named if t.i not in asked.used]
    relation = _relation(asked)
    if relation is not None:
        return relation.model_copy(update={"asserted_by": asserted_by})
    _claims_word(asked)
    about: Entity | None = None
    if len(others) > 1:
        raise Unreadable
    # "what does IS-K allege about others": not its claims about itself
    about_others = [t for t in asked.doc if t.lower_ in ("others", "other", "else") and t.i not in asked.used]
    asked.use(*about_others)
    if others:
        about = asked.entity(others[0])
        asked.role(others[0], "either")
        asked.use(*asked.having(("about", "on", "regarding", "concerning", "of")))
    return AskQuery(shape="assertions", asserted_by=asserted_by, subject=about.id if about else None,
                    statuses=statuses, disputed=disputed, about_others=bool(about_others), **_time_fields(asked))


def _events(asked: Question) -> AskQuery | None:
    vocab = asked.vocab
    words = [t for t in asked.having(vocab.events) if t.pos_ in ("VERB", "NOUN")]
    if not words:
        # "show me the attacks in Kunduz", "which attacks were there in April 2022": attacks and where or when
        attacks = _attack_nouns(asked)
        responsible = bool(asked.having(vocab.responsibility))
        others = [t for t in asked.doc if asked.vocab.is_trigger(t) and t.i not in asked.entities
                  and asked.lemma(t) not in vocab.attacks and t.i not in asked.used]
        if asked.casualty is not None and not responsible and not others:
            words = attacks[:1]  # "how many were killed in Kabul in 2021", "... in the Kandahar mosque attack"
        elif not attacks or responsible or others:
            return None
        else:
            words = attacks[:1]
    named = asked.named
    if len(named) > 1:
        return None
    place: Entity | None = None
    if named:
        token = named[0]
        before = token.i - 1
        while before > 0 and (asked.doc[before].pos_ == "DET" or (
                asked.lemma(asked.doc[before]) in vocab.fillers and asked.doc[before].pos_ == "ADJ")):
            asked.use(asked.doc[before])  # "in southeastern Afghanistan", "to the Hazara"
            before -= 1
        preposition = asked.doc[before] if before >= 0 else None
        topic = token.i == 0 and len(asked.doc) > 1 and asked.doc[1].is_punct  # "Peshawar: what happened?"
        if preposition is not None and preposition.lower_ == "to" and not topic:
            # "what happened to the Hazara": what was done to them
            asked.use(*words, preposition)
            asked.role(token, "object")
            return AskQuery(shape="events", object=asked.entity(token).id, **_time_fields(asked))
        placed = preposition is not None and preposition.lower_ in asked.vocab.at_place
        if (placed or topic) and asked.entity(token).kind in asked.vocab.ontology.location_kinds:
            place = asked.entity(token)
            asked.role(token, "place")
        elif not (placed or topic) or _as_place(asked, token) is None:
            return None  # "what happened in IS-K": a group is no place
        if preposition is not None and preposition.lower_ in asked.vocab.at_place:
            asked.use(preposition)
    spot = next(iter(asked.places.values()), None)
    if place is None and spot is None and not asked.times.since and not asked.times.until:
        return None
    asked.use(*words)
    types: list[str] = []
    target = None
    for noun in _attack_nouns(asked):
        relation = vocab.attacks[asked.lemma(noun)]
        if relation not in types:
            types.append(relation)
        asked.use(noun)
        target = target or _described_target(asked, noun)
    target = target or _site(asked)
    asked.use(*(t for t in asked.doc if asked.lemma(t) in vocab.descriptors))
    statuses, disputed = _statuses(asked)
    return AskQuery(shape="events", place=place.id if place else None, gazetteer=spot.key if spot else None,
                    target=target, types=types, statuses=statuses, disputed=disputed, **_time_fields(asked))


def _as_place(asked: Question, token: Token) -> Place | None:
    """A name that stands for an actor where the question asks for a place ("what happened in Kabul": the city, not
    the government the name stands for now), read as the gazetteer's town, district or province of that name; the
    name is then no mention of the actor, and the reading says so."""
    if token.i in asked.entities and asked.entity(token).name == token.text:
        return None  # the actor's own name ("in IS-K"), not a place name standing for it
    spot = load_gazetteer().resolve(token.text)
    if spot is None or spot.kind == "country":
        return None
    asked.entities.pop(token.i, None)
    asked.places[token.i] = spot
    asked.use(token)
    where = ", ".join(w for w in (spot.admin1 if spot.admin1 != spot.name else None, spot.country) if w)
    asked.notes.append(f"'{token.text}' read as the place {spot.name} ({where}; gazetteer {spot.key})")
    return spot


def _site(asked: Question) -> str | None:
    """What an attack hit, said by a descriptor that names a site ("the Kabul *airport* attack", "the Peshawar
    *mosque* bombing"): an incident is that one when its targets or quotes say the word."""
    return next((t.lemma_.lower() for t in asked.doc if t.i not in asked.entities and t.pos_ in ("NOUN", "PROPN")
                 and t.lemma_.lower() in asked.vocab.sites), None)


def _described_target(asked: Question, noun: Token) -> str | None:
    """"attacks on police", "the attack on a police post": a target the graph has no entity for, by its words'
    lemmas (matched against incidents' described targets)."""
    for prep in noun.children:
        if prep.dep_ != "prep" or prep.lower_ not in ("on", "against"):
            continue
        for obj in prep.children:
            if obj.dep_ != "pobj" or obj.i in asked.entities or obj.pos_ not in ("NOUN", "PROPN"):
                continue
            words = [t for t in obj.subtree if t.pos_ in ("NOUN", "PROPN", "ADJ") and t.i not in asked.entities]
            asked.use(prep, *obj.subtree)
            return " ".join(t.lemma_.lower() for t in words) or None
    return None


def _struck(asked: Question) -> Token | None:
    """"who bombed *the mosque* in Kunduz": what an attack verb hit, described rather than named."""
    for verb in asked.doc:
        if verb.pos_ != "VERB" or asked.lemma(verb) not in asked.vocab.attacks:
            continue
        for token in asked.doc[verb.i + 1:]:
            if token.pos_ == "ADP" or token.tag_ == "IN":
                break
            if token.i not in asked.entities and asked.lemma(token) in asked.vocab.descriptors and \
                    token.pos_ in ("NOUN", "PROPN"):
                return verb
    return None


def _incident(asked: Question) -> AskQuery | None:
    """"who was behind the Termez attack", "who carried out the Kunduz mosque bombing", "who bombed the mosque in
    Kandahar": the attackers."""
    nouns = _attack_nouns(asked)
    struck = _struck(asked) if not nouns else None
    if struck is not None:
        nouns = [struck]
    agents = [t for t in asked.doc if t.i not in asked.entities and asked.lemma(t) in asked.vocab.attackers
              and t.pos_ in ("NOUN", "PROPN")] if not nouns else []
    nouns = nouns or agents
    if not nouns:
        return None
    responsible = asked.having(asked.vocab.responsibility)
    if struck is not None:
        responsible.append(struck)
    responsible += agents  # "who is the Mashhad attacker": the noun asks who did it
    noun = nouns[0]
    # "who was targeted in the Kandahar mosque attack": the victims
    victims = [t for t in asked.doc if t.i != noun.i and _passive_without_agent(asked, t)
               and asked.lemma(t) in ("attack", "target")]
    if asked.wh is None and not asked.is_yes_no:
        return None
    if any(asked.vocab.is_trigger(t) for t in asked.doc if t.i not in asked.entities and t.i != noun.i
           and asked.lemma(t) not in asked.vocab.attacks and t not in victims and not _is_status(asked, t)):
        return None
    fields = _attack_phrase(asked, noun)
    statused = any((asked.vocab.statuses.get(t.lower_) or asked.vocab.statuses.get(asked.lemma(t)))
                   for t in asked.doc)
    # Who did it, who was hit, or (yes/no) whether it is disputed: else it is some other question about attacks
    if fields is None or not (responsible or victims or (asked.is_yes_no and statused)):
        return None
    asked.use(*victims)
    asked.use(*responsible)
    asked.use(*asked.having(("for", "of", "on", "in", "at", "by")))
    asked.kinds_asked()  # "which group": the attackers are named, whatever their kind
    statuses, disputed = _statuses(asked)
    if any(t.i not in asked.used for t in asked.named):
        return None
    return AskQuery(shape="incident", relation=fields.types[0], types=fields.types, subject=fields.subject,
                    object=fields.object, place=fields.place, gazetteer=fields.gazetteer, target=_site(asked),
                    direction="out" if victims else "in",
                    statuses=statuses, disputed=disputed, **_time_fields(asked))


# --- relations, categories and chains -------------------------------------------------------

def _choose(meanings: Counter[Meaning]) -> Meaning | None:
    """The best supported meaning; a category wins a tie with a relation; any other tie is no reading."""
    if not meanings:
        return None
    top = max(meanings.values())
    best = [m for m, n in meanings.items() if n == top]
    categories = [m for m in best if m.sense.shape == "category"]
    if len(best) > 1 and len(categories) == 1 and all(
            set(m.sense.types) <= set(categories[0].sense.types) for m in best):
        return categories[0]
    if len({m.sense for m in best}) > 1 or len({m.direction for m in best}) > 1:
        return None
    return best[0]


def _triggers(asked: Question) -> list[Token]:
    found = [t for t in asked.doc if t.i not in asked.entities and t.i not in asked.used and asked.vocab.is_trigger(t)
             and not (asked.vocab.kind_of(t) and _same(asked.wh_noun(), t))]
    words = [t for t in asked.doc if not t.is_punct]
    last = words[-1] if words else None
    if found and last is not None and last.i not in asked.used and asked.vocab.is_bare_trigger(last) and \
            last.i > 0 and asked.doc[last.i - 1].pos_ == "AUX":
        found.append(last)  # "who governs the country Kunduz is *in*?": a place's relation inside a chain
    if not found and all(t.i in asked.entities or t.is_punct or t.pos_ in ("DET", "AUX", "ADP", "PRON", "SCONJ")
                         or t.lower_ in WH_WORDS or asked.vocab.kind_of(t) for t in asked.doc):
        # Nothing but a question word, a kind and a preposition: "which country is Termez in?", "where is Termez?"
        found = [t for t in asked.doc if t.i not in asked.entities and t.i not in asked.used
                 and asked.vocab.is_bare_trigger(t)][-1:]
    return found


def _meaning(asked: Question, trigger: Token, argument: Token) -> Meaning | None:
    """What a trigger means with this argument, among the meanings its kind of entity allows."""
    meanings = asked.vocab.meanings(trigger, argument)
    if argument.i in asked.entities:
        kind = asked.entity(argument).kind
        meanings = Counter({m: n for m, n in meanings.items() if asked.vocab.compatible(m, kind)})
    return _choose(meanings)


def _descriptors(asked: Question, noun: Token) -> list[Token]:
    """Words that describe an attack right before its noun ("*air* strikes", "the *mosque* bombing")."""
    if asked.lemma(noun) not in asked.vocab.attacks:
        return []
    found = []
    for token in reversed(asked.doc[:noun.i]):
        if asked.lemma(token) in asked.vocab.descriptors or token.lower_ in asked.vocab.descriptors:
            found.append(token)
        elif token.i not in asked.entities:
            break
    return found


def _companions(asked: Question, trigger: Token) -> list[Token]:
    """Words that come with the trigger in its phrasings ("sign an *agreement* with")."""
    with_it = asked.vocab.companions.get(asked.lemma(trigger), set())
    return [t for t in asked.doc if t.i not in asked.entities and t.i != trigger.i and asked.lemma(t) in with_it
            and not asked.vocab.is_trigger(t)]


def _relation(asked: Question) -> AskQuery | None:
    """A relation type or category between the named entities (or a question word), maybe through a chain."""
    statuses, disputed = _statuses(asked)
    triggers = _triggers(asked)
    if not triggers:
        return None
    named = [t for t in asked.named if t.i not in asked.used]
    kinds = asked.kinds_asked()
    if len(triggers) >= 2 and len(named) == 1:
        chained = _chain(asked, triggers, named[0], kinds, statuses, disputed)
        if chained is not None:
            return chained
    trigger = _nearest(triggers, named)
    asked.use(trigger)
    asked.use(*_particles(asked, trigger), *_companions(asked, trigger), *_descriptors(asked, trigger))
    place = _where(asked, trigger, named)
    if place is not None:  # "who did IS-K attack in Peshawar": where it happened, not whom
        named = [t for t in named if t.i != place.i]
    if not named:
        query = _open(asked, trigger, kinds, statuses, disputed)
        return query.model_copy(update={"place": asked.entity(place).id}) if query and place is not None else query
    if len(named) > 2:
        raise Unreadable
    found = [(token, _meaning(asked, trigger, token)) for token in named]
    known = [(t, m) for t, m in found if m is not None]
    if not known:
        raise Unreadable
    if len(known) < len(found):  # "is IS-K a member of al-Qaeda": one end read, the other is the other end
        sense, direction_known = known[0][1].sense, known[0][1].direction
        other: Direction = "both" if direction_known == "both" else inverse(direction_known)
        found = [(t, m if m is not None else Meaning(sense, other)) for t, m in found]
    readings = [(t, m) for t, m in found if m is not None]
    senses = {m.sense for _, m in readings}
    if len(senses) > 1:
        raise Unreadable
    sense = readings[0][1].sense
    asked.use(*(t for t in triggers if sense in asked.vocab.senses.get(asked.lemma(t), {})))  # "sign a deal"
    subject = object_ = None
    direction: Direction = readings[0][1].direction
    if len(readings) == 1:
        token, meaning = readings[0]
        entity = asked.entity(token)
        if meaning.direction == "in":
            object_ = entity.id
            asked.role(token, "object")
        else:
            subject = entity.id
            asked.role(token, "subject" if meaning.direction == "out" else "either")
    else:
        (first, m1), (second, m2) = readings
        if m1.direction == m2.direction != "both":
            raise Unreadable  # both named as the subject, or both as the object: not a relation between them
        if m1.direction == "in" and m2.direction in ("out", "both"):
            first, second = second, first
        subject, object_ = asked.entity(first).id, asked.entity(second).id
        asked.role(first, "subject")
        asked.role(second, "object")
        direction = "out" if not sense.symmetric else "both"
    _claims_word(asked)
    asked.use(*_prepositions_of(asked, named))
    # "what did Washington accuse al-Qaeda of", "what is the Taliban investigating": the incident it is about
    about = asked.wh is not None and asked.wh.lower_ == "what" and all(
        asked.vocab.ontology.relation_types[t].category == "discursive" for t in sense.types)
    return AskQuery(shape=sense.shape, relation=sense.name, types=list(sense.types), direction=direction,
                    subject=subject, object=object_, statuses=statuses, disputed=disputed,
                    kinds=_answer_kinds(asked, kinds, sense.types, direction), incidents=about,
                    place=asked.entity(place).id if place is not None else None, **_time_fields(asked))


def _where(asked: Question, trigger: Token, named: list[Token]) -> Token | None:
    """A place named after "in"/"at" that no phrasing of the trigger puts there: where it happened."""
    for token in named:
        before = asked.doc[token.i - 1] if token.i > 0 else None
        if before is None or before.lower_ not in asked.vocab.at_place or token.i < trigger.i:
            continue
        if asked.entity(token).kind in asked.vocab.ontology.location_kinds and not asked.vocab.learned(trigger, token):
            asked.role(token, "place")
            asked.use(before)
            return token
    return None


def _answer_kinds(asked: Question, kinds: tuple[str, ...], types: Iterable[str], direction: Direction) -> list[str]:
    """The kinds asked for, unless "where" asked for places of a relation whose answers are never places
    ("where does Andrew Mines work": at an organisation)."""
    location = set(asked.vocab.ontology.location_kinds)
    if set(kinds) != location:
        return list(kinds)
    relation_types = asked.vocab.ontology.relation_types
    ends = [relation_types[t].object_kinds if direction != "in" else relation_types[t].subject_kinds for t in types]
    return list(kinds) if any(location & set(end) for end in ends) else []


def _open(asked: Question, trigger: Token, kinds: tuple[str, ...], statuses: list[str],
          disputed: bool | None) -> AskQuery | None:
    """A relation with no entity named ("who denied the attacks?", "which groups recruit from communities?"):
    the question word stands where the answers do."""
    wh = asked.wh_noun() or asked.wh
    if wh is None:
        return None
    meaning = _choose(asked.vocab.meanings(trigger, wh))
    if meaning is None:
        raise Unreadable
    answers = meaning.direction
    direction = inverse(answers) if answers != "both" else "both"
    _claims_word(asked)
    return AskQuery(shape=meaning.sense.shape, relation=meaning.sense.name, types=list(meaning.sense.types),
                    direction=direction, statuses=statuses, disputed=disputed, kinds=list(kinds),
                    **_time_fields(asked))


def _attached(token: Token) -> Token | None:
    """The word a name hangs on in the parse: its head, through a preposition or a possessive's noun."""
    head = token.head
    if token.dep_ == "poss":
        return head
    if token.dep_ == "pobj" and head.pos_ == "ADP":
        return head.head
    return head if head.i != token.i else None


def _governed(name: Token, asked_light: list[Token]) -> Token | None:
    """The trigger a subject governs through a verb of trying or wanting ("IS-K is trying to *provoke*")."""
    if name.dep_ not in ("nsubj", "nsubjpass"):
        return None
    head = name.head
    if head in asked_light:
        return head
    for child in head.children:
        if child.dep_ in ("xcomp", "ccomp") and child in asked_light:
            return child
    return None


def _nearest(triggers: list[Token], named: list[Token]) -> Token:
    """The trigger the named entities hang on: the one the parse attaches a name to, else the nearest (a verb
    before a noun on a tie)."""
    if not named:
        return next((t for t in triggers if t.pos_ in ("VERB", "AUX")), triggers[0])
    if len(named) == 1 and len(triggers) > 1:
        name = named[0]
        doc = name.doc
        after = doc[name.i + 1] if name.i + 1 < len(doc) else None
        if after is not None and after.tag_ == "POS":
            following = [t for t in triggers if t.i > name.i]
            if following:
                return following[0]  # "al-Qaeda's leader"
        governed = _governed(name, asked_light=triggers)
        if governed is not None:
            return governed  # "IS-K is trying to provoke": the subject of "try" is provoke's
        before = name.i - 1
        while before >= 0 and doc[before].pos_ in ("DET", "ADJ"):
            before -= 1
        if before >= 0 and (doc[before].pos_ == "ADP" or doc[before].tag_ == "IN"):
            preceding = [t for t in triggers if t.i < before]
            if preceding:
                return preceding[-1]  # "the allies of IS-K", "the group that recruits from the TTP"
    return min(triggers, key=lambda t: (min(abs(t.i - n.i) for n in named), t.pos_ not in ("VERB", "AUX")))


def _particles(asked: Question, trigger: Token) -> list[Token]:
    """The prepositions and particles that go with a trigger ("recruit *from*", "allied *with*", "carry *out*")."""
    found = [t for t in trigger.children if t.dep_ in ("prt", "prep", "agent", "dative")]
    following = asked.doc[trigger.i + 1] if trigger.i + 1 < len(asked.doc) else None
    if following is not None and (following.pos_ == "ADP" or following.tag_ in ("IN", "RP")):
        found.append(following)
    return found


def _prepositions_of(asked: Question, named: list[Token]) -> list[Token]:
    """Prepositions and possessive marks that attach a named entity ("from *the* TTP", "IS-K*'s*")."""
    found = []
    for token in named:
        if token.i > 0 and (asked.doc[token.i - 1].pos_ == "ADP" or asked.doc[token.i - 1].tag_ == "IN"):
            found.append(asked.doc[token.i - 1])
        if token.i + 1 < len(asked.doc) and asked.doc[token.i + 1].tag_ == "POS":
            found.append(asked.doc[token.i + 1])
    return found


def _chain(asked: Question, triggers: list[Token], named: Token, kinds: tuple[str, ...], statuses: list[str],
           disputed: bool | None) -> AskQuery | None:
    """An entity reached through a relation: "who hosted *al-Qaeda's leader*", "who attacked *the country Termez
    is located in*". The trigger nearest the name is the inner step; the other asks about what it reaches."""
    inner = _nearest(triggers, [named])
    outer_candidates = [t for t in triggers if t.i != inner.i]
    if not outer_candidates:
        return None
    outer = min(outer_candidates, key=lambda t: abs(t.i - inner.i))
    inner_meaning = _meaning(asked, inner, named)
    if inner_meaning is None:
        return None
    # What stands for the reached entities in the outer step: the inner noun itself ("leader"), or the noun
    # the inner clause describes ("the country [Termez is located in]").
    doc = asked.doc
    possessed = (named.i + 1 < len(doc) and doc[named.i + 1].tag_ == "POS") or named.i > inner.i
    argument: Token | None = inner if inner.pos_ in ("NOUN", "PROPN") and possessed else None
    between_kind: Token | None = None
    if argument is None:
        # The noun just before the clause: "the *group* that recruits from …", "the *country* Termez is in"
        start = min(inner.i, named.i)
        before = [t for t in asked.doc[:start] if t.i not in asked.entities]
        while before and (before[-1].lower_ in ("that", "which", "who", "whom", "where")
                          or before[-1].pos_ in ("AUX", "DET")):
            before.pop()
        if not before or before[-1].pos_ not in ("NOUN", "PROPN") or before[-1].i == outer.i:
            return None
        argument = between_kind = before[-1]
    outer_meaning = _choose(asked.vocab.meanings(outer, argument))
    if outer_meaning is None:
        return None
    via_direction = inner_meaning.direction
    reached_kinds = asked.vocab.kind_of(between_kind) if between_kind is not None else ()
    asked.use(inner, outer, between_kind)
    asked.use(*_particles(asked, inner), *_particles(asked, outer), *_companions(asked, inner),
              *_companions(asked, outer))
    asked.role(named, "via")
    asked.use(*_prepositions_of(asked, [named]))
    asked.use(*asked.having(("that", "which", "who", "whom")))
    _claims_word(asked)
    sense = outer_meaning.sense
    # The reached entities stand where the argument does in the outer step.
    direction = outer_meaning.direction
    return AskQuery(shape="chain", relation=sense.name, types=list(sense.types), direction=direction,
                    via=asked.entity(named).id, via_types=list(inner_meaning.sense.types),
                    via_direction=via_direction, via_kinds=list(reached_kinds), kinds=list(kinds or ()),
                    statuses=statuses, disputed=disputed, **_time_fields(asked))


# --- one entity: status and profile -----------------------------------------------------------

def _status(asked: Question) -> AskQuery | None:
    """Claims of a status, or all claims ("how many claims are there?"), about an entity if one is named."""
    named = [t for t in asked.named if t.i not in asked.used]
    statuses, disputed = _statuses(asked)
    claims_named = any(asked.lemma(t) in asked.vocab.claim_words for t in asked.doc)
    if not statuses and disputed is None and not (claims_named and not named):
        return None
    types: list[str] = []
    for noun in _attack_nouns(asked):  # "which attacks are only alleged?"
        types = [*types, asked.vocab.attacks[asked.lemma(noun)]]
        asked.use(noun, *_descriptors(asked, noun))
    if len(named) == 2:  # "what's assessed about IS-K and Pakistan": the claims between them of that status
        _claims_word(asked)
        asked.use(*asked.having(("about", "on", "regarding", "concerning", "between", "and", "of", "vs", "versus")))
        asked.role(named[0], "subject")
        asked.role(named[1], "object")
        return AskQuery(shape="pair", subject=asked.entity(named[0]).id, object=asked.entity(named[1]).id,
                        types=types, statuses=statuses, disputed=disputed, **_time_fields(asked))
    if len(named) > 2:
        raise Unreadable
    _claims_word(asked)
    asked.use(*asked.having(("about", "on", "regarding", "concerning", "of", "involve", "mention")))
    subject = None
    if named:
        subject = asked.entity(named[0]).id
        asked.role(named[0], "either")
        asked.use(*_prepositions_of(asked, named))
    return AskQuery(shape="status", subject=subject, types=types, statuses=statuses, disputed=disputed,
                    **_time_fields(asked))


def _profile(asked: Question) -> AskQuery | None:
    named = [t for t in asked.named if t.i not in asked.used]
    if len(named) != 1:
        return None
    words = asked.having(asked.vocab.profile)
    copula = asked.wh is not None and asked.wh.lower_ in ("who", "what") and all(
        t.i in asked.entities or t.is_punct or t.lemma_ == "be" or t.i == asked.wh.i or t.pos_ == "DET"
        for t in asked.doc)
    # Nothing but the name and framing words: "anything on the Uyghurs?", "Hazara?"
    copula = copula or all(t.i in asked.entities or t.is_punct or t.pos_ in ("DET", "ADP", "AUX", "PRON")
                           or asked.lemma(t) in asked.vocab.fillers or t.lower_ in WH_WORDS for t in asked.doc)
    counting = any(t.lower_ == "many" for t in asked.doc)
    if not words and not copula and not counting:
        return None
    asked.use(*words)
    _claims_word(asked)
    asked.use(*asked.having(("about", "on", "regarding", "concerning", "of", "mention", "involve")))
    asked.role(named[0], "either")
    asked.use(*_prepositions_of(asked, named))
    return AskQuery(shape="profile", subject=asked.entity(named[0]).id, **_time_fields(asked))


# The shapes in the order they are tried: the most specific first.
_SHAPES = (_connection, _pair, _denials, _assertions, _events, _incident, _relation, _status, _profile)


def statuses_of(asked: Question) -> tuple[list[str], bool | None]:
    """The status filters a question's words set, as every shape reads them (the trained reader reads them so)."""
    return _statuses(asked)


def attack_types_of(asked: Question) -> list[str]:
    """The attack types the question's attack nouns name ("which bombings …"), as the status and events shapes
    read them."""
    types: list[str] = []
    for noun in _attack_nouns(asked):
        relation = asked.vocab.attacks[asked.lemma(noun)]
        if relation not in types:
            types.append(relation)
        asked.use(noun)
    return types
