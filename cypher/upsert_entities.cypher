// Create or replace entities by id. `label` is the kind's label from the ontology (checked
// before it is sent); Neo4j 5.26 takes it as a dynamic label, and a changed kind swaps it.
// The properties carry `rev` (the revision of this write) and, in a load written in several
// transactions, `load` until it is published.
// An entity's parent group is a property (`parent`, its id, and `parent_relation`), as are its
// `description` and `source` note; only claims are relationships.
// :param entities => [{id: "isk", label: "ArmedGroup", properties: {id: "isk", name: "IS-K", kind: "armed_group", aliases: ["ISKP"], parent: "islamic-state", parent_relation: "AFFILIATE_OF", rev: 1}}]
UNWIND $entities AS entity
MERGE (n:Entity {id: entity.id})
WITH n, entity, [label IN labels(n) WHERE label <> 'Entity'] AS previous
REMOVE n:$(previous)
SET n = entity.properties, n:$(entity.label)
RETURN count(n) AS written
