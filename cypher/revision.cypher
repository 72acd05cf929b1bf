// The graph's revision: a counter every write that changes something increments.
// Caches (the alias index) and API ETags key on it.
OPTIONAL MATCH (meta:GraphMeta {id: 'graph'})
RETURN coalesce(meta.revision, 0) AS revision
