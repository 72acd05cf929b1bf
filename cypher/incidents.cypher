// One page of the incidents matching the filters (each null for "any"), newest first (by the first day the date may
// mean), undated last, ties by id. `places` matches the place keys (the place's entity id, its gazetteer key, the
// province's ISO code); `perpetrator` an entity named on any basis but a denial; `since`/`until` are the first and
// last day of the window (ISO), which an incident's days must overlap; `bbox` is {west, south, east, north} in
// degrees (west > east: across the antimeridian).
// :param types => null
// :param country => "afghanistan"
// :param places => null
// :param perpetrator => "isk"
// :param source => null
// :param since => "2021-01-01"
// :param until => null
// :param bbox => {west: 60.0, south: 29.0, east: 75.0, north: 39.0}
// :param offset => 0
// :param limit => 50
OPTIONAL MATCH (meta:GraphMeta {id: 'graph'})
WITH coalesce(meta.published, []) AS published
MATCH (i:Incident)
WHERE (i.load IS NULL OR i.load IN published)
  AND ($types IS NULL OR i.type IN $types)
  AND ($country IS NULL OR i.country = $country)
  AND ($places IS NULL OR any(key IN i.places WHERE key IN $places))
  AND ($perpetrator IS NULL OR $perpetrator IN i.perpetrators)
  AND ($source IS NULL OR $source IN i.sources)
  AND ($since IS NULL AND $until IS NULL OR i.happened_from IS NOT NULL)
  AND ($since IS NULL OR i.happened_to >= $since)
  AND ($until IS NULL OR i.happened_from <= $until)
  AND ($bbox IS NULL OR i.lat >= $bbox.south AND i.lat <= $bbox.north
       AND CASE WHEN $bbox.west <= $bbox.east THEN i.lon >= $bbox.west AND i.lon <= $bbox.east
                ELSE i.lon >= $bbox.west OR i.lon <= $bbox.east END)
RETURN i.body AS body
ORDER BY coalesce(i.happened_from, '') DESC, i.id
SKIP $offset
LIMIT $limit
