// Find entities by any name or alias, through the full-text index (fuzzy with ~).
// :param text => "khorasan~"
CALL db.index.fulltext.queryNodes('entity_names', $text) YIELD node, score
RETURN node.id AS id, node.name AS name, node.kind AS kind, node.aliases AS aliases, score
LIMIT 10
