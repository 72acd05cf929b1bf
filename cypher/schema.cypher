// The schema every Neo4j store applies before its first write. Idempotent (IF NOT EXISTS).
//
// Claims are relationships of their ontology type between :Entity nodes. Neo4j indexes
// relationship properties per type, so each claim also has one (:Source)-[:REPORTS]->(subject)
// relationship carrying its id, type, status and dates: one relationship type holds the
// uniqueness of claim ids across all relation types, the source's claims, and the
// status/date/type lookups, and a new relation type in the ontology needs no schema change.
// REPORTS.rel holds the claim relationship's element id, so a claim is read by id in two
// index seeks, however many claims its subject has.
//
// `rev` is the revision that last wrote an entity (the alias index catches up from it);
// `load` marks what a load written in several transactions has not yet published.
CREATE CONSTRAINT entity_id IF NOT EXISTS FOR (n:Entity) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT source_id IF NOT EXISTS FOR (n:Source) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT claim_id IF NOT EXISTS FOR ()-[r:REPORTS]-() REQUIRE r.claim IS UNIQUE;
CREATE CONSTRAINT graph_meta_id IF NOT EXISTS FOR (n:GraphMeta) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT load_id IF NOT EXISTS FOR (n:Load) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT report_candidates_source IF NOT EXISTS FOR (n:ReportCandidates) REQUIRE n.source IS UNIQUE;
CREATE INDEX claim_type IF NOT EXISTS FOR ()-[r:REPORTS]-() ON (r.type);
CREATE INDEX claim_status IF NOT EXISTS FOR ()-[r:REPORTS]-() ON (r.status);
CREATE INDEX claim_date IF NOT EXISTS FOR ()-[r:REPORTS]-() ON (r.date);
CREATE INDEX claim_denies IF NOT EXISTS FOR ()-[r:REPORTS]-() ON (r.denies);
CREATE INDEX claim_load IF NOT EXISTS FOR ()-[r:REPORTS]-() ON (r.load);
CREATE INDEX claim_incident IF NOT EXISTS FOR ()-[r:REPORTS]-() ON (r.incident);
CREATE INDEX entity_kind IF NOT EXISTS FOR (n:Entity) ON (n.kind);
CREATE INDEX entity_rev IF NOT EXISTS FOR (n:Entity) ON (n.rev);
CREATE INDEX entity_load IF NOT EXISTS FOR (n:Entity) ON (n.load);
CREATE INDEX source_load IF NOT EXISTS FOR (n:Source) ON (n.load);
CREATE FULLTEXT INDEX entity_names IF NOT EXISTS FOR (n:Entity) ON EACH [n.name, n.aliases];
// Incidents: (:Incident) nodes with their filter columns as properties and the whole record as JSON (`body`), linked
// to the reports that tell them and to the entities they name (see upsert_incidents.cypher).
CREATE CONSTRAINT incident_id IF NOT EXISTS FOR (n:Incident) REQUIRE n.id IS UNIQUE;
CREATE INDEX incident_type IF NOT EXISTS FOR (n:Incident) ON (n.type);
CREATE INDEX incident_date IF NOT EXISTS FOR (n:Incident) ON (n.happened_from);
CREATE INDEX incident_country IF NOT EXISTS FOR (n:Incident) ON (n.country);
CREATE INDEX incident_load IF NOT EXISTS FOR (n:Incident) ON (n.load);
