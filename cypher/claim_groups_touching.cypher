// One page of the relations (see claim_groups.cypher) the claims with this entity at either end make, when
// they join the ends asked for and match every filter. A symmetric type matches with its ends swapped.
// :param anchor => "isk"
// :param subject => "isk"
// :param object => null
// :param actor => null
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
WITH DISTINCT published, c
WHERE (($subject IS NULL OR startNode(c).id = $subject) AND ($object IS NULL OR endNode(c).id = $object)
       OR type(c) IN $symmetric
          AND ($subject IS NULL OR endNode(c).id = $subject) AND ($object IS NULL OR startNode(c).id = $object))
  AND ($actor IS NULL OR startNode(c).id = $actor OR endNode(c).id = $actor)
  AND ($undisputed = false OR NOT EXISTS {
    MATCH (:Source)-[d:REPORTS {denies: c.id}]->() WHERE d.load IS NULL OR d.load IN published })
WITH startNode(c) AS s, c, endNode(c) AS o
WITH s.id AS subject, type(c) AS type, o.id AS object, c.id AS id,
     CASE WHEN coalesce(c.incident, '') <> '' THEN 'incident:' + c.incident
          ELSE 'dates:' + coalesce(c.date, '') + '|' + coalesce(c.end_date, '') END AS anchor
WITH subject, type, object, anchor, min(id) AS first, collect(id) AS ids
ORDER BY first
WITH collect(ids) AS groups
RETURN size(groups) AS total, groups[$offset..$offset + $limit] AS page
