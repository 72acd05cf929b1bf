"""Relative dates, report input (text, front matter, HTML), sentences, captions and furniture."""

from pathlib import Path

import pytest

from graph.domain.dates import PartialDate
from graph.domain.errors import ExtractionInputError
from graph.language.extract.dates import resolve_dates, resolve_later
from graph.language.extract.lexicon import load_lexicon
from graph.language.extract.sentences import paragraphs
from graph.language.extract.text import from_text, read_report
from tests.extract.conftest import Run


@pytest.mark.parametrize(("text", "published", "expected"), [
    ("rockets were fired on May 7", "2022-05-20", "2022-05-07"),
    ("an attack in October", "2022-05", "2021-10"),
    ("an attack in March", "2022-05", "2022-03"),
    ("it retaliated last month", "2022-05", "2022-04"),
    ("it retaliated last month", "2022-01-10", "2021-12"),
    ("the February 2020 agreement", "2022-05", "2020-02"),
    ("on 22 March 2024 gunmen", "2024-04", "2024-03-22"),
    ("the regime fell in late 2001", "2022-05", "2001"),
    ("jets struck on Saturday", "2022-04-17", "2022-04-16"),
    ("gunmen attacked on Friday", "2024-03-22", "2024-03-22"),
])
def test_dates_are_read_against_the_publication_date(text: str, published: str, expected: str) -> None:
    found = resolve_dates(text, PartialDate.parse(published))
    assert [str(d) for _, _, d in found] == [expected]


def test_a_day_without_a_year_needs_a_publication_date() -> None:
    assert resolve_dates("on May 7", None) == []
    assert resolve_dates("on Monday", PartialDate.parse("2022-04")) == []
    assert resolve_dates("they may attack", PartialDate.parse("2022-05")) == []


def test_captions_and_furniture_are_skipped() -> None:
    caption = "Taliban fighters attack a Pakistani border post in this photo."
    text = f"Menu\n\nA Headline About Strikes\n\n{caption}\n{caption}\n\nThe TTP attacked Pakistan."
    kinds = [(p.text, p.kind) for p in paragraphs(text, load_lexicon())]
    assert kinds == [("Menu", "furniture"), ("A Headline About Strikes", "headline"), (caption, "caption"),
                     (caption, "caption"), ("The TTP attacked Pakistan.", "body")]


def test_a_caption_yields_no_claim(run: Run) -> None:
    caption = "Taliban fighters attacked a Pakistani border post, officials say."
    result = run(f"{caption}\n\n{caption}\n\nThe TTP attacked Pakistan.")
    assert {(c.subject, c.object) for c in result.claims} == {("ttp", "pakistan")}
    assert result.sentences == 1


def test_front_matter_gives_metadata_and_the_id_hashes_the_text() -> None:
    report = from_text("---\ntitle: Strikes\noutlet: RFE/RL\npublished: 2022-04-16\n---\nThe TTP attacked Pakistan.\n")
    assert (report.title, report.outlet, report.published) == ("Strikes", "RFE/RL", "2022-04-16")
    assert report.text == "The TTP attacked Pakistan.\n"
    assert report.report_id == from_text("The TTP attacked Pakistan.\n").report_id
    assert report.report_id != from_text("The TTP attacked Iran.\n").report_id


def test_bad_input_is_named(tmp_path: Path) -> None:
    with pytest.raises(ExtractionInputError, match="no such file"):
        read_report(str(tmp_path / "missing.txt"))
    with pytest.raises(ExtractionInputError, match="unknown field"):
        from_text("---\nauthor: me\n---\ntext\n")
    with pytest.raises(ExtractionInputError, match="published='2022-13'"):
        _ = from_text("text").with_metadata(published="2022-13").published_date


def test_an_html_page_gives_its_article_body(tmp_path: Path) -> None:
    body = " ".join(["The TTP attacked Pakistani security forces in North Waziristan on Sunday."] * 3)
    page = (f"<html><head><title>TTP attack</title></head><body><nav>Home | World | Menu</nav>"
            f"<article><h1>TTP attack</h1><p>{body}</p><p>{body}</p></article>"
            "<footer>Copyright notice</footer></body></html>")
    path = tmp_path / "page.html"
    path.write_text(page, encoding="utf-8")
    report = read_report(str(path))
    assert "The TTP attacked Pakistani security forces" in report.text
    assert "Copyright" not in report.text


