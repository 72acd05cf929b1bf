// IS-K's neighbourhood two claims out (claims only: REPORTS entries carry no `id`).
// :param entity => "isk"
MATCH p = (:Entity {id: $entity})-[*1..2]-(:Entity)
WHERE all(claim IN relationships(p) WHERE claim.id IS NOT NULL)
RETURN p
LIMIT 300
