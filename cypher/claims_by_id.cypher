// The claims with these ids: the REPORTS entry by its unique index, then the claim by the element
// id the entry keeps (in a subquery, so the planner seeks it rather than scanning). The id check
// guards against an element id reused after a delete.
// :param ids => ["isk-attacked-tajikistan-2022-05-07"]
OPTIONAL MATCH (meta:GraphMeta {id: 'graph'})
WITH coalesce(meta.published, []) AS published
UNWIND $ids AS id
MATCH (:Source)-[r:REPORTS {claim: id}]->()
WHERE r.load IS NULL OR r.load IN published
CALL (r, id) {
  MATCH (s:Entity)-[c]->(o:Entity)
  WHERE elementId(c) = r.rel AND c.id = id
  RETURN s.id AS subject, type(c) AS type, o.id AS object, properties(c) AS claim
}
RETURN subject, type, object, claim