def test_a_url_is_fetched_and_its_article_read(tmp_path: Path) -> None:
    import http.server  # noqa: PLC0415
    import threading  # noqa: PLC0415
    from functools import partial  # noqa: PLC0415

    body = " ".join(["Tajik border guards denied that IS-K rockets had struck Tajikistan on Saturday."] * 3)
    (tmp_path / "a.html").write_text(f"<html><head><title>Denial</title></head><body><article><p>{body}</p>"
                                     f"<p>{body}</p></article></body></html>", encoding="utf-8")
    handler = partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    handler.log_message = lambda *args: None  # type: ignore[attr-defined]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/a.html"
        report = read_report(url)
    finally:
        server.shutdown()
        server.server_close()
    assert report.url == url and "Tajik border guards denied" in report.text


@pytest.mark.parametrize(("text", "published", "expected"), [
    ("two days ago", "2022-05-20", "2022-05-18"),
    ("three weeks ago", "2022-05-20", "2022-04"),
    ("a year ago", "2022-05-20", "2021"),
])
def test_ago_counts_back_from_the_publication_date(text: str, published: str, expected: str) -> None:
    assert [str(d) for _, _, d in resolve_dates(text, PartialDate.parse(published))] == [expected]


@pytest.mark.parametrize(("text", "anchor", "expected"), [
    ("a day later, the group claimed it", "2022-09-05", "2022-09-06"),
    ("Days later, Islamabad accused Kabul", "2023-01-30", "2023-02"),
    ("Two weeks after the attack, Iran struck", "2022-12-25", "2023-01"),
    ("Weeks later, officials said", "2024-03-26", "2024-04"),
])
def test_later_counts_from_the_date_told_before(text: str, anchor: str, expected: str) -> None:
    assert str(resolve_later(text, PartialDate.parse(anchor))) == expected


@pytest.mark.parametrize(("text", "published", "expected"), [
    ("militants stormed a police post on Tuesday night", "2023-03-16", "2023-03-14"),
    ("Tuesday's attack on the post", "2023-03-16", "2023-03-14"),
    ("a blast during Friday prayers", "2022-03-05", "2022-03-04"),
    ("overnight Monday, gunmen", "2023-03-16", "2023-03-13"),
    ("an ambush near Saravan in October of that year", "2017-05-09", None),
])
def test_weekdays_as_reports_tell_an_attack(text: str, published: str, expected: str | None) -> None:
    found = resolve_dates(text, PartialDate.parse(published))
    assert [str(d) for _, _, d in found] == ([expected] if expected else [])


@pytest.mark.parametrize(("text", "anchor", "expected"), [
    ("A day earlier, gunmen had killed two soldiers", "2023-05-01", "2023-04-30"),
    ("Two days earlier, a bomb went off", "2023-05-01", "2023-04-29"),
    ("a bombing the previous day", "2023-05-01", "2023-04-30"),
    ("the attack the day before.", "2023-05-01", "2023-04-30"),
    ("The following day, Pakistan struck back", "2023-05-01", "2023-05-02"),
    ("Weeks earlier, the group had threatened", "2023-05-01", "2023-04"),
])
def test_earlier_counts_back_from_the_date_told_before(text: str, anchor: str, expected: str) -> None:
    assert str(resolve_later(text, PartialDate.parse(anchor))) == expected


def test_later_without_an_anchor_or_phrase_is_no_date() -> None:
    assert resolve_later("Days later, Islamabad accused Kabul", None) is None
    assert resolve_later("Islamabad accused Kabul", PartialDate.parse("2023-01-30")) is None
    # mid-sentence "days after" points back in time, away from the last date told
    assert resolve_later("The attack came days after IS-K fired on it", PartialDate.parse("2022-12-12")) is None
    # "the day before the election" names another day than the one told before
    assert resolve_later("the day before the election", PartialDate.parse("2022-12-12")) is None
