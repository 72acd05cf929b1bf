"""Turning reporting into claims: a rule-based extractor built on spaCy's blank English pipeline."""
