// Counts of what the graph holds, as [key, count] pairs.
CALL () { MATCH (n:Entity) RETURN count(n) AS entities }
CALL () { MATCH (n:Source) RETURN count(n) AS sources }
CALL () { MATCH (n:Entity) WITH n.kind AS kind, count(*) AS n RETURN collect([kind, n]) AS entities_by_kind }
CALL () { MATCH (:Source)-[r:REPORTS]->() WITH r.type AS type, count(*) AS n RETURN collect([type, n]) AS claims_by_type }
CALL () {
  MATCH (:Source)-[r:REPORTS]->() WITH r.status AS status, count(*) AS n RETURN collect([status, n]) AS claims_by_status
}
CALL () { MATCH (:Source)-[r:REPORTS]->() WHERE r.denies IS NOT NULL RETURN count(DISTINCT r.denies) AS disputed_claims }
RETURN entities, sources, entities_by_kind, claims_by_type, claims_by_status, disputed_claims
