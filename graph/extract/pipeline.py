"""The extractor: a report in, claims and candidate names out.

It is one component with one method, ``Extractor.run(report)``, built on spaCy's blank English
pipeline (tokenizer and sentencizer; nothing is downloaded) and on data: the registry's names,
the ontology's relation cues and ``lexicon.yaml``. Each claim carries ``extracted_by``
(``NAME/VERSION``), a confidence below 1, its sentence and span, its speaker and status.

Policy for what it cannot read: a sentence without a cue and two compatible mentions yields
nothing; a capitalised name it cannot resolve is returned as a candidate with its sentences,
never dropped silently and never created; a denial it cannot tie to a claim of the same
report yields no claim (the loader would refuse a denial that denies nothing).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import spacy
from spacy.attrs import IDX, ORTH
from spacy.pipeline import Sentencizer
from spacy.tokens import Doc, Span
from spacy.util import compile_suffix_regex

from graph.dates import PartialDate
from graph.errors import AmbiguousName, EntityNotFound
from graph.extract.attribution import Speaker, find_speaker, opens_in_quotation
from graph.extract.coref import Coreference
from graph.extract.cues import CueHit, CueMatcher
from graph.extract.dates import resolve_dates, resolve_later, says_later
from graph.extract.lexicon import Lexicon, load_lexicon
from graph.extract.mentions import Mention, MentionFinder
from graph.extract.sentences import paragraphs
from graph.extract.text import ReportInput
from graph.model import Claim, Entity
from graph.ontology import Ontology, RelationType

NAME = "kg-rules"
VERSION = "1.0"
BASE_CONFIDENCE = 0.8
_LOOKBACK = 4  # sentences back that "days later" may count from
_COORDINATORS = {",", "and", "or", "both", "&", "as", "well"}
_POSSESSIVE_MARKS = {"'s", "’s", "'", "’"}
_CAPITALISED = re.compile(r"^[A-Z][\w'’\-.]*$")
# token classes for sentence splitting: a word, white space, sentence-final punctuation, other punctuation
_WORD, _SPACE, _FINAL, _PUNCT = range(4)
_NAME_JOINERS = {"of", "al", "al-", "bin", "ibn", "de", "-", "e", "i", "ul", "ud"}


@dataclass
class Candidate:
    """A name the registry does not resolve, with the sentences it occurs in."""

    name: str
    reason: str
    sentences: list[str] = field(default_factory=list)
    spans: list[tuple[int, int]] = field(default_factory=list)


@dataclass
class Extraction:
    """What the extractor made of one report."""

    report: ReportInput
    source_id: str
    claims: list[Claim]
    candidates: list[Candidate]
    sentences: int
    skipped: dict[str, int]


@dataclass
class _Sentence:
    span: Span
    start_char: int
    end_char: int
    text: str


def make_nlp() -> spacy.language.Language:
    """spaCy's blank English pipeline with a rule-based sentencizer: no model, nothing downloaded."""
    nlp = spacy.blank("en")
    # "IS-K." ends a sentence: split the period after a hyphenated capital, which spaCy keeps as
    # an initial ("K.") so that neither the name nor the sentence end would be found
    suffixes = [*nlp.Defaults.suffixes, r"(?<=-[A-Z])\."]  # type: ignore[misc]
    nlp.tokenizer.suffix_search = compile_suffix_regex(suffixes).search  # type: ignore[union-attr]
    nlp.add_pipe("sentencizer")
    return nlp


def claim_id(source_id: str, subject: str, type_name: str, obj: str, quote: str, status: str,
             asserted_by: str) -> str:
    """A stable id from a claim's content: the same report extracts to the same ids."""
    basis = "|".join((source_id, subject, type_name, obj, quote, status, asserted_by))
    return "x-" + hashlib.sha256(basis.encode("utf-8")).hexdigest()[:16]


