package org.qqt.scaling;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.qqt.io.BadInputException;
import org.qqt.io.Json;

/**
 * The params file ({@code params.json}) that {@code qqt fit} writes and {@code qqt predict}/{@code validate}
 * read: a and d shared by all pools, b and τ per pool.
 * <pre>
 * {"a":0.022,"d":0.1,"normalizer":100000,
 *  "pools":[{"name":"top0-10","size":12800000,"b":-0.18,"tau":4.36}, ...],
 *  "fit": {...},            // optional: fit quality (FitReport)
 *  "bootstrap": [...]}      // optional: bootstrap draws, for intervals and prediction bands
 * </pre>
 * Pools are listed in score-rank order (best bucket first); "top k" mixtures are prefixes of this list.
 * This record is the file's only writer ({@link #write}) and reader ({@link #load}): {@code qqt fit},
 * {@code qqt figure6} and {@code qqt figure5} write it; the schema is in docs/scaling-fit.md.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ScalingParams(double a, double d, Double normalizer, List<PoolParams> pools,
                            FitReport fit, List<BootstrapDraw> bootstrap) {

    public ScalingParams {
        pools = pools == null ? List.of() : List.copyOf(pools);
        bootstrap = bootstrap == null ? null : List.copyOf(bootstrap);
    }

    public ScalingParams(double a, double d, double normalizer, List<PoolParams> pools) {
        this(a, d, normalizer, pools, null, null);
    }

    /** N0; 100,000 when the file does not say. */
    public double normalizerOrDefault() {
        return normalizer == null ? Law.DEFAULT_NORMALIZER : normalizer;
    }

    public Law law(LawForm form) {
        return new Law(form, a, d, normalizerOrDefault());
    }

    public PoolParams pool(String name) {
        return pools.stream().filter(p -> p.name().equals(name)).findFirst().orElseThrow(() ->
                new BadInputException("unknown pool '" + name + "'; the params file has "
                        + pools.stream().map(PoolParams::name).toList()));
    }

    /** This params file with the fit's cross-validation recorded in its fit section. */
    public ScalingParams withCrossValidation(CrossValidation cv) {
        return new ScalingParams(a, d, normalizer, pools, fit.withCrossValidation(cv), bootstrap);
    }

    /** Writes the params file (pretty JSON, atomically): the one writer of params.json. */
    public void write(Path file) {
        Json.write(file, this);
    }

    /** Reads and validates a params file; every problem is one line naming the file. */
    public static ScalingParams load(Path file) {
        ScalingParams p = Json.read(file, ScalingParams.class);
        String problem = p.problem();
        if (problem != null) {
            throw BadInputException.inFile(file, problem);
        }
        return p;
    }

    /** The first thing wrong with these params, or null. */
    public String problem() {
        if (pools.isEmpty()) {
            return "no pools: a params file needs \"pools\":[{\"name\":..,\"size\":..,\"b\":..,\"tau\":..}, ...]";
        }
        if (!(a > 0) || !Double.isFinite(a)) {
            return "a must be a positive number, got " + a;
        }
        if (!Double.isFinite(d)) {
            return "d must be a finite number, got " + d;
        }
        if (normalizer != null && !(normalizer > 0)) {
            return "normalizer must be positive, got " + normalizer;
        }
        Set<String> names = new HashSet<>();
        for (PoolParams pool : pools) {
            if (!names.add(pool.name())) {
                return "pool '" + pool.name() + "' is listed twice";
            }
            if (!(pool.size() > 0) || !Double.isFinite(pool.size())) {
                return "pool '" + pool.name() + "': size must be a positive sample count, got " + pool.size();
            }
            if (!(pool.tau() > 0) || !Double.isFinite(pool.tau())) {
                return "pool '" + pool.name() + "': tau must be positive (half-life in epochs), got " + pool.tau();
            }
            if (!Double.isFinite(pool.b())) {
                return "pool '" + pool.name() + "': b must be a finite number, got " + pool.b();
            }
        }
        return null;
    }

    /** One bootstrap refit: a, d and per-pool b, τ in the order of {@link #pools()}. */
    public record BootstrapDraw(double a, double d, List<Double> b, List<Double> tau) {
        public ScalingParams apply(ScalingParams base) {
            List<PoolParams> ps = new java.util.ArrayList<>();
            for (int i = 0; i < base.pools().size(); i++) {
                PoolParams p = base.pools().get(i);
                ps.add(new PoolParams(p.name(), p.size(), b.get(i), tau.get(i)));
            }
            return new ScalingParams(a, d, base.normalizerOrDefault(), ps);
        }
    }
}
