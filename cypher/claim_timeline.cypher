// The claims matching every filter, with no entity to start from, counted by when they happened and by type:
// the server groups them by (date cut to `width` characters, type), so no claim is sent. A date shorter than
// the cut was known more coarsely than the interval; a null cut is an undated claim. Width 4 counts years,
// 7 months, 10 days. A null parameter means "any"; `undisputed` keeps only claims no published denial disputes.
// :param types => null
// :param statuses => null
// :param source => null
// :param location => null
// :param asserted_by => null
// :param min_confidence => 0.0
// :param since => null
// :param until => null
// :param undisputed => false
// :param width => 7
OPTIONAL MATCH (meta:GraphMeta {id: 'graph'})
WITH coalesce(meta.published, []) AS published
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
WITH CASE WHEN trim(coalesce(c.date, '')) = '' THEN null ELSE left(trim(c.date), $width) END AS cut,
     type(c) AS type
RETURN cut, type, count(*) AS count
