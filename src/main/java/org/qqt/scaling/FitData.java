package org.qqt.scaling;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.qqt.io.BadInputException;

/**
 * Observations grouped by pool, in output order, with the precomputed {@link PointTerms} of every point.
 * Pool i owns the points {@code start[i] .. start[i+1]-1}.
 */
final class FitData {
    final List<String> names;
    final double[] sizes;
    final int[] start;
    final Observation[] points;
    final double[] y;
    final PointTerms[] terms;

    private FitData(List<String> names, double[] sizes, List<Observation> ordered, int[] start, double normalizer) {
        this.names = List.copyOf(names);
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

    /**
     * Groups {@code observations} by pool. {@code order} (may be null) names the pools to fit, in output order;
     * otherwise pools keep their order of first appearance. Every problem is a one-line BadInputException.
     */
    static FitData of(List<Observation> observations, List<String> order, double normalizer) {
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
        return new FitData(names, sizes, ordered, start, normalizer);
    }
}
