// Who is IS-K trying to provoke? Each claim keeps its quote, status, asserter and source.
// :param entity => "isk"
MATCH p = (group:Entity {id: $entity})-[claim:SEEKS_TO_PROVOKE]->(target:Entity)
RETURN p, target.name AS target, claim.status AS status, claim.asserted_by AS asserted_by,
       claim.quote AS quote, claim.source AS source
