package org.qqt.scaling;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.qqt.io.BadInputException;

/**
 * A mixture of pools trained on as one merged pool (drawn uniformly at random): N̂ = Σ N_i samples per epoch,
 * each pool's half-life stretched to τ̂_i = (N̂/N_i)·τ_i (Theorem 1 + App. G, see {@link #schedule}).
 *
 * <p>Its name is its pools' names joined with {@code "+"} ({@code top0-10+top10-20}); a one-pool mixture is
 * named like its pool. Pool names therefore must not contain {@code '+'} to be addressable in a mixture.
 */
public record Mixture(String name, List<PoolParams> pools) {
    public static final String SEPARATOR = "+";

    public Mixture {
        if (pools == null || pools.isEmpty()) {
            throw new IllegalArgumentException("empty mixture");
        }
        pools = List.copyOf(pools);
    }

    /** The mixture of {@code pools}, named by the "+"-join of their names. */
    public static Mixture of(List<PoolParams> pools) {
        return new Mixture(joinNames(pools), pools);
    }

    /** N̂ = Σ N_i: samples in one epoch of the merged pool. */
    public double size() {
        return pools.stream().mapToDouble(PoolParams::size).sum();
    }

    public List<String> poolNames() {
        return pools.stream().map(PoolParams::name).toList();
    }

    /**
     * What each epoch of this mixture is worth under {@code objective}: the pools drawn uniformly at random, each
     * pool's half-life stretched to τ̂_i = (N̂/N_i)·τ_i. A one-pool mixture is exactly that pool.
     */
    public UtilitySchedule schedule(Objective objective) {
        double total = size();
        double[] b = new double[pools.size()];
        double[] tauHat = new double[pools.size()];
        for (int i = 0; i < b.length; i++) {
            PoolParams p = pools.get(i);
            b[i] = p.b();
            tauHat[i] = (total / p.size()) * p.tau();
        }
        return new UtilitySchedule.MergedPools(b, tauHat, objective == Objective.UTILITY);
    }

    /** The same pools (same name) with their parameters taken from {@code params} (e.g. a bootstrap draw). */
    public Mixture in(ScalingParams params) {
        return new Mixture(name, pools.stream().map(p -> params.pool(p.name())).toList());
    }

    /**
     * The "top k" mixtures, k = 1..p: prefixes of the pools in the given order. {@link MixtureOrder#B} sorts by
     * ascending b (stable, so equal b keep file order), as the reference's {@code np.argsort} does.
     */
    public static List<Mixture> prefixes(ScalingParams params, MixtureOrder order) {
        List<PoolParams> sorted = new ArrayList<>(params.pools());
        if (order == MixtureOrder.B) {
            sorted.sort(Comparator.comparingDouble(PoolParams::b)); // List.sort is stable
        }
        List<Mixture> out = new ArrayList<>();
        for (int k = 1; k <= sorted.size(); k++) {
            out.add(of(sorted.subList(0, k)));
        }
        return out;
    }

    /**
     * Parses a mixture name such as {@code top0-10+top10-20} (or one pool name) against the pools of
     * {@code params}. An unknown pool is a one-line {@link BadInputException} listing the known pools.
     */
    public static Mixture parse(String spec, ScalingParams params) {
        String s = spec.trim();
        List<PoolParams> pools = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        for (String part : s.split("\\+", -1)) {
            String n = part.trim();
            PoolParams p = params.pools().stream().filter(q -> q.name().equals(n)).findFirst().orElse(null);
            if (p == null) {
                throw new BadInputException("unknown pool '" + n + "' in mixture '" + spec + "'; known pools: "
                        + String.join(", ", params.pools().stream().map(PoolParams::name).toList())
                        + " (join them with '+', e.g. " + joinNames(params.pools().subList(0,
                        Math.min(2, params.pools().size()))) + ")");
            }
            if (!seen.add(n)) {
                throw new BadInputException("pool '" + n + "' appears twice in mixture '" + spec + "'");
            }
            pools.add(p);
        }
        return of(pools);
    }

    static String joinNames(List<PoolParams> pools) {
        return String.join(SEPARATOR, pools.stream().map(PoolParams::name).toList());
    }
}
