"""Follow-up questions: "and in 2023?", "what about Iran?", "who denied it?" read against the previous reading.

An analyst asks a question, then narrows or turns it: a new time, another entity in the same place, the
denials of what was found. Such a question says too little to be read alone; read beside the previous
query (passed back whole: ``AskQuery``, as every answer returns it) it reuses that query's slots and
replaces only what it names. A question of any other form is not a follow-up (``None``) and is read alone,
so passing the previous query never changes how a whole question reads.
"""

from __future__ import annotations

from spacy.tokens import Doc

from graph.domain.model import Entity
from graph.language.ask.model import AskQuery, Mention, Reading
from graph.language.ask.times import Times

# Words that open or frame a follow-up and carry nothing else: "and", "what about", "how about", "then".
OPENERS = frozenset({"and", "what", "about", "how", "then", "also", "or", "but", "for", "with", "of", "the", "in",
                     "on", "at", "from", "since", "during", "instead", "?", "!", ".", ","})
# "who denied it?", "did anyone deny that?", "and who denies this?"
DENIAL_WORDS = frozenset({"who", "whom", "did", "does", "do", "has", "have", "anyone", "anybody", "someone", "and",
                          "ever", "?", "it", "that", "this", "them", "those", "these"})
POINTERS = frozenset({"it", "that", "this", "them", "those", "these"})


def _words(doc: Doc, names: dict[int, Entity]) -> list[str]:
    return [t.lower_ for t in doc if t.i not in names and not t.is_space]


def follow_up(previous: AskQuery, doc: Doc, names: dict[int, Entity], times: Times, denial_type: str | None,
              deny_lemmas: frozenset[str]) -> tuple[AskQuery, Reading] | None:
    """The previous query with what a follow-up names replaced, and how it was read; None for a question that is
    not a follow-up (it is read alone)."""
    words = _words(doc, names)
    lemmas = {t.lemma_.lower() for t in doc if t.i not in names}
    if denial_type is not None and not names and lemmas & deny_lemmas and set(words) & POINTERS and \
            set(words) <= DENIAL_WORDS | {t.lower_ for t in doc if t.lemma_.lower() in deny_lemmas}:
        query = AskQuery(shape="denials", relation=denial_type, types=list(previous.types), subject=previous.subject,
                         object=previous.object, place=previous.place, since=previous.since, until=previous.until)
        return query, Reading(asks="who", predicate="deny", notes=[_note(previous, "the denials of what it found")])
    if not set(words) <= OPENERS or not (names or times.said) or len(names) > 1:
        return None
    if words and words[0] not in ("and", "what", "how", "then", "also", "or", "but", "in", "since", "for"):
        return None
    update: dict[str, object] = {}
    replaced = ""
    mentions: list[Mention] = []
    if names:
        ((index, entity),) = names.items()
        slot = _slot(previous, entity)
        if slot is None:
            return None
        update[slot] = entity.id
        replaced = f"{entity.name} in place of {previous.model_dump()[slot]}"
        mentions.append(Mention(text=doc[index].text, id=entity.id, name=entity.name, kind=entity.kind,
                                role=slot))
    if times.said:
        update.update(since=times.since, until=times.until)
        replaced = ", ".join(p for p in (replaced, f"'{times.said}' in place of the previous time") if p)
    query = previous.model_copy(update=update)
    return query, Reading(asks="follow-up", mentions=mentions, time=times.said or None,
                          notes=[_note(previous, replaced)])


def _slot(previous: AskQuery, entity: Entity) -> str | None:
    """Which of the previous query's entity slots a new entity takes: the one it names (the subject, object,
    place, asserter or chain start); of two, the object unless the previous shape asks from its subject."""
    filled = [s for s in ("subject", "object", "place", "asserted_by", "via") if getattr(previous, s)]
    if not filled:
        return None
    if len(filled) == 1:
        return filled[0]
    if previous.shape in ("pair", "connection") or previous.direction == "in":
        return "object" if "object" in filled else filled[0]
    return "subject" if "subject" in filled else filled[0]


def _note(previous: AskQuery, what: str) -> str:
    return f"read as a follow-up of the previous question ({previous.shape}): {what}"
