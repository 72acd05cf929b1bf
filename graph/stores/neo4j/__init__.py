"""The Neo4j store, its named Cypher, its Browser style, and a local server for people and tests."""
