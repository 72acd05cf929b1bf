// Write claims: each a relationship of its ontology type (checked against the ontology
// before it is sent; Neo4j 5.26 takes it as a dynamic type), plus its REPORTS entry, which
// keeps the relationship's element id (`rel`) so the claim is found by id in two seeks.
// `load` (null, or a load not yet published) goes on both.
// `fp`, the claim's fingerprint (a hash of its content), lets a later load see it unchanged without reading it.
// :param claims => [{subject: "isk", type: "ATTACKED", object: "pakistan", source: "example", load: null, fp: "0f3a", properties: {id: "c1", source: "example", quote: "…", span: [0, 1], status: "reported", asserted_by: "rferl", confidence: 1.0, extracted_by: "curated"}}]
UNWIND $claims AS claim
MATCH (s:Entity {id: claim.subject})
MATCH (o:Entity {id: claim.object})
MATCH (src:Source {id: claim.source})
CREATE (s)-[c:$(claim.type)]->(o)
SET c = claim.properties
CREATE (src)-[:REPORTS {claim: claim.properties.id, type: claim.type, status: claim.properties.status,
                        date: claim.properties.date, end_date: claim.properties.end_date,
                        denies: claim.properties.denies, incident: claim.properties.incident,
                        rel: elementId(c), load: claim.load,
                        fp: claim.fp}]->(s)
RETURN count(c) AS written
