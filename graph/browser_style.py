"""The Neo4j Browser style (GRASS) for this graph, generated from the ontology.

Browser styles nodes by label and relationships by type; both come from the ontology
(one colour per entity kind, one per relation category), so a new kind or type is
styled without editing the style by hand. ``cypher/style.grass`` is this output,
checked in so it can be dragged onto Browser; a test keeps the two equal.
"""

from __future__ import annotations

from graph.ontology import Ontology

_NODE_DEFAULTS = {"diameter": "50px", "color": "#A5ABB6", "border-color": "#9AA1AC", "border-width": "2px",
                  "text-color-internal": "#FFFFFF", "font-size": "10px"}
_RELATIONSHIP_DEFAULTS = {"color": "#A5ABB6", "shaft-width": "2px", "font-size": "8px", "padding": "3px",
                          "text-color-external": "#000000", "text-color-internal": "#FFFFFF",
                          "caption": '"<type>"'}


def _rule(selector: str, properties: dict[str, str]) -> str:
    body = "".join(f"  {key}: {value};\n" for key, value in properties.items())
    return f"{selector} {{\n{body}}}\n"


def _darker(colour: str, factor: float = 0.8) -> str:
    """A border a shade darker than the fill, as Browser's own palette does."""
    channels = [int(colour[i:i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(c * factor):02X}" for c in channels)


def grass(ontology: Ontology) -> str:
    """The whole style sheet: defaults, then one rule per entity label and per relation type."""
    rules = [
        "/* Neo4j Browser style for the militant-groups graph. Generated from graph/ontology.yaml by\n"
        "   `kg neo4j style`; apply it by dragging this file onto Browser or with :style. */\n",
        _rule("node", _NODE_DEFAULTS),
        _rule("relationship", _RELATIONSHIP_DEFAULTS),
    ]
    for kind in ontology.entity_kinds.values():
        rules.append(_rule(f"node.{kind.label}", {
            "color": kind.colour, "border-color": _darker(kind.colour), "text-color-internal": "#FFFFFF",
            "diameter": "55px", "caption": '"{name}"',
        }))
    rules.append(_rule("node.Source", {"color": "#ECF0F1", "border-color": "#95A5A6",
                                       "text-color-internal": "#2C3E50", "diameter": "40px",
                                       "caption": '"{outlet}"'}))
    for rel in ontology.relation_types.values():
        colour = ontology.category_colours[rel.category]
        rules.append(_rule(f"relationship.{rel.name}", {"color": colour, "shaft-width": "2px",
                                                         "caption": '"<type>"'}))
    rules.append(_rule("relationship.REPORTS", {"color": "#BDC3C7", "shaft-width": "1px", "caption": '"<type>"'}))
    return "\n".join(rules)
