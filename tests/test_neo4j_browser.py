"""Neo4j Browser, served by the test server, in a real headless Chromium: connect, apply the
project's style, run the first guide query and see Pakistan among those IS-K seeks to provoke."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, expect

from graph.domain.ontology import Ontology
from graph.stores.neo4j.cypher import CYPHER_DIR
from tests.conftest import ARTIFACTS, Neo4jTestDatabase


def run(page: Page, command: str, *, done: str | None = None) -> None:
    """Paste a command into Browser's editor, run it, and wait for its frame (and ``done`` text in it)."""
    frames = page.get_by_test_id("frame")
    before = frames.count()
    editor = page.get_by_test_id("activeEditor")
    # The editor draws only the lines in view, and after a paste that is the end: its first line is gone from the
    # page once the command is long (the style's 345 lines), so the check waited out every try, typing it three
    # times (46 s of the run, minutes on a loaded machine). Its last line with words in it is what shows.
    last_words = next(line.strip() for line in reversed(command.splitlines()) if any(c.isalnum() for c in line))[:12]
    # A busy machine can take the click before the editor takes input: type again until it holds the command.
    for _ in range(3):
        editor.click()
        page.keyboard.insert_text(command)
        try:
            expect(editor).to_contain_text(last_words, timeout=5_000)
            break
        except AssertionError:
            continue
    page.get_by_test_id("editor-Run").click()
    expect(frames).to_have_count(before + 1, timeout=30_000)
    if done is not None:
        frames.first.get_by_text(done).first.wait_for(timeout=30_000)


def test_browser_shows_who_isk_seeks_to_provoke(browser: Browser, neo4j_seeded: Neo4jTestDatabase,
                                                ontology: Ontology) -> None:
    status = neo4j_seeded.status
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    try:
        page.goto(f"{status.http_uri}/browser/", wait_until="networkidle")
        page.get_by_test_id("boltaddress").fill(status.bolt_uri.removeprefix("bolt://"))
        page.get_by_test_id("username").fill(status.user)
        page.get_by_test_id("password").fill(status.password)
        page.get_by_test_id("connect").click()
        page.wait_for_selector("text=You are connected", timeout=30_000)

        # The style goes on the line after ":style": a rule glued to the command is misread by Browser 5.24.
        run(page, ":style\n" + (CYPHER_DIR / "style.grass").read_text(encoding="utf-8"), done="node.ArmedGroup")
        guide = (CYPHER_DIR / "guide" / "1-who-isk-seeks-to-provoke.cypher").read_text(encoding="utf-8")
        parameters = re.findall(r"^// (:param .+)$", guide, re.MULTILINE)
        assert parameters
        for parameter in parameters:
            run(page, parameter, done="Successfully set your parameters")
        body = " ".join(line.strip() for line in guide.splitlines() if not line.startswith("//"))
        run(page, body)

        result = page.get_by_test_id("frame").filter(has_text="MATCH p = (group:Entity").first
        result.get_by_text("Pakistan", exact=True).first.wait_for(timeout=30_000)
        texts = [t.strip() for t in result.locator("svg text").all_text_contents()]
        assert "Pakistan" in texts and "Iran" in texts and "IS-K" in texts
        fills = {fill.upper() for fill in result.locator("svg circle").evaluate_all(
            "circles => circles.map(c => c.getAttribute('fill') || '')")}
        assert {ontology.entity_kinds["armed_group"].colour, ontology.entity_kinds["state"].colour} <= fills, \
            "the project's style was applied"
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "neo4j-browser-who-isk-seeks-to-provoke.png"))

        result.get_by_text("Table", exact=True).first.click()
        table = result.get_by_test_id("frameContents").inner_text()
        assert "Pakistan" in table and "IS-K seeks to provoke Pakistan" in table
    finally:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "neo4j-browser-last-state.png"))
        page.close()
