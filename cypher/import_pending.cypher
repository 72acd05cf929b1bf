// Whether the graph was written by `neo4j-admin database import` (from `kg export --format admin-csv`) and its
// claims are not yet linked: the importer cannot know the element ids the REPORTS entries keep (`rel`), so the
// CSV marks the graph, and the first store to open it links them (link_claims) and applies the schema.
OPTIONAL MATCH (meta:GraphMeta {id: 'graph'})
RETURN coalesce(meta.unlinked, false) AS pending
