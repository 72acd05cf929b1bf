// Counts of what the graph holds (published records only), as [key, count] pairs.
OPTIONAL MATCH (meta:GraphMeta {id: 'graph'})
WITH coalesce(meta.published, []) AS published
CALL (published) {
  MATCH (n:Entity) WHERE n.load IS NULL OR n.load IN published
  WITH n.kind AS kind, count(*) AS n
  RETURN sum(n) AS entities, collect([kind, n]) AS entities_by_kind
}
CALL (published) { MATCH (n:Source) WHERE n.load IS NULL OR n.load IN published RETURN count(n) AS sources }
CALL (published) { MATCH (n:Incident) WHERE n.load IS NULL OR n.load IN published RETURN count(n) AS incidents }
CALL (published) {
  MATCH (:Source)-[r:REPORTS]->() WHERE r.load IS NULL OR r.load IN published
  WITH r.type AS type, count(*) AS n RETURN collect([type, n]) AS claims_by_type
}
CALL (published) {
  MATCH (:Source)-[r:REPORTS]->() WHERE r.load IS NULL OR r.load IN published
  WITH r.status AS status, count(*) AS n RETURN collect([status, n]) AS claims_by_status
}
CALL (published) {
  MATCH (:Source)-[r:REPORTS]->() WHERE r.denies IS NOT NULL AND (r.load IS NULL OR r.load IN published)
  RETURN count(DISTINCT r.denies) AS disputed_claims
}
RETURN entities, sources, incidents, entities_by_kind, claims_by_type, claims_by_status, disputed_claims
