"""/v1/incidents: the page in the envelope with the field names tools rely on, GeoJSON for maps, ACLED-like CSV,
and one incident with its reports and quotes; on each seeded store."""

from __future__ import annotations

import csv
import io

from fastapi.testclient import TestClient

from graph.services.incidents import ACLED_COLUMNS
from tests.conftest import SEED_REPORT


def ids(response: object) -> list[str]:
    return [i["id"] for i in response.json()["data"]]  # type: ignore[attr-defined]


def test_the_page_gives_each_incident_the_fields_tools_rely_on(client: TestClient) -> None:
    response = client.get("/v1/incidents", params={"place": "Kunduz"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["count"] == 1 and (body["limit"], body["offset"]) == (50, 0)
    kunduz = body["data"][0]
    assert {"id", "type", "date", "place", "country", "location", "perpetrators", "targets", "killed", "injured",
            "reports"} <= set(kunduz)
    assert kunduz["place"] == {"id": "kunduz", "name": "Kunduz", "gazetteer": "geonames:1135689", "precision": "city"}
    assert kunduz["country"] == {"id": "afghanistan", "name": "Afghanistan"}
    assert kunduz["location"]["lat"] == 36.72895 and kunduz["date_precision"] == "month"
    assert [(p["id"], p["basis"], p["name"]) for p in kunduz["perpetrators"]] == [
        ("isk", "reported", "IS-K"), ("mohammad-al-uyghuri", "reported", "Mohammad al-Uyghuri")]
    assert kunduz["killed"] == {"min": 51, "max": None, "text": "more than 50 people"}
    assert [r["source"] for r in kunduz["reports"]] == [SEED_REPORT, SEED_REPORT]
    assert kunduz["reports"][1]["quote"] == "The attack was carried out by Mohammad al-Uyghuri, an IS-K fighter."
    assert kunduz["reports"][0]["report"]["outlet"] == "RFE/RL (Gandhara)"


def test_filters_read_names_and_gazetteer_places(client: TestClient) -> None:
    assert ids(client.get("/v1/incidents", params={"place": "Kondoz province"})) == ["kunduz-mosque-2021-10"]
    assert ids(client.get("/v1/incidents", params={"place": "Nangarhar"})) == []  # a province no entity names
    # A state, or a metonym of one, filters by country.
    assert ids(client.get("/v1/incidents", params={"place": "Islamabad"})) == ["peshawar-mosque-2022-03"]
    assert ids(client.get("/v1/incidents", params={"country": "Uzbekistan"})) == ["termez-attack-2022-04-18"]
    assert ids(client.get("/v1/incidents", params={"perpetrator": "ISKP", "type": "bombing"})) == [
        "kandahar-mosque-2021-10"]  # bombing takes in suicide bombings
    assert ids(client.get("/v1/incidents", params={"bbox": "55,30,70,40", "since": "2022-04", "until": "2022-04"})) == [
        "termez-attack-2022-04-18", "mashhad-shrine-stabbing-2022-04", "pakistan-air-strikes-2022-04"]
    assert ids(client.get("/v1/incidents", params={"id": "september-11-2001,kunduz-mosque-2021-10,nope"})) == [
        "kunduz-mosque-2021-10", "september-11-2001"]
    assert client.get("/v1/incidents", params={"limit": 2, "offset": 1}).json()["count"] == 8


def test_bad_filters_are_refused_naming_the_parameter(client: TestClient) -> None:
    for params, parameter in ([{"bbox": "1,2,3"}, "bbox"], [{"bbox": "10,50,20,40"}, "bbox"],
                              [{"type": "riot"}, "type"], [{"since": "2022-13"}, "since"],
                              [{"country": "IS-K"}, "country"]):
        response = client.get("/v1/incidents", params=params)
        assert response.status_code == 422, (params, response.text)
        assert response.json()["details"]["parameter"] == parameter
    assert client.get("/v1/incidents", params={"perpetrator": "Nobody at all"}).status_code == 404
    unknown = client.get("/v1/incidents", params={"place": "Nowhere-on-the-Oxus"})
    assert unknown.status_code == 404
    assert unknown.json()["message"].startswith("no entity matches 'Nowhere-on-the-Oxus'")
    assert client.get("/v1/incidents", params={"id": "Bad Id"}).json()["details"]["parameter"] == "id"
    assert client.get("/v1/incidents", params={"source": "no-such-report"}).status_code == 404


def test_geojson_is_a_feature_collection_of_points(client: TestClient) -> None:
    for response in (client.get("/v1/incidents.geojson", params={"country": "Afghanistan"}),
                     client.get("/v1/incidents", params={"country": "Afghanistan", "format": "geojson"})):
        assert response.status_code == 200 and response.headers["content-type"] == "application/geo+json"
        document = response.json()
        assert document["type"] == "FeatureCollection" and document["count"] == 3 and document["unlocated"] == []
        kandahar = next(f for f in document["features"] if f["id"] == "kandahar-mosque-2021-10")
        assert kandahar["geometry"] == {"type": "Point", "coordinates": [65.71013, 31.61332]}
        assert kandahar["properties"]["perpetrators"] == ["IS-K", "Abu Ali Balochi"]
        assert (kandahar["properties"]["fatalities"], kandahar["properties"]["type"]) == (61, "suicide_bombing")


def test_csv_has_acled_columns(client: TestClient) -> None:
    response = client.get("/v1/incidents", params={"format": "csv", "perpetrator": "isk"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert tuple(rows[0]) == ACLED_COLUMNS
    assert [r["event_id"] for r in rows] == ["tajikistan-rockets-2022-05-07", "termez-attack-2022-04-18",
                                             "peshawar-mosque-2022-03", "kandahar-mosque-2021-10",
                                             "kunduz-mosque-2021-10"]
    termez = rows[1]
    assert (termez["event_type"], termez["sub_event_type"]) == ("Explosions/Remote violence",
                                                                "Shelling/artillery/missile attack")
    assert (termez["actor1"], termez["actor2"], termez["country"], termez["admin1"], termez["location"]) == (
        "IS-K", "Uzbekistan", "Uzbekistan", "Surkhandarya", "Termez")
    assert (termez["geo_precision"], termez["fatalities"], termez["source"]) == ("1", "0", "RFE/RL (Gandhara)")
    assert rows[3]["fatalities"] == "61" and rows[3]["assoc_actor_1"] == "Abu Ali Balochi"


def test_one_incident_with_its_reports_and_quotes(client: TestClient) -> None:
    response = client.get("/v1/incidents/termez-attack-2022-04-18")
    assert response.status_code == 200
    termez = response.json()
    assert [(p["name"], p["basis"], p["asserted_by_name"]) for p in termez["perpetrators"]] == [
        ("IS-K", "reported", "RFE/RL"), ("IS-K", "denied", "Uzbekistan"), ("IS-K", "denied", "Taliban")]
    assert termez["reports"][1]["quote"].startswith("Taliban officials have denied that Uzbekistan was attacked")
    assert termez["corroboration"] == 1 and termez["admin1_code"] == "UZ-SU"
    missing = client.get("/v1/incidents/no-such-incident")
    assert missing.status_code == 404 and missing.json()["error"] == "incident_not_found"


def test_the_incident_lists_its_claims_and_claims_filter_by_incident(client: TestClient) -> None:
    termez = client.get("/v1/incidents/termez-attack-2022-04-18").json()
    claims = {c["id"]: c for c in termez["claims"]}
    assert set(claims) == {"isk-attacked-uzbekistan-2022-04-18", "isk-operates-in-balkh-2022-04-18",
                           "taliban-denied-termez-attack", "uzbekistan-denied-termez-attack"}
    denial = claims["uzbekistan-denied-termez-attack"]
    assert (denial["type"], denial["subject_name"], denial["status"]) == ("DENIED", "Uzbekistan", "denied")
    assert denial["denies"] == "isk-attacked-uzbekistan-2022-04-18"
    assert denial["report"]["outlet"] == "RFE/RL (Gandhara)"
    assert claims["isk-attacked-uzbekistan-2022-04-18"]["disputed_by"] == [
        "taliban-denied-termez-attack", "uzbekistan-denied-termez-attack"]
    listed = client.get("/v1/claims", params={"incident": "termez-attack-2022-04-18", "type": "DENIED"}).json()
    assert listed["count"] == 2 and [c["subject"] for c in listed["data"]] == ["taliban", "uzbekistan"]
    assert {c["incident"] for c in listed["data"]} == {"termez-attack-2022-04-18"}
    kunduz = client.get("/v1/claims", params={"incident": "kunduz-mosque-2021-10", "limit": 2}).json()
    assert kunduz["count"] == 3 and [c["id"] for c in kunduz["data"]] == [
        "al-uyghuri-attacked-shia-kunduz", "china-strained-afghanistan-kunduz"]
    missing = client.get("/v1/claims", params={"incident": "no-such-incident"})
    assert missing.status_code == 404 and missing.json()["error"] == "incident_not_found"


def test_a_place_filter_reads_a_name_standing_for_a_government_as_the_town(client: TestClient) -> None:
    # "Kabul" names the Taliban (and before them the republic): as a place it is the city, which no seed incident is in
    kabul = client.get("/v1/incidents", params={"place": "Kabul"})
    assert kabul.status_code == 200 and kabul.json()["count"] == 0
    assert ids(client.get("/v1/incidents", params={"place": "geonames:1135689"})) == ["kunduz-mosque-2021-10"]
    group = client.get("/v1/incidents", params={"place": "IS-K"})
    assert group.status_code == 422 and "IS-K is an entity of kind armed_group, not a place" in group.text


def test_the_timeline_counts_incidents_per_month_with_the_page_filters(client: TestClient) -> None:
    """The explorer's incident chart: counts the store makes, agreeing with the pages of /v1/incidents."""
    every = client.get("/v1/incidents", params={"limit": 50}).json()["data"]
    body = client.get("/v1/incidents/timeline").json()
    assert body["interval"] == "month"
    months: dict[str, int] = {}
    for incident in every:
        if incident["date"] and len(incident["date"]) >= 7:
            months[incident["date"][:7]] = months.get(incident["date"][:7], 0) + 1
    assert {b["period"]: b["count"] for b in body["buckets"]} == months
    assert [b["period"] for b in body["buckets"]] == sorted(months)
    assert body["imprecise"] + body["undated"] + sum(months.values()) == len(every)
    october = next(b for b in body["buckets"] if b["period"] == "2021-10")
    assert october["by_type"] == {"other_attack": 1, "suicide_bombing": 1}
    by_isk = client.get("/v1/incidents/timeline", params={"perpetrator": "ISKP", "interval": "year"}).json()
    isk_count = client.get("/v1/incidents", params={"perpetrator": "ISKP"}).json()["count"]
    assert sum(b["count"] for b in by_isk["buckets"]) + by_isk["imprecise"] + by_isk["undated"] == isk_count
    # Some incidents by id (the explorer's share of a bar): counted alike, and the filters still apply.
    chosen = "kunduz-mosque-2021-10,kandahar-mosque-2021-10,termez-attack-2022-04-18"
    some = client.get("/v1/incidents/timeline", params={"id": chosen}).json()
    assert {b["period"]: b["count"] for b in some["buckets"]} == {"2021-10": 2, "2022-04": 1}
    filtered = client.get("/v1/incidents/timeline", params={"id": chosen, "type": "suicide_bombing"}).json()
    assert sum(b["count"] for b in filtered["buckets"]) == 1
    assert client.get("/v1/incidents/timeline", params={"id": "Not An Id"}).status_code == 422
    refused = client.get("/v1/incidents/timeline", params={"interval": "week"})
    assert refused.status_code == 422 and "interval" in refused.text
    unknown = client.get("/v1/incidents/timeline", params={"type": "picnic"})
    assert unknown.status_code == 422 and "picnic" in unknown.text
