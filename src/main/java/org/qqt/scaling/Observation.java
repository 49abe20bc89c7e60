package org.qqt.scaling;

/**
 * One measured point: a run on {@code pool} (a bucket or a mixture name) of {@code poolSize} samples per
 * epoch, evaluated after {@code samplesSeen} samples, with error = 1 − accuracy. {@code group} (may be null) names
 * the pools that share tied parameters in a fit ({@link Tie}); it comes from a CSV's optional {@code group} column.
 */
public record Observation(String pool, double poolSize, double samplesSeen, double error, String group) {
    public Observation(String pool, double poolSize, double samplesSeen, double error) {
        this(pool, poolSize, samplesSeen, error, null);
    }
}
