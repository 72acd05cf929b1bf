// Remove incidents with their links to sources and entities: a merge folds an incident into another, whose
// reports it now holds; the entities and sources stay.
// :param ids => ["kabul-blast-2"]
UNWIND $ids AS id
MATCH (i:Incident {id: id})
DETACH DELETE i
RETURN count(*) AS removed
