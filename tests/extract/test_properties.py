"""Property: the extractor reads any text without failing, or refuses it with one of the project's errors.

Only ``Extractor.run``'s contract is checked here, not what it extracts: how long a report may be is
checked where reports come in (the API and ``kg extract``/``kg ingest``, KG_MAX_REPORT_CHARS).
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graph.domain.errors import KgError
from graph.language.extract.pipeline import Extraction, Extractor
from graph.language.extract.text import ReportInput
from tests import hostile

EXAMPLES = 300

# Reports reach the extractor as UTF-8 (the API refuses lone surrogates, files are decoded strictly),
# so the text here is anything UTF-8 can hold: every character but half a surrogate pair.
UTF8 = [fragment for fragment in hostile.NAMES + hostile.WORDS + hostile.DATES + hostile.ODD + hostile.MARKUP
        if not any(0xD800 <= ord(c) <= 0xDFFF for c in fragment)]
sentences = st.lists(st.sampled_from(UTF8), min_size=1, max_size=30).map(" ".join)
reports = st.lists(st.one_of(sentences, st.text(max_size=200)), min_size=1, max_size=8).map("\n".join)


@settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(text=reports, published=st.sampled_from([*hostile.DATES, None]),
       outlet=st.sampled_from(["rferl", "RFE/RL", "Daily Nowhere", "' OR 1=1 //", None]))
def test_the_extractor_reads_any_text_or_refuses_it_with_a_named_error(
        extractor: Extractor, text: str, published: str | None, outlet: str | None) -> None:
    report = ReportInput(text=text, published=published, outlet_id=outlet, title="fuzz")
    try:
        extraction = extractor.run(report)
    except KgError as refused:
        assert refused.message
        return
    assert isinstance(extraction, Extraction)
