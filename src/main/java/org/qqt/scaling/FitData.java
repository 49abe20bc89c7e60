package org.qqt.scaling;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.qqt.io.BadInputException;

/**
 * Observations grouped by pool, in output order, with the precomputed {@link PointTerms} of every point.
 * Pool i owns the points {@code start[i] .. start[i+1]-1}. Pools are further gathered into tie groups
 * ({@link Tie}): pool i belongs to group {@code groupOf[i]}; without tying every pool is its own group.
 */
final class FitData {
    final List<String> names;
    /** Tie group of each pool, and the groups' names and member pools (in pool order). */
    final int[] groupOf;
    final List<String> groupNames;
    final int[][] groupPools;
    final double[] sizes;
    final int[] start;
    final Observation[] points;
    final double[] y;
    final PointTerms[] terms;

    private FitData(List<String> names, double[] sizes, List<Observation> ordered, int[] start, double normalizer,
                    List<String> poolGroups) {
        this.names = List.copyOf(names);
        this.groupOf = new int[names.size()];
        List<String> gn = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            int g = gn.indexOf(poolGroups.get(i));
            if (g < 0) {
                g = gn.size();
                gn.add(poolGroups.get(i));
            }
            groupOf[i] = g;
        }
        this.groupNames = List.copyOf(gn);
        this.groupPools = new int[gn.size()][];
        for (int g = 0; g < gn.size(); g++) {
            int gg = g;
            groupPools[g] = java.util.stream.IntStream.range(0, names.size()).filter(i -> groupOf[i] == gg).toArray();
        }
        this.sizes = sizes;
        this.start = start;
        this.points = ordered.toArray(new Observation[0]);
        this.y = new double[points.length];
        this.terms = new PointTerms[points.length];
        for (int j = 0; j < points.length; j++) {
            y[j] = points[j].error();
            terms[j] = new PointTerms(points[j].poolSize(), points[j].samplesSeen(), normalizer);
        }
    }

    int pools() {
        return names.size();
    }

    int size() {
        return points.length;
    }

    int groups() {
        return groupNames.size();
    }

    /** A group's name for reports: the CSV's group, the pool's name for a pool alone, or {@value #ALL}. */
    String groupLabel(int g) {
        String key = groupNames.get(g);
        return key.substring(key.indexOf(':') + 1);
    }

    /** The name under which everything tied is reported when all pools form one group. */
    static final String ALL = "all";

    /**
     * Groups {@code observations} by pool. {@code order} (may be null) names the pools to fit, in output order;
     * otherwise pools keep their order of first appearance. Every problem is a one-line BadInputException.
     */
    static FitData of(List<Observation> observations, List<String> order, double normalizer) {
        return of(observations, order, normalizer, Tie.NONE);
    }

    /**
     * As {@link #of(List, List, double)}, with tie groups: without tying each pool is its own group; with tying,
     * the observations' {@code group} (one per pool), pools without one forming their own group, and all pools
     * one group (named {@value #ALL}) when no observation names a group.
     */
    static FitData of(List<Observation> observations, List<String> order, double normalizer, Tie tie) {
        if (observations.isEmpty()) {
            throw new BadInputException("no observations to fit");
        }
        Map<String, List<Observation>> byPool = new LinkedHashMap<>();
        for (Observation o : observations) {
            if (o.pool() == null || o.pool().isBlank()) {
                throw new BadInputException("an observation has no pool name");
            }
            if (!Double.isFinite(o.error()) || o.error() < 0 || o.error() > 1) {
                throw new BadInputException("pool '" + o.pool() + "' at " + o.samplesSeen()
                        + " samples: error must be in [0, 1] (error = 1 - accuracy), got " + o.error());
            }
            if (!(o.poolSize() > 0) || !Double.isFinite(o.poolSize())) {
                throw new BadInputException("pool '" + o.pool() + "': pool_size must be > 0, got " + o.poolSize());
            }
            if (!(o.samplesSeen() > 0) || !Double.isFinite(o.samplesSeen())) {
                throw new BadInputException("pool '" + o.pool() + "': samples_seen must be > 0, got " + o.samplesSeen());
            }
            List<Observation> list = byPool.computeIfAbsent(o.pool(), k -> new ArrayList<>());
            if (!list.isEmpty() && list.get(0).poolSize() != o.poolSize()) {
                throw new BadInputException("pool '" + o.pool() + "' has inconsistent sizes " + list.get(0).poolSize()
                        + " and " + o.poolSize() + "; one pool name must have one pool_size (rename one of them)");
            }
            list.add(o);
        }
        List<String> names;
        if (order == null) {
            names = new ArrayList<>(byPool.keySet());
        } else {
            names = new ArrayList<>();
            for (String n : order) {
                if (!byPool.containsKey(n)) {
                    throw new BadInputException("--pools names '" + n + "', which is not in the input; the input has "
                            + byPool.keySet());
                }
                if (names.contains(n)) {
                    throw new BadInputException("--pools lists '" + n + "' twice");
                }
                names.add(n);
            }
            if (names.isEmpty()) {
                throw new BadInputException("--pools is empty; name the pools to fit, best first");
            }
        }
        double[] sizes = new double[names.size()];
        int[] start = new int[names.size() + 1];
        List<Observation> ordered = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            List<Observation> list = byPool.get(names.get(i));
            sizes[i] = list.get(0).poolSize();
            start[i] = ordered.size();
            ordered.addAll(list);
        }
        start[names.size()] = ordered.size();
        boolean anyGroup = observations.stream().anyMatch(o -> o.group() != null);
        List<String> poolGroups = new ArrayList<>();
        for (String n : names) {
            String g = byPool.get(n).get(0).group();
            for (Observation o : byPool.get(n)) {
                if (!java.util.Objects.equals(o.group(), g)) {
                    throw new BadInputException("pool '" + n + "' is in two groups, '" + g + "' and '" + o.group()
                            + "'; give every row of a pool the same group");
                }
            }
            poolGroups.add(!tie.any() ? "pool:" + n : !anyGroup ? ALL : g == null ? "pool:" + n : "group:" + g);
        }
        return new FitData(names, sizes, ordered, start, normalizer, poolGroups);
    }
}
