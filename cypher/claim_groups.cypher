// One page of the relations the claims matching every filter make, with no entity to start from: claims of one
// subject, type, object and incident (or, without an incident, the same dates) are one relation. Relations come
// in the order of their first claim id, each as its claim ids; only the page's ids are sent, with how many
// relations there are in all. A null parameter means "any".
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
WITH s.id AS subject, type(c) AS type, o.id AS object, c.id AS id,
     CASE WHEN coalesce(c.incident, '') <> '' THEN 'incident:' + c.incident
          ELSE 'dates:' + coalesce(c.date, '') + '|' + coalesce(c.end_date, '') END AS anchor
WITH subject, type, object, anchor, min(id) AS first, collect(id) AS ids
ORDER BY first
WITH collect(ids) AS groups
RETURN size(groups) AS total, groups[$offset..$offset + $limit] AS page