class Extractor:
    """Rule-based claim extractor over a fixed registry and ontology."""

    name = f"{NAME}/{VERSION}"

    def __init__(self, ontology: Ontology, entities: Iterable[Entity], lexicon: Lexicon | None = None) -> None:
        self.ontology = ontology
        self.lexicon = lexicon or load_lexicon()
        self.nlp = make_nlp()
        self.entities = {e.id: e for e in entities}
        self.mentions = MentionFinder(self.nlp, self.entities.values(), self.lexicon)
        self.cues = CueMatcher(self.nlp, ontology)
        self.coref = Coreference(self.nlp, self.lexicon)
        self.kinds = {e.id: e.kind for e in self.entities.values()}
        self.denial = ontology.denial_type
        self._hostile = frozenset(r.name for r in ontology.relation_types.values() if r.category == "hostile")
        self._list_words = _COORDINATORS | _POSSESSIVE_MARKS | self.lexicon.list_modifiers
        self._negation_words = frozenset(n for n in self.lexicon.negations if " " not in n)
        self._negation_phrases = tuple(n for n in self.lexicon.negations if " " in n)
        self._lw: list[str] = []
        self._cap: list[bool] = []
        self._text = ""
        self._anaphors: list[tuple[str, int, int]] = []
        self._orth_cache: dict[int, tuple[str, bool, int, int]] = {}
        self._classes: list[int] = []
        self._punct_chars = frozenset(Sentencizer.default_punct_chars)

    # --- the one public method ------------------------------------------------------------

    def run(self, report: ReportInput, *, source_id: str | None = None) -> Extraction:
        """Extract claims and candidate names from one report."""
        source = source_id or report.report_id
        published = report.published_date
        outlet = self.outlet_of(report)
        paras = paragraphs(report.text, self.lexicon)
        skipped = {"caption": 0, "furniture": 0}
        readable = []
        for para in paras:
            if para.kind in skipped:
                skipped[para.kind] += 1
            else:
                readable.append(para)
        state = _State(outlet=outlet, source_id=source, published=published)
        # one doc per report (paragraphs joined by blank lines): spaCy's per-doc costs are paid once
        joined = "\n\n".join(p.text for p in readable)
        starts: list[int] = []
        position = 0
        for para in readable:
            starts.append(position)
            position += len(para.text) + 2
        doc = self.nlp.make_doc(joined)
        self._lw, self._cap, offsets = self._strings(doc)
        named_all, unresolved_all = self.mentions.find(doc, published, offsets, joined)
        hits_all = self.cues.find(doc, self._lw) if named_all else []
        sentences = self._sentences(offsets, starts)
        # each mention, cue and anaphor to its sentence, in one pass
        which = [0] * len(doc)
        for k, (first, last, _) in enumerate(sentences):
            which[first:last] = [k] * (last - first)
        named_by: list[list[Mention]] = [[] for _ in sentences]
        vague_by: list[list[Span]] = [[] for _ in sentences]
        hits_by: list[list[CueHit]] = [[] for _ in sentences]
        anaphors_by: list[list[tuple[str, int, int]]] = [[] for _ in sentences]
        for mention in named_all:
            named_by[which[mention.start]].append(mention)
        for vague in unresolved_all:
            vague_by[which[vague.start]].append(vague)
        for hit in hits_all:
            if which[hit.start] == which[hit.end - 1]:
                hits_by[which[hit.start]].append(hit)
        for anaphor in self.coref.phrases(doc) if named_all else []:
            anaphors_by[which[anaphor[1]]].append(anaphor)
        for k, (first, last, number) in enumerate(sentences):
            self._text = joined[offsets[first][0]:offsets[last - 1][1]]
            self._anaphors = anaphors_by[k]
            self._sentence(doc[first:last], named_by[k], vague_by[k], hits_by[k],
                           readable[number].start - starts[number], state)
        count = len(sentences)
        return Extraction(report, source, state.claims, list(state.candidates.values()), count, skipped)

    def _sentences(self, offsets: Sequence[tuple[int, int]], starts: Sequence[int]) -> list[tuple[int, int, int]]:
        """Sentences as (first token, end token, paragraph number).

        A paragraph always starts a sentence; within one, spaCy's sentencizer rule applies (a
        sentence ends after one of its punctuation characters, with any closing punctuation),
        run on the cached token classes because the sentencizer builds a Token per token.
        """
        classes = self._classes
        result: list[tuple[int, int, int]] = []
        number = -1
        first: int | None = None
        seen_period = False
        following = starts[0] if starts else -1
        for i, cls in enumerate(classes):
            if cls == _SPACE:
                continue
            if following >= 0 and offsets[i][0] >= following:
                if first is not None:
                    result.append((first, self._trim(first, i), number))
                while number + 1 < len(starts) and offsets[i][0] >= starts[number + 1]:
                    number += 1
                following = starts[number + 1] if number + 1 < len(starts) else -1
                first, seen_period = i, False
            elif seen_period and cls == _WORD:
                assert first is not None
                result.append((first, self._trim(first, i), number))
                first, seen_period = i, False
            if cls == _FINAL:
                seen_period = True
        if first is not None:
            result.append((first, self._trim(first, len(classes)), number))
        return result

    def _trim(self, first: int, end: int) -> int:
        while end > first + 1 and self._classes[end - 1] == _SPACE:
            end -= 1
        return end

    def _strings(self, doc: Doc) -> tuple[list[str], list[bool], list[tuple[int, int]]]:
        """Each token's lower-case form, whether it is capitalised, and its character offsets.

        Read from arrays by orth id (cached across docs) rather than through spaCy ``Token``
        objects, which cost more to build than the rules cost to run.
        """
        cache, vocab = self._orth_cache, doc.vocab
        orths = doc.to_array(ORTH).tolist()
        for orth in set(orths).difference(cache):
            lexeme = vocab[orth]
            text = lexeme.orth_
            cls = (_SPACE if lexeme.is_space else _FINAL if text in self._punct_chars
                   else _PUNCT if lexeme.is_punct else _WORD)
            cache[orth] = (text.lower(), text[:1].isupper() and cls == _WORD, len(text), cls)
        entries = [cache[orth] for orth in orths]
        lowered = [e[0] for e in entries]
        capitalised = [e[1] for e in entries]
        self._classes = [e[3] for e in entries]
        offsets = [(idx, idx + e[2]) for idx, e in zip(doc.to_array(IDX).tolist(), entries, strict=True)]
        return lowered, capitalised, offsets

    # --- one sentence -------------------------------------------------------------------

    def _sentence(self, sent: Span, named: list[Mention], unresolved: list[Span], hits: list[CueHit],
                  offset: int, state: _State) -> None:
        at = state.published
        quote = self._text.strip()
        lead = len(self._text) - len(self._text.lstrip())
        span = (offset + sent.start_char + lead, offset + sent.start_char + lead + len(quote))
        for vague in unresolved:
            state.candidate(vague.text, "ambiguous: names more than one entity here", quote, span)
        unknown = self._candidates(sent, named, unresolved, (quote, span), state)
        corefs = self.coref.find(sent, named, state.salient, state.history, self.kinds, self._anaphors,
                                 unknown=unknown, lowered=self._lw)
        mentions = sorted([*named, *corefs], key=lambda m: m.start)
        if not mentions:
            # nothing to relate: only the quotation state carries over
            if not opens_in_quotation(self._text):
                state.last_speaker = None
            state.told.append(self._text)
            return
        speaker = find_speaker(sent, mentions, self.lexicon, self._lw)
        if speaker is None and opens_in_quotation(self._text) and state.last_speaker is not None:
            speaker = state.last_speaker
        if speaker is not None:
            state.last_speaker = speaker
        elif not opens_in_quotation(self._text):
            state.last_speaker = None
        made: list[tuple[CueHit, Claim]] = []
        text = self._text

        memo: list[PartialDate | None] = []

        def when() -> PartialDate | None:
            # dates matter only to claims: read them once a sentence makes one (a list, not
            # functools.cache: building a cache per sentence costs more than most sentences' rules)
            if not memo:
                dates = resolve_dates(text, at)
                # only a "days later" sentence looks back for the date it counts from
                memo.append(dates[0][2] if dates else
                            resolve_later(text, self._told_last(state)) if says_later(text) else None)
            return memo[0]

        # a claim needs two entities, or one denier and a claim made earlier: skip the matcher otherwise
        # (an attack on one named target, agent unknown, is kept: a later claim of responsibility takes it)
        if len(mentions) < 2 and not state.claims and state.unclaimed is None and not any(
                h.type in self._hostile for h in hits):
            hits = []
        denial_at = min((h.start for h in hits if h.type == self.denial), default=None)
        for hit in hits:
            if hit.type == self.denial:
                made.extend((hit, c) for c in self._denial(hit, sent, mentions, speaker, quote, span, state))
                continue
            if denial_at is not None and hit.start > denial_at:
                continue  # the content of a denial is not asserted
            if self._negated(hit, sent):
                continue
            made.extend((hit, c) for c in self._claims_for(hit, sent, mentions, speaker, quote, span, when, state,
                                                           made))
        unique: dict[tuple[str, str, str], Claim] = {}
        for _, claim in made:
            unique.setdefault((claim.subject, claim.type, claim.object), claim)
        state.claims.extend(unique.values())
        state.told.append(text)
        # the grammatical subjects, not the claims' (a symmetric claim orders its pair by id)
        acting = list(dict.fromkeys(state.acting))
        state.salient = acting or state.salient
        state.acting = []
        state.history.extend(named)

    def _claims_for(self, hit: CueHit, sent: Span, mentions: Sequence[Mention], speaker: Speaker | None,
                    quote: str, span: tuple[int, int], when: Callable[[], PartialDate | None], state: _State,
                    made: Sequence[tuple[CueHit, Claim]]) -> list[Claim]:
        rel = self.ontology.relation_types[hit.type]
        subjects, objects, voice = self._slots(hit, rel, sent, mentions, speaker, state, made)
        claims = []
        for subject in subjects:
            for obj in objects:
                if subject.entity_id == obj.entity_id:
                    continue
                claim = self._claim(rel, subject, obj, voice, quote, span, when, state)
                if claim is not None:
                    claims.append(claim)
                    state.acting.append(subject.entity_id)
                if hit.mutual and obj.kind in rel.subject_kinds and subject.kind in rel.object_kinds:
                    back = self._claim(rel, obj, subject, voice, quote, span, when, state)
                    if back is not None:
                        claims.append(back)
        return claims

    def _slots(self, hit: CueHit, rel: RelationType, sent: Span, mentions: Sequence[Mention],  # noqa: PLR0911
               speaker: Speaker | None, state: _State,
               made: Sequence[tuple[CueHit, Claim]]) -> tuple[list[Mention], list[Mention], Speaker | None]:
        doc = sent.doc
        if self._lw[hit.start] == "-":
            return (*self._compound(hit, rel, mentions), speaker)
        if hit.text in self.lexicon.ruler_nouns:
            return (*self._rulers(hit, rel, mentions), speaker)
        if hit.passive:
            subjects = self._right(hit, rel.subject_kinds, sent, mentions)
            if not subjects:
                return [], [], speaker
            objects = self._left(hit, rel.object_kinds, sent, mentions, speaker, strict=False)
            return subjects, objects, speaker
        if hit.end < sent.end and self._lw[hit.end] == "by" and self._lw[hit.end - 1].endswith("ed"):
            return [], [], speaker  # "was targeted by": a passive this type has no cue for is no active claim
        if rel.category == "hostile" and self._lw[hit.start] in self.lexicon.suffered_participles:
            suffered = self._suffered(hit, rel, sent, mentions, speaker, state)
            if suffered is not None:
                return suffered
        if (rel.category == "discursive" and not rel.denial and hit.end < sent.end
                and self._lw[hit.end] in ("of", "for") and self._lw[hit.end - 1].endswith("ed")):
            return [], [], speaker  # "the organisation blamed for the attacks": accused by nobody named here
        objects = self._right(hit, rel.object_kinds, sent, mentions)
        if objects and rel.category == "hostile" and self._claims_responsibility(hit) and "and" in self._lw[
                hit.end:objects[0].start]:
            objects = []  # "claimed the attack and demanded the release of Baloch prisoners": not its target
        if not objects and rel.category == "hostile" and self._claims_responsibility(hit):
            objects = self._unclaimed_target(hit, rel, state)
        if not objects and not rel.symmetric and not rel.cues.reactive:
            return [], [], speaker  # no object, no claim: spare the subject search
        subjects = self._left(hit, rel.subject_kinds, sent, mentions, speaker, strict=True)
        if subjects and rel.category == "hostile" and any(
                w in self.lexicon.reaction_verbs for w in self._lw[max(subjects[-1].end, hit.start - 4):hit.start]):
            return [], [], speaker  # "China condemned the bombing of": a critic, not the attacker
        if not subjects and objects and rel.category == "hostile":
            # "A bomber struck the embassy on Monday": the target (and its day) wait for a claim
            state.unclaimed, state.unclaimed_text = objects[0], self._text
        accusation = self._accusation_before(hit, made)
        if accusation is not None:
            accusing_hit, accusation_claim = accusation
            # "X accused Y of …", "Y was blamed by X for …": what follows is alleged by X, and done by Y
            speaker = Speaker(accusation_claim.subject, self.kinds.get(accusation_claim.subject), hit.start)
            if accusing_hit.passive and self.kinds.get(accusation_claim.object) in rel.subject_kinds:
                subjects = [self._pseudo(hit, accusation_claim.object, doc[hit.start].text)]
        if rel.cues.reactive:
            opening = self._opening_clause(sent, rel.object_kinds, mentions)
            if opening is not None:
                objects = [opening]
        if subjects and subjects[0].end < len(doc) and doc[subjects[0].end].lower_ == "of":
            # "accused them of carrying out the attacks": the attack is alleged by the accuser
            accuser = next((c for _, c in made if c.object == subjects[0].entity_id
                            and self.ontology.relation_types[c.type].category == "discursive"), None)
            if accuser is not None:
                speaker = Speaker(accuser.subject, self.kinds.get(accuser.subject), hit.start)
        if subjects:
            # a name inside an earlier cue ("showcase Taliban failures, ... and provoke") is that cue's object;
            # the verbs share the earlier cue's subject
            inner = next(((h, c) for h, c in made if h.start < subjects[0].start < h.end
                          and c.object == subjects[0].entity_id), None)
            if inner is not None and self.kinds.get(inner[1].subject) in rel.subject_kinds:
                subjects = [self._pseudo(hit, inner[1].subject, doc[hit.start].text)]
        if not subjects and rel.symmetric and len(objects) >= 2:
            return objects[:1], objects[1:2], speaker
        if subjects and not objects and rel.symmetric and len(subjects) >= 2:
            return subjects[:1], subjects[1:2], speaker
        if not subjects:
            accused = self._accused_agent(hit, rel, sent, mentions, made)
            if accused is not None:
                agent, accuser = accused
                voice = Speaker(accuser.subject, self.kinds.get(accuser.subject), hit.start)
                return [agent], objects, voice
        if not subjects and self._opens_with_event(sent, hit) and state.last_agent is not None:
            agent = state.last_agent
            if agent.kind in rel.subject_kinds:
                subjects = [self._pseudo(hit, agent.entity_id, doc[sent.start].text)]
        return subjects, objects, speaker

    def _compound(self, hit: CueHit, rel: RelationType,
                  mentions: Sequence[Mention]) -> tuple[list[Mention], list[Mention]]:
        """A hyphenated modifier: "Taliban-run Afghanistan", "the Pakistan-based Lashkar-e-Taiba".

        The name the cue hangs on and the name right after it (or, for "X, the Pakistan-based
        group", the appositive's head) are the pair; a name further off is no part of the compound.
        """
        attached = next((m for m in mentions if m.end == hit.start), None)
        following = next((m for m in mentions if m.start == hit.end), None)
        if following is None and attached is not None and attached.start >= 2 and self._lw[
                attached.start - 1] in ("the", "a", "an") and self._lw[attached.start - 2] == ",":
            following = next((m for m in mentions if m.end == attached.start - 2), None)
        if attached is None or following is None:
            return [], []
        subject, obj = (following, attached) if hit.passive else (attached, following)
        if subject.kind not in rel.subject_kinds or obj.kind not in rel.object_kinds:
            return [], []
        return [subject], [obj]

    def _rulers(self, hit: CueHit, rel: RelationType,
                mentions: Sequence[Mention]) -> tuple[list[Mention], list[Mention]]:
        """ "Afghanistan's Taliban rulers": the name before the noun holds the possessor."""
        ruler = next((m for m in mentions if m.end == hit.start and m.kind in rel.subject_kinds), None)
        if ruler is None:
            return [], []
        ruled = next((m for m in mentions if m.possessive and 0 <= ruler.start - m.end <= 1
                      and m.kind in rel.object_kinds), None)
        return ([ruler], [ruled]) if ruled is not None else ([], [])

    def _suffered(self, hit: CueHit, rel: RelationType, sent: Span, mentions: Sequence[Mention],
                  speaker: Speaker | None, state: _State) -> tuple[list[Mention], list[Mention], Speaker | None] | None:
        """A participle told of its victim ("were killed", "killed in an Israeli air strike"), or None.

        Reporting puts the victim first and the agent, when it names one, in the attack noun's
        modifier; reading the participle as active made the victim the attacker. With no agent the
        victim waits, as an unclaimed target, for a later claim of responsibility.
        """
        lex = self.lexicon
        before = self._lw[hit.start - 1] if hit.start > sent.start else ""
        after = self._lw[hit.end] if hit.end < sent.end else ""
        if hit.end - hit.start != 1 or (before not in lex.copulas and after != "in"):
            return None
        agents: list[Mention] = []
        if after == "in":
            k = hit.end + 1
            while k < min(sent.end, hit.end + 5) and (self._lw[k] in lex.determiners
                                                       or self._lw[k] in lex.weapon_words):
                k += 1
            agent = next((m for m in mentions if m.start == k and m.kind in rel.subject_kinds), None)
            if agent is not None:
                j = agent.end
                while j < sent.end and self._lw[j] in lex.weapon_words:
                    j += 1
                if j < sent.end and self._lw[j] in lex.event_nouns:
                    agents = [agent]
            elif before not in lex.copulas:
                return None  # "killed in Kabul" with no "was": an active verb after all ("IS-K killed in …")
        victims = self._left(hit, rel.object_kinds, sent, mentions, speaker, strict=False)
        if not agents:
            if victims:
                state.unclaimed, state.unclaimed_text = victims[0], self._text
            return [], [], speaker
        return agents, victims, speaker

    def _claims_responsibility(self, hit: CueHit) -> bool:
        """A cue that is a claim of responsibility ("claimed the attack"), or follows one closely."""
        words = self._lw[max(0, hit.start - 4):hit.end]
        return any(w in self.lexicon.claim_verbs or w == "behind" for w in words)

    def _unclaimed_target(self, hit: CueHit, rel: RelationType, state: _State) -> list[Mention]:
        """The target of the latest attack the report told without an agent, for a claim of it to take."""
        target = state.unclaimed
        if target is None or target.kind not in rel.object_kinds:
            return []
        return [Mention(hit.start, hit.start, 0, 0, target.text, target.entity_id, target.kind, via="event")]

    def _accusation_before(self, hit: CueHit, made: Sequence[tuple[CueHit, Claim]]) -> tuple[CueHit, Claim] | None:
        """The accusation whose complement ("of …", "for …") this cue stands in, if any."""
        for accusing_hit, claim in reversed(made):
            rel = self.ontology.relation_types[claim.type]
            if rel.category != "discursive" or rel.denial or accusing_hit.end > hit.start:
                continue
            if any(w in ("of", "for") for w in self._lw[accusing_hit.end:hit.start]):
                return accusing_hit, claim
        return None

    def _told_last(self, state: _State) -> PartialDate | None:
        """The latest date an earlier sentence stated, which "days later" counts from."""
        # each sentence is read once (a report with many "later"s would otherwise reread its past),
        # and only the last few: a date further back is no longer what "later" counts from
        for number in range(len(state.told) - 1, max(-1, len(state.told) - 1 - _LOOKBACK), -1):
            if number not in state.told_dates:
                dates = resolve_dates(state.told[number], state.published)
                state.told_dates[number] = dates[-1][2] if dates else None
            if state.told_dates[number] is not None:
                return state.told_dates[number]
        return None

    def _pseudo(self, hit: CueHit, entity_id: str, text: str) -> Mention:
        return Mention(hit.start, hit.start, 0, 0, text, entity_id, self.kinds[entity_id], via="coreference")

    def _accused_agent(self, hit: CueHit, rel: RelationType, sent: Span, mentions: Sequence[Mention],
                       made: Sequence[tuple[CueHit, Claim]]) -> tuple[Mention, Claim] | None:
        """'Washington accused them of carrying out the attacks': the accused is the agent, alleged by the accuser."""
        for j in range(hit.start - 1, max(sent.start, hit.start - 8) - 1, -1):
            if self._lw[j] != "of":
                continue
            agent = next((m for m in mentions if m.end == j and m.kind in rel.subject_kinds), None)
            accuser = next((c for h, c in made if agent is not None and c.object == agent.entity_id
                            and self.ontology.relation_types[c.type].category == "discursive"), None)
            if agent is not None and accuser is not None:
                return agent, accuser
        return None

    def _opening_clause(self, sent: Span, kinds: Sequence[str], mentions: Sequence[Mention]) -> Mention | None:
        """The name in an opening 'After …,' clause that a response answers."""
        head = self._text.lower()
        if not head.startswith(self.lexicon.response_openers):
            return None
        comma = next((t.i for t in sent if t.text == ","), None)
        if comma is None:
            return None
        inside = [m for m in mentions if m.end <= comma and m.kind in kinds and self._lw[m.start] != "the"]
        return inside[-1] if inside else None

    def _opens_with_event(self, sent: Span, hit: CueHit) -> bool:
        words = [self._lw[i] for i in range(sent.start, min(sent.start + 4, hit.start))]
        return len(words) >= 2 and words[0] in ("the", "this", "that", "these", "those") and any(
            w in self.lexicon.event_nouns for w in words[1:])

    def _left(self, hit: CueHit, kinds: Sequence[str], sent: Span, mentions: Sequence[Mention],
              speaker: Speaker | None, *, strict: bool) -> list[Mention]:
        lex = self.lexicon
        fallback: Mention | None = None
        # mentions never overlap and come sorted by start, so by end too: nearest first is reversed order
        for mention in reversed([m for m in mentions if m.end <= hit.start]):
            between = self._lw[mention.end:hit.start]
            barriers = [k for k, w in enumerate(between) if w in lex.subject_barriers]
            before = self._lw[mention.start - 1] if mention.start > sent.start else ""
            # (the word before a name and after it are tested here first: most names are in no such clause)
            if (before in ("a", "an") and self._appositive_modifier(mention, sent)) or (
                    before in ("which", "who", "whom") and self._relative_speaker(mention, hit, sent)):
                continue  # "X, a Taliban faction, …", "X, which Pakistan says …": not the subject
            relative = False
            if between and between[0] == ",":
                # "Washington, which accused …", "the TTP, which Pakistan says operates": the antecedent
                relative = self._relative_antecedent(mention, hit, mentions)
                if relative and mention.kind in kinds:
                    return [mention]
                # "Jamaat-ul-Ahrar, a breakaway faction of the TTP": the appositive's head is the subject
                if self._appositive_head(between) and mention.kind in kinds:
                    return self._coordinated(mention, mentions, kinds, sent, leftwards=True)
            if barriers and not relative:
                break
            if len(between) > 20:
                break
            if speaker is not None and speaker.mention == mention and mention.kind in ("person", "organization"):
                continue
            if mention.kind not in kinds:
                continue
            if self._modifier(mention):
                continue  # "the Pakistan-based group attacked": the group acts, not Pakistan
            words = [w for w in between if w not in _POSSESSIVE_MARKS and w != "-"]
            near = len(words) <= 2
            if before in lex.prepositions and not (mention.possessive and near):
                continue  # "an attack on Afghanistan's …": the object of a preposition is not the subject
            if mention.possessive and not near:
                fallback = fallback or mention  # "IS-K's attack on X is aimed at": the possessor, if nothing better
                continue
            if strict and self._agentless(between):
                return []
            return self._coordinated(mention, mentions, kinds, sent, leftwards=True)
        if fallback is not None:
            return [fallback]
        return []

    def _modifier(self, mention: Mention) -> bool:
        """A name hyphened to a lower-case word ("Pakistan-based", "Iran-backed") modifies the noun after it."""
        end = mention.end
        return end + 1 < len(self._lw) and self._lw[end] == "-" and not self._cap[end + 1] and self._lw[
            end + 1].isalpha()

    def _appositive_head(self, between: Sequence[str]) -> bool:
        """The words after a name open an indefinite appositive (", a breakaway faction of") holding the cue."""
        return len(between) >= 2 and between[0] == "," and between[1] in ("a", "an") and not any(
            w in self.lexicon.subject_barriers for w in between)

    def _appositive_modifier(self, mention: Mention, sent: Span) -> bool:
        """A name modifying an appositive's noun (", a Taliban faction"): it describes the head, it does not act."""
        start = mention.start
        if start - 2 < sent.start or mention.end >= sent.end:
            return False
        opens = self._lw[start - 1] in ("a", "an") and self._lw[start - 2] == ","
        return opens and not self._cap[mention.end] and self._lw[mention.end].isalpha()

    def _relative_speaker(self, mention: Mention, hit: CueHit, sent: Span) -> bool:
        """The speaker inside a relative clause ("which Pakistan says operates"): not the cue's subject."""
        before = self._lw[mention.start - 1] if mention.start > sent.start else ""
        between = self._lw[mention.end:hit.start]
        return before in ("which", "who", "whom") and bool(between) and all(
            w in self.lexicon.speech_verbs for w in between)

    def _relative_antecedent(self, mention: Mention, hit: CueHit, mentions: Sequence[Mention]) -> bool:
        """The cue opens a relative clause on the name (", which accused", ", which Pakistan says operates")."""
        between = self._lw[mention.end:hit.start]
        if len(between) < 2 or between[0] != "," or between[1] not in ("which", "who"):
            return False
        rest = range(mention.end + 2, hit.start)
        covered = {i for m in mentions for i in range(m.start, m.end) if m.start >= mention.end + 2}
        return all(i in covered or self._lw[i] in self.lexicon.speech_verbs for i in rest)

    def _agentless(self, between: Sequence[str]) -> bool:
        """A noun cue with its own determiner ("the alleged attack on") names no agent further left."""
        lex = self.lexicon
        if any(w in lex.claim_verbs or w == "responsibility" for w in between):
            return False  # "claimed responsibility for the attack on"
        last = [k for k, w in enumerate(between) if w in lex.determiners and k >= len(between) - 3]
        if last and last[0] > 0 and between[last[0] - 1] in lex.prepositions:
            return True  # "… in the already-strained relations": a noun inside a prepositional phrase
        if any(w in lex.copulas or w in lex.light_verbs for w in between):
            return False  # "IS-K is a staunch enemy of", "the US carried out a strike against"
        return bool(last)

    def _right(self, hit: CueHit, kinds: Sequence[str], sent: Span, mentions: Sequence[Mention]) -> list[Mention]:
        # names inside a gapped cue count ("showcase Taliban failures")
        ordered = [m for m in mentions if m.start > hit.start]  # already in order of start
        for position, mention in enumerate(ordered):
            between = self._lw[hit.end:mention.start]
            if any(w in self.lexicon.object_barriers for w in between) or len(between) > 12:
                return []
            if mention.possessive:
                following = ordered[position + 1] if position + 1 < len(ordered) else None
                if following is not None and following.start - mention.end <= 2 and following.kind in kinds:
                    return self._coordinated(following, mentions, kinds, sent, leftwards=False)
                if mention.via == "coreference":
                    continue
            if mention.start > 0 and self._lw[mention.start - 1] == "what" and self._reporting_clause(mention):
                continue  # "strikes on what it said were bases of X": the object is X, not the speaker
            if mention.kind not in kinds or self._modifier(mention):
                continue  # (the group is accused, not the state in "accused Iran-backed Jaish al-Adl")
            return self._coordinated(mention, mentions, kinds, sent, leftwards=False)
        return []

    def _reporting_clause(self, mention: Mention) -> bool:
        """The speaker of a free relative inside an object ("what it said were", "what Iran called")."""
        before = self._lw[mention.start - 1] if mention.start > 0 else ""
        after = self._lw[mention.end] if mention.end < len(self._lw) else ""
        return before == "what" and (after in self.lexicon.speech_verbs or after in ("called", "calls", "describes"))

    def _coordinated(self, first: Mention, mentions: Sequence[Mention], kinds: Sequence[str], sent: Span, *,
                     leftwards: bool) -> list[Mention]:
        """The mention and those joined to it by commas and "and" ("Russia, China, Iran and Pakistan")."""
        group = [first]
        # mentions come sorted by start (see _sentence)
        ordered = reversed(mentions) if leftwards else mentions
        current = first
        allowed = self._list_words
        for other in ordered:
            if (leftwards and other.end > current.start) or (not leftwards and other.start < current.end):
                continue
            gap = range(other.end, current.start) if leftwards else range(current.end, other.start)
            words = [self._lw[i] for i in gap]
            if not words or len(words) > 3 or not all(w in allowed for w in words) or not (
                    set(words) & (_COORDINATORS - {"as", "well"})):
                break
            if other.kind in kinds:
                group.append(other)
            current = other
        return group

    def _negated(self, hit: CueHit, sent: Span) -> bool:
        window = self._lw[max(sent.start, hit.start - 3):hit.start]
        if not self._negation_words.isdisjoint(window):
            return True
        text = " ".join(window)
        return any(phrase in text for phrase in self._negation_phrases)

    def _claim(self, rel: RelationType, subject: Mention, obj: Mention, speaker: Speaker | None, quote: str,
               span: tuple[int, int], when: Callable[[], PartialDate | None], state: _State) -> Claim | None:
        status, asserted_by, note = self._status(rel, subject, speaker, state)
        if asserted_by is None:
            return None
        confidence = BASE_CONFIDENCE - 0.1 * sum(m.inferred for m in (subject, obj)) - (0.1 if speaker else 0.0)
        subject_id, object_id = subject.entity_id, obj.entity_id
        if rel.symmetric and object_id < subject_id:
            subject_id, object_id = object_id, subject_id
        claim = Claim(
            id=claim_id(state.source_id, subject_id, rel.name, object_id, quote, status, asserted_by),
            subject=subject_id, type=rel.name, object=object_id, source=state.source_id, quote=quote, span=span,
            status=status, asserted_by=asserted_by,
            # a claim of an attack told before carries that attack's date, not the claim's
            date=self._event_date(state) if obj.via == "event" else self._date(rel, when),
            confidence=round(max(confidence, 0.3), 2), extracted_by=self.name, note=note,
        )
        if rel.category == "hostile":
            state.last_agent = subject
        return claim

    @staticmethod
    def _event_date(state: _State) -> str | None:
        """The date of the attack told before without an agent, read only when a claim takes it."""
        dates = resolve_dates(state.unclaimed_text, state.published)
        return str(dates[0][2]) if dates else None

    @staticmethod
    def _date(rel: RelationType, when: Callable[[], PartialDate | None]) -> str | None:
        """The sentence's date for a claim of an event; geography (territorial types) takes none."""
        if rel.category == "territorial":
            return None
        found = when()
        return str(found) if found else None

    def _status(self, rel: RelationType, subject: Mention, speaker: Speaker | None,
                state: _State) -> tuple[str, str | None, str | None]:
        status: str
        asserted_by: str | None
        note: str | None
        if speaker is None and rel.name in self.lexicon.speech_act_types:
            # "Washington accused the Taliban": the accusation is the accuser's own assertion
            status, asserted_by, note = "alleged", subject.entity_id, None
        elif speaker is None:
            status, asserted_by, note = "reported", state.outlet, None
        elif speaker.generic and speaker.official:
            status, asserted_by, note = "alleged", state.outlet, "attributed to unnamed officials"
        elif speaker.generic:
            status, asserted_by, note = "assessed", state.outlet, "attributed to unnamed analysts or experts"
        elif speaker.entity_id == subject.entity_id:
            status, asserted_by, note = "claimed", speaker.entity_id, None
        elif speaker.kind in ("person", "organization"):
            status, asserted_by, note = "assessed", speaker.entity_id, None
        else:
            status, asserted_by, note = "alleged", speaker.entity_id, None
        if rel.statuses and status not in rel.statuses:
            status = rel.statuses[0]
        if self.ontology.statuses[status].denial_only and not rel.denial:
            status = "reported"
        return status, asserted_by, note

    def _denial(self, hit: CueHit, sent: Span, mentions: Sequence[Mention], speaker: Speaker | None, quote: str,
                span: tuple[int, int], state: _State) -> list[Claim]:
        rel = self.ontology.relation_types[hit.type]
        deniers = self._left(hit, rel.subject_kinds, sent, mentions, None, strict=False)
        if not deniers and speaker is not None and speaker.mention is not None:
            deniers = [speaker.mention]
        embedded = {m.entity_id for m in mentions if m.start >= hit.end}
        claims = []
        for denier in deniers:
            target = self._denied_claim(denier.entity_id, embedded, state.claims)
            if target is None:
                continue
            claims.append(Claim(
                id=claim_id(state.source_id, denier.entity_id, rel.name, target.subject, quote, "denied",
                            denier.entity_id),
                subject=denier.entity_id, type=rel.name, object=target.subject, source=state.source_id, quote=quote,
                span=span, status="denied", asserted_by=denier.entity_id, denies=target.id,
                confidence=round(BASE_CONFIDENCE - 0.2, 2), extracted_by=self.name,
                note=f"denies {target.type} {target.subject} → {target.object}",
            ))
        return claims

    def _denied_claim(self, denier: str, embedded: set[str], claims: Sequence[Claim]) -> Claim | None:
        """The claim a denial most plausibly answers: a hostile claim of this report about what it names."""
        hostile = [c for c in claims if self.ontology.relation_types[c.type].category == "hostile"
                   and c.type != self.denial and c.subject != denier]
        for test in (lambda c: c.object in embedded, lambda c: c.object == denier, lambda c: c.subject == denier):
            found = [c for c in hostile if test(c)]
            if found:
                return found[-1]
        return None

    # --- names the registry lacks ----------------------------------------------------------

    def _candidates(self, sent: Span, named: Sequence[Mention], unresolved: Sequence[Span],
                    where: tuple[str, tuple[int, int]], state: _State) -> list[tuple[int, int]]:
        """Record the sentence's unknown names as candidates; return their token ranges."""
        doc = sent.doc
        found: list[tuple[int, int]] = []
        covered = {i for m in named for i in range(m.start, m.end)}
        covered |= {i for s in unresolved for i in range(s.start, s.end)}
        run: list[int] = []

        def flush() -> None:
            while run and self._lw[run[-1]] in _NAME_JOINERS:
                run.pop()
            words = [self._lw[i] for i in run]
            lone = len(run) == 1 and (run[0] == sent.start or words[0] in self.lexicon.not_names)
            if words and not lone and not all(w in self.lexicon.not_names for w in words):
                state.candidate(doc[run[0]:run[-1] + 1].text, "not in the registry", *where)
                found.append((run[0], run[-1] + 1))
            run.clear()

        cap = self._cap
        for i in range(sent.start, sent.end):
            if not run and not cap[i]:
                continue  # most tokens: no name open and none starting here
            if i in covered:
                if run:
                    flush()
                continue
            if cap[i]:
                if run or self._lw[i] not in self.lexicon.not_names or i != sent.start:
                    run.append(i)
                continue
            if run:
                if self._lw[i] in _NAME_JOINERS:
                    run.append(i)
                else:
                    flush()
        flush()
        return found

    def outlet_of(self, report: ReportInput) -> str | None:
        """The registry id of the report's outlet (by ``outlet_id``, then ``outlet``), if it has one."""
        for name in (report.outlet_id, report.outlet):
            if not name:
                continue
            try:
                return self.mentions.index.resolve(name).id
            except (EntityNotFound, AmbiguousName):
                continue
        return None


@dataclass
class _State:
    """What reading a report carries from sentence to sentence."""

    outlet: str | None
    source_id: str
    published: PartialDate | None
    claims: list[Claim] = field(default_factory=list)
    candidates: dict[str, Candidate] = field(default_factory=dict)
    history: list[Mention] = field(default_factory=list)
    salient: list[str] = field(default_factory=list)
    acting: list[str] = field(default_factory=list)
    last_speaker: Speaker | None = None
    last_agent: Mention | None = None
    unclaimed: Mention | None = None
    unclaimed_text: str = ""
    told: list[str] = field(default_factory=list)
    told_dates: dict[int, PartialDate | None] = field(default_factory=dict)

    def candidate(self, name: str, reason: str, sentence: str, span: tuple[int, int]) -> None:
        entry = self.candidates.setdefault(name, Candidate(name, reason))
        if sentence not in entry.sentences:
            entry.sentences.append(sentence)
            entry.spans.append(span)
