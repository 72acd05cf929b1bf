"""The Neo4j Browser style (GRASS) for this graph, generated from the ontology.

Browser styles nodes by label and relationships by type; both come from the ontology
(one colour per entity kind, one per relation category), so a new kind or type is
styled without editing the style by hand. ``cypher/style.grass`` is this output,
checked in so it can be dragged onto Browser; a test keeps the two equal.
"""

from __future__ import annotations

from graph.domain.ontology import Ontology

_RELATIONSHIP = {"shaft-width": "2px", "font-size": "8px", "padding": "3px", "text-color-external": "#000000",
                 "text-color-internal": "#FFFFFF", "caption": '"<type>"'}


def _rule(selector: str, properties: dict[str, str]) -> str:
    body = "".join(f"  {key}: {value};\n" for key, value in properties.items())
    return f"{selector} {{\n{body}}}\n"


def _darker(colour: str, factor: float = 0.8) -> str:
    """A border a shade darker than the fill, as Browser's own palette does."""
    channels = [int(colour[i:i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(c * factor):02X}" for c in channels)


def grass(ontology: Ontology) -> str:
    """The whole style sheet: one rule per entity label and per relation type."""
    # Shaped by what Browser 5.24's GRASS reader survives (found by applying the style in a real
    # Browser): no comment (it splits on semicolons inside comments) and no bare `node` or
    # `relationship` rule (it then fails to draw any graph).
    rules = []
    for rel in ontology.relation_types.values():
        colour = ontology.category_colours[rel.category]
        rules.append(_rule(f"relationship.{rel.name}", {"color": colour, **_RELATIONSHIP}))
    rules.append(_rule("relationship.REPORTS", {"color": "#BDC3C7", **_RELATIONSHIP, "shaft-width": "1px"}))
    for kind in ontology.entity_kinds.values():
        rules.append(_rule(f"node.{kind.label}", {
            "color": kind.colour, "border-color": _darker(kind.colour), "text-color-internal": "#FFFFFF",
            "diameter": "55px", "caption": '"{name}"',
        }))
    rules.append(_rule("node.Source", {"color": "#ECF0F1", "border-color": "#95A5A6",
                                       "text-color-internal": "#2C3E50", "diameter": "40px",
                                       "caption": '"{outlet}"'}))
    return "\n".join(rules)
