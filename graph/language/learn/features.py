"""Sparse features of a candidate pair, read from the parse, the ontology's cues and the rules' vote.

Every feature is a string with weight 1: the lemmas between the two names and three either
side, the dependency path between them through their lowest common ancestor, each name's
dependency label and head, which relation types' cue words occur between them or on the path,
and what the rule extractor read for this pair in this sentence (``rule=TYPE`` forward,
``rule_rev=TYPE`` for the pair the other way round). Lexical features are given twice, plain and
with the pair's order (subject first or object first), so that one model reads direction.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from spacy.tokens import Token

from graph.domain.ontology import Ontology
from graph.language.learn.candidates import Pair

_WINDOW = 3


class CueIndex:
    """The ontology's cue words by relation type, as the features read them (a word or a ``word*`` prefix)."""

    def __init__(self, ontology: Ontology) -> None:
        self.words: dict[str, set[str]] = {}
        self.prefixes: list[tuple[str, str]] = []
        for name, rel in sorted(ontology.relation_types.items()):
            for cue in [*rel.cues.active, *rel.cues.passive, *rel.cues.mutual]:
                for word in cue.split():
                    if word == "*" or len(word.rstrip("*")) < 3:
                        continue
                    if word.endswith("*"):
                        self.prefixes.append((word[:-1], name))
                    else:
                        self.words.setdefault(word, set()).add(name)

    def types(self, token: Token) -> set[str]:
        """The relation types one of whose cue words this token is (by its form or its lemma)."""
        if token.is_stop or not token.is_alpha:
            return set()
        lower, lemma = token.lower_, token.lemma_.lower()
        found = set(self.words.get(lower, ())) | set(self.words.get(lemma, ()))
        found.update(name for prefix, name in self.prefixes if lower.startswith(prefix))
        return found


def _lemma(token: Token, names: Mapping[int, str]) -> str:
    if token.i in names:
        return f"<{names[token.i]}>"
    return token.lemma_.lower() if token.is_alpha else ("<num>" if token.like_num else token.text)


def _path(a: Token, b: Token) -> tuple[list[Token], Token | None, list[Token]]:
    """Tokens from ``a`` up to the lowest common ancestor, and from ``b`` up to it (None: different trees)."""
    up_a = [a, *a.ancestors]
    up_b = [b, *b.ancestors]
    seen = {t.i for t in up_b}
    lca = next((t for t in up_a if t.i in seen), None)
    if lca is None:
        return up_a, None, up_b
    return [t for t in up_a if t.i != lca.i][: len(up_a)], lca, [t for t in up_b if t.i != lca.i]


def pair_features(pair: Pair, cues: CueIndex, votes: Mapping[tuple[int, str, str], Iterable[str]]) -> list[str]:
    """The features of one candidate pair (``votes``: the rules' types by (sentence start, subject, object))."""
    span = pair.sentence.span
    doc = span.doc
    s, o = doc[pair.subject.start], doc[pair.object.start]
    order = "so" if s.i < o.i else "os"
    names = {m.start: m.kind for m in pair.sentence.mentions}
    names[s.i], names[o.i] = "SUBJ", "OBJ"
    first, last = (s, o) if s.i < o.i else (o, s)
    feats = [f"order={order}", f"kinds={pair.subject.kind}>{pair.object.kind}"]
    gap = last.i - first.i
    feats.append(f"gap={min(gap, 10) if gap < 10 else ('10-20' if gap < 20 else '20+')}")
    if pair.sentence.headline:
        feats.append("headline")
    between = list(doc[first.i + 1:last.i])
    lexical: list[str] = []
    for t in between:
        if not t.is_punct:
            lexical.append(f"bw={_lemma(t, names)}")
    for t in doc[max(span.start, first.i - _WINDOW):first.i]:
        lexical.append(f"left={_lemma(t, names)}")
    for t in doc[last.i + 1:min(span.end, last.i + 1 + _WINDOW)]:
        lexical.append(f"right={_lemma(t, names)}")
    if between and not any(t.is_punct for t in between) and len(between) <= 4:
        lexical.append("bwseq=" + "_".join(_lemma(t, names) for t in between))
    up_s, lca, up_o = _path(s, o)
    if lca is not None:
        path = ("/".join(t.dep_ for t in up_s) + f"^{_lemma(lca, names)}^" + "/".join(t.dep_ for t in up_o))
        lexical += [f"path={path}", f"lca={_lemma(lca, names)}", f"lcapos={lca.pos_}",
                    f"shape={'/'.join(t.dep_ for t in up_s)}^{'/'.join(t.dep_ for t in up_o)}"]
        for t in [*up_s[1:], *up_o[1:]]:
            lexical.append(f"onpath={_lemma(t, names)}")
        if any(c.dep_ == "neg" for t in [lca, *up_s[1:], *up_o[1:]] for c in t.children):
            lexical.append("negated")
    lexical += [f"sdep={s.dep_}", f"odep={o.dep_}", f"shead={_lemma(s.head, names)}", f"ohead={_lemma(o.head, names)}"]
    if pair.subject.via == "coreference":
        lexical.append("sref")  # "the group", "it": named in an earlier sentence
    if pair.object.via == "coreference":
        lexical.append("oref")
    if pair.subject.possessive:
        lexical.append("sposs")
    if pair.object.possessive:
        lexical.append("oposs")
    cue_tokens = set(between) | set(up_s[1:]) | set(up_o[1:]) | ({lca} if lca is not None else set())
    cue_types = {name for t in cue_tokens for name in cues.types(t)}
    lexical += [f"cue={name}" for name in sorted(cue_types)]
    feats += lexical + [f"{order}|{f}" for f in lexical]
    key = pair.key
    rev = (key[0], key[2], key[1])
    voted = sorted(votes.get(key, ()))
    feats += [f"rule={t}" for t in voted] + [f"rule_rev={t}" for t in sorted(votes.get(rev, ()))]
    feats.append("rule_any" if voted else "rule_none")
    return sorted(set(feats))


def marked(pair: Pair) -> str:
    """The sentence with the subject in [S]…[/S] and the object in [O]…[/O], for the sentence encoder."""
    text, base = pair.sentence.text, pair.sentence.start
    doc = pair.sentence.span.doc
    # the mention offsets are the paragraph doc's; the sentence text is the report's: align through the span
    offset = pair.sentence.span.start_char
    spans = sorted([(pair.subject.start_char - offset, pair.subject.end_char - offset, "S"),
                    (pair.object.start_char - offset, pair.object.end_char - offset, "O")], reverse=True)
    del base, doc
    for start, end, tag in spans:
        if 0 <= start <= end <= len(text):
            text = f"{text[:start]}[{tag}] {text[start:end]} [/{tag}]{text[end:]}"
    return text
