package kg;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import org.neo4j.graphdb.Label;
import org.neo4j.graphdb.Node;
import org.neo4j.graphdb.Relationship;
import org.neo4j.graphdb.Transaction;
import org.neo4j.procedure.Context;
import org.neo4j.procedure.Description;
import org.neo4j.procedure.Mode;
import org.neo4j.procedure.Name;
import org.neo4j.procedure.Procedure;

/**
 * The k first simple paths between two entities, found inside the server in one call.
 *
 * <p>The rule is the project's (graph/stores/traversal.py): simple paths of at most maxHops hops over
 * claims that pass the filters, ranked by (hops, the entity ids along them). The search is the one the
 * embedded store runs over its arrays (graph/stores/sqlite/arrays.py): a bidirectional breadth-first
 * search, expanding whichever side has fewer relationships to read, gives the distance; then, for each
 * length from there, a depth-first search from the source in id order lists the paths of that length,
 * pruned by each entity's distance to the target (known within a ball around the target, grown while it
 * is cheap, and bounded below outside it). Cypher's own shortest-path search was measured slower by one to
 * four orders of magnitude on a graph with hubs, because it cannot choose which side of the search to
 * expand by degree; a Cypher conversation level by level costs a round trip a level and ships a hub's
 * neighbours to the client.
 */
public final class Paths {
    private static final Label ENTITY = Label.label("Entity");
    /** Relationships the target's ball may read to learn more distances (the embedded store's BALL_BUDGET). */
    private static final long BALL_BUDGET = 20_000;

    @Context
    public Transaction tx;

    /** The answer: the paths found, each the entity ids along it, best first. */
    public static final class Found {
        public List<List<String>> paths;

        public Found(List<List<String>> paths) {
            this.paths = paths;
        }
    }

    @Procedure(name = "kg.paths", mode = Mode.READ)
    @Description("kg.paths(source, target, maxHops, k, directed, symmetric, types, statuses, published) :: paths. "
            + "The k first simple paths between two entities by the knowledge graph's rule, over claims of the "
            + "relation types given (null: every relationship with an id) and statuses (null: any), written by no "
            + "load or by one of the published loads (null: no claim carries a load mark). Build " + Version.SOURCE)
    public Stream<Found> paths(@Name("source") String source, @Name("target") String target,
                               @Name("maxHops") long maxHops, @Name("k") long k,
                               @Name("directed") boolean directed, @Name("symmetric") List<String> symmetric,
                               @Name("types") List<String> types, @Name("statuses") List<String> statuses,
                               @Name("published") List<String> published) {
        Node from = tx.findNode(ENTITY, "id", source);
        Node to = tx.findNode(ENTITY, "id", target);
        if (from == null || to == null || from.equals(to) || maxHops < 1 || k < 1) {
            return Stream.of(new Found(List.of()));
        }
        Search search = new Search((int) maxHops, (int) k, directed, symmetric, types, statuses, published);
        return Stream.of(new Found(search.run(from, to)));
    }

    /** One search: its filters and what it has learnt of the graph, for one call only. */
    private static final class Search {
        private final int maxHops;
        private final int k;
        private final boolean directed;
        private final Set<String> symmetric;
        private final ClaimFilter claims;
        private final Map<Node, String> ids = new HashMap<>();
        private final Map<Node, List<Node>> forwardMemo = new HashMap<>();
        private final Map<Node, List<Node>> forwardSteps = new HashMap<>();
        private final Map<Node, List<Node>> backwardSteps = new HashMap<>();

        Search(int maxHops, int k, boolean directed, Collection<String> symmetric, Collection<String> types,
               Collection<String> statuses, Collection<String> published) {
            this.maxHops = maxHops;
            this.k = k;
            this.directed = directed;
            this.symmetric = symmetric == null ? Set.of() : new HashSet<>(symmetric);
            this.claims = new ClaimFilter(types, statuses, published, 0, null, null);
        }

        String id(Node node) {
            return ids.computeIfAbsent(node, n -> (String) n.getProperty("id"));
        }

        /** The entities one admitted claim away: 'o' from subject to object, 'i' back, 'b' either way. Each entity's
         * are read once a search (the breadth-first rings read the hubs the depth-first search then passes). */
        List<Node> step(Node node, char way) {
            return (way == 'i' ? backwardSteps : forwardSteps).computeIfAbsent(node, n -> read(n, way));
        }

        private List<Node> read(Node node, char way) {
            Set<Node> next = new LinkedHashSet<>();
            for (Relationship claim : claims.candidates(node)) {
                Node other = claim.getOtherNode(node);
                if (other.equals(node) || !claims.admits(claim)) {
                    continue;
                }
                if (way != 'b' && !symmetric.contains(claim.getType().name())
                        && claim.getStartNode().equals(node) != (way == 'o')) {
                    continue;
                }
                if (claims.joinsEntities(other)) {
                    next.add(other);
                }
            }
            return new ArrayList<>(next);
        }

        long degree(List<Node> frontier) {
            long sum = 0;
            for (Node node : frontier) {
                sum += node.getDegree();
            }
            return sum;
        }

        /** One level of a breadth-first search: the entities first reached, their distance set. */
        List<Node> ring(List<Node> frontier, Map<Node, Integer> distance, int radius, char way) {
            List<Node> reached = new ArrayList<>();
            for (Node node : frontier) {
                for (Node other : step(node, way)) {
                    if (!distance.containsKey(other)) {
                        distance.put(other, radius);
                        reached.add(other);
                    }
                }
            }
            return reached;
        }

        List<Node> forward(Node node) {
            return forwardMemo.computeIfAbsent(node, n -> {
                List<Node> next = new ArrayList<>(step(n, directed ? 'o' : 'b'));
                next.sort((a, b) -> ClaimFilter.BY_CODE_POINT.compare(id(a), id(b)));
                return next;
            });
        }

