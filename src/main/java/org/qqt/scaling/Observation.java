package org.qqt.scaling;

/**
 * One measured point: a run on {@code pool} (a bucket or a mixture name) of {@code poolSize} samples per
 * epoch, evaluated after {@code samplesSeen} samples, with error = 1 − accuracy.
 */
public record Observation(String pool, double poolSize, double samplesSeen, double error) {}
