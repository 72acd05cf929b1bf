package kg;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import org.neo4j.graphdb.Node;
import org.neo4j.graphdb.Relationship;
import org.neo4j.procedure.Description;
import org.neo4j.procedure.Mode;
import org.neo4j.procedure.Name;
import org.neo4j.procedure.Procedure;

/**
 * An entity's neighbourhood, walked inside the server by the rules of graph/stores/traversal.py, as the embedded
 * store walks its arrays (graph/stores/sqlite/arrays.py, {@code walk}): level by level from the centre, through no
 * hub but the centre, each level cut to its first entities by id once the answer is full; then the admitted claims
 * between kept entities with an end that is the centre or no hub, the first by id.
 *
 * <p>The walk reads each expanded entity's claims once, by their type, and no property of a claim that the filters
 * do not ask for ({@link ClaimFilter}); what the answer shows (names, claims' properties, denials) is read by the
 * calling query for the kept entities and claims only. Cypher cannot skip a property read per claim, nor keep a
 * hub's claims between the walk and the links, which made a hub's neighbourhood cost its claims several times.
 */
public final class Neighbourhood {
    /** The answer: the kept entities with their depth, the links (claims) to show, and whether anything was left. */
    public static final class Walked {
        public List<Map<String, Object>> nodes;
        public List<Relationship> links;
        public boolean truncated;

        public Walked(List<Map<String, Object>> nodes, List<Relationship> links, boolean truncated) {
            this.nodes = nodes;
            this.links = links;
            this.truncated = truncated;
        }
    }

    @Procedure(name = "kg.neighbourhood", mode = Mode.READ)
    @Description("kg.neighbourhood(center, depth, direction, symmetric, types, statuses, minConfidence, since, "
            + "until, published, hubDegree, maxNodes, maxLinks) :: (nodes, links, truncated). An entity's bounded "
            + "neighbourhood by the knowledge graph's rule; filters as kg.paths, with a window of ISO days. Build "
            + Version.SOURCE)
    public Stream<Walked> neighbourhood(@Name("center") Node center, @Name("depth") long depth,
                                        @Name("direction") String direction,
                                        @Name("symmetric") List<String> symmetric,
                                        @Name("types") List<String> types, @Name("statuses") List<String> statuses,
                                        @Name("minConfidence") double minConfidence, @Name("since") String since,
                                        @Name("until") String until, @Name("published") List<String> published,
                                        @Name("hubDegree") long hubDegree, @Name("maxNodes") long maxNodes,
                                        @Name("maxLinks") long maxLinks) {
        ClaimFilter claims = new ClaimFilter(types, statuses, published, minConfidence, since, until);
        Walk walk = new Walk(claims, direction, symmetric, hubDegree);
        return Stream.of(walk.run(center, (int) depth, (int) maxNodes, (int) maxLinks));
    }

    /** One walk: its filters and the claims it has read, for one call only. */
    private static final class Walk {
        private final ClaimFilter claims;
        private final String direction;
        private final Set<String> symmetric;
        private final long hubDegree;
        private final Map<Node, List<Relationship>> admitted = new HashMap<>();
        private final Map<Node, String> ids = new HashMap<>();

        Walk(ClaimFilter claims, String direction, Collection<String> symmetric, long hubDegree) {
            this.claims = claims;
            this.direction = direction;
            this.symmetric = symmetric == null ? Set.of() : new HashSet<>(symmetric);
            this.hubDegree = hubDegree;
        }

        String id(Node node) {
            return ids.computeIfAbsent(node, n -> (String) n.getProperty("id"));
        }

        /** The admitted claims at a node, read once. */
        List<Relationship> at(Node node) {
            return admitted.computeIfAbsent(node, n -> {
                List<Relationship> found = new ArrayList<>();
                for (Relationship claim : claims.candidates(n)) {
                    if (claims.admits(claim)) {
                        found.add(claim);
                    }
                }
                return found;
            });
        }

        /** Whether a claim lets the walk step from {@code from} to its other end. */
        boolean steps(Relationship claim, Node from) {
            return "both".equals(direction) || symmetric.contains(claim.getType().name())
                    || claim.getStartNode().equals(from) == "out".equals(direction);
        }

        Walked run(Node center, int depth, int maxNodes, int maxLinks) {
            Map<Node, Integer> depths = new LinkedHashMap<>();
            depths.put(center, 0);
            List<Node> frontier = List.of(center);
            boolean truncated = false;
            for (int level = 1; level <= depth; level++) {
                List<Node> expand = new ArrayList<>();
                for (Node node : frontier) {
                    if (level == 1 || ClaimFilter.claimDegree(node) <= hubDegree) {
                        expand.add(node);
                    }
                }
                truncated |= expand.size() < frontier.size();
                Set<Node> reached = new HashSet<>();
                for (Node node : expand) {
                    for (Relationship claim : at(node)) {
                        Node other = claim.getOtherNode(node);
                        if (!other.equals(node) && !depths.containsKey(other) && steps(claim, node)
                                && claims.joinsEntities(other)) {
                            reached.add(other);
                        }
                    }
                }
                List<Node> next = new ArrayList<>(reached);
                if (depths.size() + next.size() > maxNodes) {
                    // Only a level that is cut needs its entities' ids: its first by id are kept.
                    next.sort((a, b) -> ClaimFilter.BY_CODE_POINT.compare(id(a), id(b)));
                    next = next.subList(0, Math.max(0, maxNodes - depths.size()));
                    truncated = true;
                }
                for (Node node : next) {
                    depths.put(node, level);
                }
                frontier = next;
                if ((truncated && depths.size() >= maxNodes) || frontier.isEmpty()) {
                    break;
                }
            }
            Map<String, Relationship> links = new HashMap<>();
            for (Node node : depths.keySet()) {
                if (!node.equals(center) && ClaimFilter.claimDegree(node) > hubDegree) {
                    continue;  // two hubs' claims to each other are not read
                }
                for (Relationship claim : at(node)) {
                    if (depths.containsKey(claim.getOtherNode(node))) {
                        links.putIfAbsent(claim.getElementId(), claim);
                    }
                }
            }
            List<Relationship> shown = new ArrayList<>(links.values());
            if (shown.size() > maxLinks) {
                // Only links that are cut need their ids: the first by id are kept (the store orders what it shows).
                Map<Relationship, String> claimIds = new HashMap<>();
                for (Relationship claim : shown) {
                    claimIds.put(claim, (String) claim.getProperty("id"));
                }
                shown.sort((a, b) -> ClaimFilter.BY_CODE_POINT.compare(claimIds.get(a), claimIds.get(b)));
                truncated = true;
            }
            List<Map<String, Object>> nodes = new ArrayList<>();
            depths.forEach((node, level) -> nodes.add(Map.of("node", node, "depth", (long) level)));
            return new Walked(nodes, shown.size() > maxLinks ? shown.subList(0, maxLinks) : shown, truncated);
        }
    }
}
