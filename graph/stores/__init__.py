"""The store contract (``protocol``), what every store shares (``base``, ``traversal``) and its two
implementations (``sqlite``, ``neo4j``); ``open`` is the one module that knows their classes."""