        /** The target's ball: its entities by distance (rings[0] is the target), complete up to the last ring. */
        private final List<List<Node>> rings = new ArrayList<>();
        private final Map<Node, Integer> toTarget = new HashMap<>();
        private final Map<Long, List<Node>> ballMemo = new HashMap<>();

        /** Grow the target's ball by one ring; whether it reached anything new. */
        private boolean growBall() {
            List<Node> last = rings.get(rings.size() - 1);
            List<Node> next = ring(last, toTarget, rings.size(), directed ? 'i' : 'b');
            rings.add(next);
            return !next.isEmpty();
        }

        private boolean ballComplete() {
            return rings.get(rings.size() - 1).isEmpty();
        }

        private int ballRadius() {
            return rings.size() - 1;
        }

        List<List<String>> run(Node source, Node target) {
            char forwardWay = directed ? 'o' : 'b';
            Map<Node, Integer> fromSource = new HashMap<>(Map.of(source, 0));
            toTarget.put(target, 0);
            rings.add(List.of(target));
            List<Node> sourceFrontier = List.of(source);
            int sourceRadius = 0;
            int distance = -1;
            while (!sourceFrontier.isEmpty() && !ballComplete() && sourceRadius + ballRadius() < maxHops) {
                int best = Integer.MAX_VALUE;
                if (degree(sourceFrontier) <= degree(rings.get(ballRadius()))) {
                    sourceRadius += 1;
                    sourceFrontier = ring(sourceFrontier, fromSource, sourceRadius, forwardWay);
                    for (Node node : sourceFrontier) {
                        Integer other = toTarget.get(node);
                        if (other != null) {
                            best = Math.min(best, sourceRadius + other);
                        }
                    }
                } else {
                    growBall();
                    for (Node node : rings.get(ballRadius())) {
                        Integer other = fromSource.get(node);
                        if (other != null) {
                            best = Math.min(best, ballRadius() + other);
                        }
                    }
                }
                if (best != Integer.MAX_VALUE) {
                    distance = best;
                    break;
                }
            }
            if (distance < 0 || distance > maxHops) {
                return List.of();
            }
            List<List<String>> found = new ArrayList<>();
            for (int hops = distance; hops <= maxHops && found.size() < k; hops++) {
                while (!ballComplete() && ballRadius() < hops - 1 && degree(rings.get(ballRadius())) <= BALL_BUDGET) {
                    growBall();
                }
                int outside = ballComplete() ? maxHops + 1 : ballRadius() + 1;
                List<Node> path = new ArrayList<>(List.of(source));
                extend(path, new HashSet<>(path), target, hops, outside, found);
            }
            return found.size() > k ? found.subList(0, k) : found;
        }

        /**
         * The entities a path may take next from ``node`` when at most ``need`` hops may follow: its forward
         * neighbours in id order, or, where the target's ball holds every entity that close to the target and
         * they are fewer than the node's relationships (a hub's), those of them the node steps to, asked from
         * their side. Both give the same entities once pruned by distance.
         */
        List<Node> candidates(Node node, int need) {
            if ((ballComplete() || ballRadius() >= need) && !forwardSteps.containsKey(node)) {
                long near = 0;
                for (int r = 1; r <= Math.min(need, ballRadius()); r++) {
                    near += rings.get(r).size();
                }
                if (near < node.getDegree()) {
                    return ballMemo.computeIfAbsent(node.getId() * 8 + need, key -> {
                        List<Node> next = new ArrayList<>();
                        for (int r = 1; r <= Math.min(need, ballRadius()); r++) {
                            for (Node other : rings.get(r)) {
                                if (joins(node, other)) {
                                    next.add(other);
                                }
                            }
                        }
                        next.sort((a, b) -> ClaimFilter.BY_CODE_POINT.compare(id(a), id(b)));
                        return next;
                    });
                }
            }
            return forward(node);
        }

        /** Whether an admitted claim steps forward from ``from`` to ``to``, read from the side with fewer relationships. */
        boolean joins(Node from, Node to) {
            boolean fromSide = from.getDegree() <= to.getDegree();
            Node near = fromSide ? from : to;
            Node far = fromSide ? to : from;
            for (Relationship claim : claims.candidates(near)) {
                if (!claim.getOtherNode(near).equals(far) || !claims.admits(claim)) {
                    continue;
                }
                if (!directed || symmetric.contains(claim.getType().name()) || claim.getStartNode().equals(from)) {
                    return true;
                }
            }
            return false;
        }

        void extend(List<Node> path, Set<Node> onPath, Node target, int hops, int outside,
                    List<List<String>> found) {
            Node node = path.get(path.size() - 1);
            int used = path.size() - 1;
            if (used == hops) {
                if (node.equals(target)) {
                    found.add(path.stream().map(this::id).toList());
                }
                return;
            }
            if (used + 1 == hops) {
                // The last step can only be to the target: ask for that step, not for a hub's every neighbour.
                Integer known = toTarget.get(node);
                if (known != null ? known == 1 : outside <= 1 && joins(node, target)) {
                    path.add(target);
                    found.add(path.stream().map(this::id).toList());
                    path.remove(path.size() - 1);
                }
                return;
            }
            for (Node next : candidates(node, hops - used - 1)) {
                if (found.size() >= k) {
                    return;
                }
                if (used + 1 + toTarget.getOrDefault(next, outside) > hops || onPath.contains(next)
                        || next.equals(target)) {
                    continue;
                }
                path.add(next);
                onPath.add(next);
                extend(path, onPath, target, hops, outside, found);
                path.remove(path.size() - 1);
                onPath.remove(next);
            }
        }
    }
}
