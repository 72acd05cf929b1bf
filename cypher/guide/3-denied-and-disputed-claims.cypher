// Denials and the claims they dispute: who denies what, in whose words, against which claim.
MATCH (denier:Entity)-[denial:DENIED]->(:Entity)
MATCH (:Source)-[:REPORTS {claim: denial.denies}]->(subject:Entity)-[disputed]->(object:Entity)
WHERE disputed.id = denial.denies
RETURN denier.name AS denier, denial.quote AS denial, subject.name AS subject, type(disputed) AS claim_type,
       object.name AS object, disputed.status AS status, disputed.quote AS disputed_claim
ORDER BY disputed.id, denier
