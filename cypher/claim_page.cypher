// One page of the claims matching every filter, with no entity to start from, and how many match:
// the count and the page are two subqueries over the same match (from the REPORTS entries, indexed
// by type and status, then each claim by its element id), so one round trip answers both and only
// the page's claims are sent. SKIP and LIMIT are parameters. A null parameter means "any";
// `undisputed` keeps only claims no published denial disputes.
// :param types => ["SEEKS_TO_PROVOKE"]
// :param statuses => null
// :param source => null
// :param location => null
// :param asserted_by => null
// :param min_confidence => 0.0
// :param since => null
// :param until => null
// :param undisputed => false
// :param offset => 0
// :param limit => 50
OPTIONAL MATCH (meta:GraphMeta {id: 'graph'})
WITH coalesce(meta.published, []) AS published
CALL (published) {
  MATCH (:Source)-[r:REPORTS]->()
  WHERE ($types IS NULL OR r.type IN $types)
    AND ($statuses IS NULL OR r.status IN $statuses)
    AND (r.load IS NULL OR r.load IN published)
    AND ($undisputed = false OR NOT EXISTS {
      MATCH (:Source)-[d:REPORTS {denies: r.claim}]->() WHERE d.load IS NULL OR d.load IN published })
  CALL (r) {
    MATCH (:Entity)-[c]->(:Entity)
    WHERE elementId(c) = r.rel AND c.id = r.claim
    RETURN c
  }
  WITH c
  WHERE ($source IS NULL OR c.source = $source)
    AND ($location IS NULL OR c.location = $location)
    AND ($asserted_by IS NULL OR c.asserted_by = $asserted_by)
    AND c.confidence >= $min_confidence
    AND ($since IS NULL AND $until IS NULL OR c.happened_from IS NOT NULL OR c.happened_to IS NOT NULL)
    AND ($since IS NULL OR c.happened_to IS NULL OR c.happened_to >= $since)
    AND ($until IS NULL OR c.happened_from IS NULL OR c.happened_from <= $until)
  RETURN count(c) AS total
}
CALL (published) {
  MATCH (:Source)-[r:REPORTS]->()
  WHERE ($types IS NULL OR r.type IN $types)
    AND ($statuses IS NULL OR r.status IN $statuses)
    AND (r.load IS NULL OR r.load IN published)
    AND ($undisputed = false OR NOT EXISTS {
      MATCH (:Source)-[d:REPORTS {denies: r.claim}]->() WHERE d.load IS NULL OR d.load IN published })
  CALL (r) {
    MATCH (s:Entity)-[c]->(o:Entity)
    WHERE elementId(c) = r.rel AND c.id = r.claim
    RETURN s, c, o
  }
  WITH s, c, o
  WHERE ($source IS NULL OR c.source = $source)
    AND ($location IS NULL OR c.location = $location)
    AND ($asserted_by IS NULL OR c.asserted_by = $asserted_by)
    AND c.confidence >= $min_confidence
    AND ($since IS NULL AND $until IS NULL OR c.happened_from IS NOT NULL OR c.happened_to IS NOT NULL)
    AND ($since IS NULL OR c.happened_to IS NULL OR c.happened_to >= $since)
    AND ($until IS NULL OR c.happened_from IS NULL OR c.happened_from <= $until)
  WITH s, c, o ORDER BY c.id SKIP $offset LIMIT $limit
  RETURN collect({subject: s.id, type: type(c), object: o.id, claim: properties(c),
                  denied_by: COLLECT { MATCH (:Source)-[d:REPORTS {denies: c.id}]->()
                                       WHERE d.load IS NULL OR d.load IN published RETURN d.claim }}) AS page
}
RETURN total, page
