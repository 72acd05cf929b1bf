// Every claim some published denial disputes (denials are few; REPORTS.denies is indexed).
OPTIONAL MATCH (meta:GraphMeta {id: 'graph'})
WITH coalesce(meta.published, []) AS published
MATCH (:Source)-[d:REPORTS]->()
WHERE d.denies IS NOT NULL AND (d.load IS NULL OR d.load IN published)
RETURN DISTINCT d.denies AS id
