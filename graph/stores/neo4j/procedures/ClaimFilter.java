package kg;

import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Set;

import org.neo4j.graphdb.Direction;
import org.neo4j.graphdb.Label;
import org.neo4j.graphdb.Node;
import org.neo4j.graphdb.Relationship;
import org.neo4j.graphdb.RelationshipType;

/**
 * Which claims a walk may use: the filters of graph/stores/traversal.py (types, statuses, a minimum confidence,
 * a window of days) and the published-load rule, read as cheaply as the store allows.
 *
 * <p>Reading a property a relationship lacks walks all of its properties (a claim has some fifteen), so nothing
 * is read that the caller says cannot matter: with the ontology's types given, every relationship read is a
 * claim between entities (no id is read to tell claims from REPORTS entries and incident links, no label to
 * tell an entity from a source or an incident); with no load under way
 * (published null), no claim carries a mark; with no status filter, no minimum above 0 and no window, neither
 * status, confidence nor dates are read. A hub's claims are then told apart by their type and ends alone.
 */
final class ClaimFilter {
    /** Entity ids and claim ids compare by code point, as Python compares strings, so both stores rank alike. */
    static final Comparator<String> BY_CODE_POINT = (a, b) -> {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int x = a.codePointAt(i);
            int y = b.codePointAt(j);
            if (x != y) {
                return Integer.compare(x, y);
            }
            i += Character.charCount(x);
            j += Character.charCount(y);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    };
    /** Relationships at an entity that are not claims: source entries and incident links (see schema.cypher). */
    private static final RelationshipType[] NOT_CLAIMS = {RelationshipType.withName("REPORTS"),
        RelationshipType.withName("PERPETRATOR"), RelationshipType.withName("TARGET"),
        RelationshipType.withName("PLACE"), RelationshipType.withName("COUNTRY")};

    private static final Label ENTITY = Label.label("Entity");

    private final RelationshipType[] types;
    private final Set<String> statuses;
    private final Set<String> published;
    private final double minConfidence;
    private final String since;
    private final String until;

    ClaimFilter(Collection<String> types, Collection<String> statuses, Collection<String> published,
                double minConfidence, String since, String until) {
        this.types = types == null ? null : types.stream().map(RelationshipType::withName)
                .toArray(RelationshipType[]::new);
        this.statuses = statuses == null ? null : new HashSet<>(statuses);
        this.published = published == null ? null : new HashSet<>(published);
        this.minConfidence = minConfidence;
        this.since = since;
        this.until = until;
    }

    /** The relationships at a node that may be claims of the admitted types. */
    Iterable<Relationship> candidates(Node node) {
        return types == null ? node.getRelationships() : node.getRelationships(types);
    }

    /** Whether a relationship's other end is an entity: always, for a claim of the ontology's types. */
    boolean joinsEntities(Node other) {
        return types != null || other.hasLabel(ENTITY);
    }

    /** Whether a relationship read through {@link #candidates} is a claim the filters admit. */
    boolean admits(Relationship claim) {
        if (types == null && claim.getProperty("id", null) == null) {
            return false;
        }
        if (published != null) {
            Object load = claim.getProperty("load", null);
            if (load != null && !published.contains(load)) {
                return false;
            }
        }
        if (statuses != null && !statuses.contains(claim.getProperty("status", null))) {
            return false;
        }
        if (minConfidence > 0) {
            Object confidence = claim.getProperty("confidence", null);
            if (!(confidence instanceof Number number) || number.doubleValue() < minConfidence) {
                return false;
            }
        }
        if (since != null || until != null) {
            Object from = claim.getProperty("happened_from", null);
            Object to = claim.getProperty("happened_to", null);
            if (from == null && to == null) {
                return false;
            }
            if (since != null && to != null && BY_CODE_POINT.compare((String) to, since) < 0) {
                return false;
            }
            if (until != null && from != null && BY_CODE_POINT.compare((String) from, until) > 0) {
                return false;
            }
        }
        return true;
    }

    /** An entity's claim count, unfiltered, from the server's relationship counts (no claim read). */
    static long claimDegree(Node node) {
        long degree = node.getDegree();
        for (RelationshipType type : NOT_CLAIMS) {
            degree -= node.getDegree(type, Direction.INCOMING);
        }
        return degree;
    }
}
