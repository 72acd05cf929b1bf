// The claims about one incident (its attack, the claims of responsibility, the blame, the denials): the REPORTS
// entries carry the claim's incident id, indexed, so this is one index seek and a claim by element id per entry.
// :param incident => "termez-attack-2022-04-18"
OPTIONAL MATCH (meta:GraphMeta {id: 'graph'})
WITH coalesce(meta.published, []) AS published
MATCH (:Source)-[r:REPORTS]->()
WHERE r.incident = $incident
  AND (r.load IS NULL OR r.load IN published)
CALL (r) {
  MATCH (s:Entity)-[c]->(o:Entity)
  WHERE elementId(c) = r.rel AND c.id = r.claim
  RETURN s, c, o
}
RETURN s.id AS subject, type(c) AS type, o.id AS object, properties(c) AS claim
