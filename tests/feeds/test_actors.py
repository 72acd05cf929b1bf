"""Items that name actors the registry lacks go as `kg ingest` takes them: their claims staged with the candidate
entities, never loaded, and the incidents they tell placed; a copy on another outlet stages its own."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from graph.domain.errors import EntityNotFound
from graph.domain.model import Entity
from graph.domain.ontology import Ontology
from graph.language.extract.pipeline import Extractor
from graph.language.extract.text import ReportInput
from graph.services.feeds import feed_items
from graph.services.ingest import ingest, ingest_many
from graph.services.loader import load, read_bundle
from graph.services.review import Staging
from graph.stores.protocol import ClaimQuery, GraphStore
from tests.conftest import SEEDS, make_store
from tests.feeds.conftest import World, feed_settings
from tests.feeds.site import RSS, Page, Site, article, rss

FRIDAY = "Fri, 10 May 2024 10:00:00 GMT"
STORY = ["IS-K claimed that it fired rockets at Tajikistan on May 7. JNIM fighters attacked Malian troops on May 9.",
         "Officials in both capitals said they were still gathering details of the incidents, and residents near "
         "the border described hearing explosions late in the evening before the roads were closed."]


@pytest.fixture(scope="module")
def home_seeds(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seeds without the regional registry, where the Sahel's groups are unknown (as in tests/extract)."""
    home = tmp_path_factory.mktemp("home") / "seeds"
    shutil.copytree(SEEDS, home, ignore=shutil.ignore_patterns("registry"))
    return home


@pytest.fixture(scope="module")
def home_extractor(ontology: Ontology, home_seeds: Path) -> Extractor:
    registry: list[Entity] = read_bundle(home_seeds, ontology).entities
    return Extractor(ontology, registry)


@pytest.fixture
def home_world(site: Site, ontology: Ontology, home_seeds: Path, home_extractor: Extractor, tmp_path: Path) -> World:
    store = make_store("memory", ontology, tmp_path)
    load(home_seeds, store, ontology)
    return World(site, store, ontology, home_extractor, feed_settings(tmp_path, seeds_dir=home_seeds))


def two_outlets(world: World) -> None:
    for key, outlet in (("dawn", "Dawn"), ("geo", "Geo News")):
        world.site.put(f"/{key}/story", Page(article("Rockets and an ambush", STORY, site=outlet, date="2024-05-10")))
        world.site.put(f"/{key}/rss", Page(rss(outlet, [("Rockets", world.site.url(f"/{key}/story"), FRIDAY)]), RSS))
        world.follow(f"/{key}/rss", outlet)


def test_claims_naming_new_actors_are_staged_with_them_for_the_leader_and_its_copy(
        home_world: World, tmp_path: Path) -> None:
    world = home_world
    two_outlets(world)
    staging = Staging(tmp_path / "staged.json")
    report = world.poll(staging=staging.path)

    assert (report.read, report.copies, report.failed) == (1, 1, [])
    sources = {i["url"].split("/")[3]: i["source"] for i in feed_items(world.state)}
    store: GraphStore = world.store
    for source in sources.values():  # what names known actors is loaded, in each outlet's report
        assert {(c.subject, c.type, c.object) for c in store.claims(ClaimQuery(source=source))} == {
            ("isk", "ATTACKED", "tajikistan")}
    staged = staging.claims()
    assert sorted((c["source"], c["subject"], c["type"], c["object"], c["waits_on"]) for c in staged) == sorted(
        (s, "jnim", "ATTACKED", "mali", ["jnim"]) for s in sources.values())
    assert sorted((e["id"], e["source"]) for e in staging.entities()) == sorted(("jnim", s) for s in sources.values())
    assert all(e["claims"] == [c["id"] for c in staged if c["source"] == e["source"]] for e in staging.entities())
    with pytest.raises(EntityNotFound):
        store.get_entity("jnim")
    assert (report.staged, report.held) == (2, 0)
    # only what reached the graph arrives (and may alert)
    assert report.arrived == 2
    # the rocket attack is one incident told by both outlets' reports
    claims = [c for s in sources.values() for c in store.claims(ClaimQuery(source=s))]
    told = {c.incident for c in claims}
    assert len(told) == 1 and None not in told
    [incident] = store.get_incidents(told).values()
    assert set(incident.sources) == set(sources.values())

    # polled again, nothing is staged twice
    again = world.poll(staging=staging.path)
    assert (again.read, again.copies, again.staged) == (0, 0, 0) and len(staging.claims()) == 2


def test_without_a_staging_file_they_are_held_back_and_counted(home_world: World) -> None:
    two_outlets(home_world)
    report = home_world.poll()
    assert (report.staged, report.held) == (0, 2)
    assert home_world.store.claims(ClaimQuery(subject="jnim")) == []


def test_a_denial_of_a_claim_that_waits_on_a_new_actor_waits_with_it(
        home_world: World, ontology: Ontology, tmp_path: Path) -> None:
    """Loaded alone, the denial would deny a claim the graph does not hold, and the loader would refuse the report
    (in a feed batch or an ingest_many, every report with it)."""
    text = "Mali accused Pakistan of arming JNIM fighters. Pakistan denied the charge in a statement on Monday.\n"
    report = ReportInput(text=text, title="Charges", outlet="RFE/RL", outlet_id="rferl", published="2024-05-20")
    staging = Staging(tmp_path / "staged.json")
    result = ingest(report, home_world.store, ontology, extractor=home_world.extractor, staging=staging.path)

    loaded = home_world.store.claims(ClaimQuery(source=result.source_id))
    assert {(c.subject, c.type, c.object) for c in loaded} == {("mali", "ACCUSED", "pakistan")}
    staged = {(c["subject"], c["type"], c["object"]): c for c in staging.claims()}
    assert set(staged) == {("pakistan", "SUPPORTS", "jnim"), ("pakistan", "DENIED", "mali")}
    denial = staged[("pakistan", "DENIED", "mali")]
    assert denial["denies"] == staged[("pakistan", "SUPPORTS", "jnim")]["id"] and denial["waits_on"] == ["jnim"]
    # in a batch with another report, neither is refused
    other = ReportInput(text=STORY[0] + "\n", title="Rockets", outlet="RFE/RL", outlet_id="rferl",
                        published="2024-05-20")
    many = ingest_many([report, other], home_world.store, ontology, extractor=home_world.extractor)
    assert [r.held for r in many.reports] == [2, 1]
