// One page of the claims with this entity at either end that join the ends asked for and match
// every filter, and how many match: the count and the page are two subqueries over the same match,
// so one round trip answers both and only the page's claims are sent (a hub's 50,000 claims are
// counted in the server). SKIP and LIMIT are parameters. `subject`/`object` are the ends asked for
// (null: any); a symmetric type matches with its ends swapped. `undisputed` keeps only claims no
// published denial disputes.
// :param anchor => "isk"
// :param subject => "isk"
// :param object => null
// :param symmetric => ["ALLIED_WITH", "BORDERS"]
// :param types => null
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
  MATCH (:Entity {id: $anchor})-[c]-(:Entity)
  WHERE c.id IS NOT NULL
    AND (c.load IS NULL OR c.load IN published)
    AND ($types IS NULL OR type(c) IN $types)
    AND ($statuses IS NULL OR c.status IN $statuses)
    AND ($source IS NULL OR c.source = $source)
    AND ($location IS NULL OR c.location = $location)
    AND ($asserted_by IS NULL OR c.asserted_by = $asserted_by)
    AND c.confidence >= $min_confidence
    AND ($since IS NULL AND $until IS NULL OR c.happened_from IS NOT NULL OR c.happened_to IS NOT NULL)
    AND ($since IS NULL OR c.happened_to IS NULL OR c.happened_to >= $since)
    AND ($until IS NULL OR c.happened_from IS NULL OR c.happened_from <= $until)
  WITH DISTINCT c
  WHERE (($subject IS NULL OR startNode(c).id = $subject) AND ($object IS NULL OR endNode(c).id = $object)
         OR type(c) IN $symmetric
            AND ($subject IS NULL OR endNode(c).id = $subject) AND ($object IS NULL OR startNode(c).id = $object))
    AND ($undisputed = false OR NOT EXISTS {
      MATCH (:Source)-[d:REPORTS {denies: c.id}]->() WHERE d.load IS NULL OR d.load IN published })
  RETURN count(c) AS total
}
CALL (published) {
  MATCH (:Entity {id: $anchor})-[c]-(:Entity)
  WHERE c.id IS NOT NULL
    AND (c.load IS NULL OR c.load IN published)
    AND ($types IS NULL OR type(c) IN $types)
    AND ($statuses IS NULL OR c.status IN $statuses)
    AND ($source IS NULL OR c.source = $source)
    AND ($location IS NULL OR c.location = $location)
    AND ($asserted_by IS NULL OR c.asserted_by = $asserted_by)
    AND c.confidence >= $min_confidence
    AND ($since IS NULL AND $until IS NULL OR c.happened_from IS NOT NULL OR c.happened_to IS NOT NULL)
    AND ($since IS NULL OR c.happened_to IS NULL OR c.happened_to >= $since)
    AND ($until IS NULL OR c.happened_from IS NULL OR c.happened_from <= $until)
  WITH DISTINCT c
  WHERE (($subject IS NULL OR startNode(c).id = $subject) AND ($object IS NULL OR endNode(c).id = $object)
         OR type(c) IN $symmetric
            AND ($subject IS NULL OR endNode(c).id = $subject) AND ($object IS NULL OR startNode(c).id = $object))
    AND ($undisputed = false OR NOT EXISTS {
      MATCH (:Source)-[d:REPORTS {denies: c.id}]->() WHERE d.load IS NULL OR d.load IN published })
  WITH c ORDER BY c.id SKIP $offset LIMIT $limit
  RETURN collect({subject: startNode(c).id, type: type(c), object: endNode(c).id, claim: properties(c),
                  denied_by: COLLECT { MATCH (:Source)-[d:REPORTS {denies: c.id}]->()
                                       WHERE d.load IS NULL OR d.load IN published RETURN d.claim }}) AS page
}
RETURN total, page
