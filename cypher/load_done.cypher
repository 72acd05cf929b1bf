// A load is over (settled after publishing, or discarded): forget it.
// :param load => "load-0123abcd"
MATCH (l:Load {id: $load})
OPTIONAL MATCH (meta:GraphMeta {id: 'graph'})
SET meta.published = [x IN coalesce(meta.published, []) WHERE x <> $load]
DELETE l
RETURN $load AS load
