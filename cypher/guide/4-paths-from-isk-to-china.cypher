// How is IS-K connected to China? Every shortest chain of claims, up to four hops.
// :param source => "isk"
// :param target => "china"
MATCH p = allShortestPaths((:Entity {id: $source})-[*..4]-(:Entity {id: $target}))
WHERE all(claim IN relationships(p) WHERE claim.id IS NOT NULL)
RETURN p
