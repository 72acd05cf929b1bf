// What the graph holds about one entity: its published claims (either end) counted by report, then summed, with
// the dates they cover (the claims' own partial dates, compared as text: "2022" sorts before "2022-05-07") and
// the reports citing most of them. An aggregate on the server: no claim is sent back.
// :param id => "pakistan"
// :param top => 5
OPTIONAL MATCH (meta:GraphMeta {id: 'graph'})
WITH coalesce(meta.published, []) AS published
MATCH (:Entity {id: $id})-[c]-(:Entity)
WHERE c.id IS NOT NULL
  AND (c.load IS NULL OR c.load IN published)
WITH DISTINCT c
WITH c.source AS source, count(c) AS claims, min(c.date) AS first, max(coalesce(c.end_date, c.date)) AS last
ORDER BY claims DESC, source
RETURN sum(claims) AS claims, count(source) AS reports, min(first) AS first, max(last) AS last,
       collect({source: source, claims: claims})[..$top] AS top
