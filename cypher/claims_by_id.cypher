// The claims with these ids, reached through their REPORTS entry (indexed by claim id).
// :param ids => ["isk-attacked-tajikistan-2022-05-07"]
UNWIND $ids AS id
MATCH (:Source)-[:REPORTS {claim: id}]->(s:Entity)-[c]->(o:Entity)
WHERE c.id = id
RETURN s.id AS subject, type(c) AS type, o.id AS object, properties(c) AS claim
ORDER BY c.id
