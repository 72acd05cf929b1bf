// Citations of the sources with these ids: their metadata without the text.
// :param ids => ["rferl-2022-05-isk-central-asia"]
OPTIONAL MATCH (meta:GraphMeta {id: 'graph'})
WITH coalesce(meta.published, []) AS published
UNWIND $ids AS id
MATCH (n:Source {id: id})
WHERE n.load IS NULL OR n.load IN published
RETURN n {.id, .title, .outlet, .url, .published, .reliability} AS source
