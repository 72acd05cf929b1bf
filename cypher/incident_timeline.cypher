// The incidents matching the filters (each null for "any"; see incidents.cypher for what each means) counted by
// their date as written, cut to `width` characters (7: the month of "2022-05-07"; a date known more coarsely stays
// shorter and is counted as imprecise; null: undated), and by type. The explorer's timeline draws these counts.
// :param types => null
// :param country => null
// :param places => null
// :param perpetrator => "isk"
// :param source => null
// :param since => null
// :param until => null
// :param bbox => null
// :param width => 7
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
RETURN left(i.date, $width) AS cut, i.type AS type, count(*) AS count
