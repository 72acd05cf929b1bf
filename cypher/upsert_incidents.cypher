// Create or replace incidents by id: the node's properties (the columns filters read, and the whole incident as JSON
// in `body`), then its links, replaced whole: (:Incident)-[:REPORT {quote, span}]->(:Source) for each report,
// -[:PERPETRATOR {basis, asserted_by, role}]->, -[:TARGET]->, -[:PLACE]-> and -[:COUNTRY]-> to the entities it
// names. The links point from the incident, so an entity's claims (its relationships with other entities) never
// count them. `load` marks an incident a load written in several transactions has not yet published.
// :param incidents => [{id: "kabul-blast", properties: {id: "kabul-blast", type: "bombing", body: "{}", fp: "0f3a"}, reports: [{source: "example", quote: "A blast.", span: [0, 8]}], perpetrators: [{id: "isk", basis: "claimed", asserted_by: "isk", role: "perpetrator"}], targets: ["hazara"], place: null, country: "afghanistan"}]
UNWIND $incidents AS incident
MERGE (i:Incident {id: incident.id})
SET i = incident.properties
WITH i, incident
CALL (i) {
  MATCH (i)-[old:REPORT|PERPETRATOR|TARGET|PLACE|COUNTRY]->()
  DELETE old
}
CALL (i, incident) {
  UNWIND incident.reports AS report
  MATCH (src:Source {id: report.source})
  CREATE (i)-[:REPORT {quote: report.quote, span: report.span}]->(src)
}
CALL (i, incident) {
  UNWIND incident.perpetrators AS perpetrator
  MATCH (e:Entity {id: perpetrator.id})
  CREATE (i)-[:PERPETRATOR {basis: perpetrator.basis, asserted_by: perpetrator.asserted_by,
                            role: perpetrator.role}]->(e)
}
CALL (i, incident) {
  UNWIND incident.targets AS target
  MATCH (e:Entity {id: target})
  CREATE (i)-[:TARGET]->(e)
}
CALL (i, incident) {
  UNWIND [x IN [incident.place] WHERE x IS NOT NULL] AS place
  MATCH (e:Entity {id: place})
  CREATE (i)-[:PLACE]->(e)
}
CALL (i, incident) {
  UNWIND [x IN [incident.country] WHERE x IS NOT NULL] AS country
  MATCH (e:Entity {id: country})
  CREATE (i)-[:COUNTRY]->(e)
}
RETURN count(i) AS written
