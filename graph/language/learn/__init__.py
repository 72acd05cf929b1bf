"""The trained relation reader: candidates from the parse, their features, and the shipped model.

``candidates`` pairs the actors of a sentence; ``features`` describes a pair as sparse features
(words between and around, the dependency path, the ontology's cues, the rules' vote);
``model`` holds the logistic regression's coefficients as plain JSON with its calibration and
decides type-or-none and direction; ``encoder`` (optional extra) embeds a marked sentence.
Training and cross-validation, which read the gold sets, live in ``graph.services.relation_training``.
"""
