package org.qqt.scaling;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * Scaling parameters of one pool (a quality bucket): its size N (samples per epoch when trained alone),
 * its utility b (&lt; 0; more negative = more useful) and its half-life τ in epochs.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PoolParams(String name, double size, double b, double tau) {
    public PoolParams {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("pool without a name");
        }
    }

    /** δ = 0.5^(1/τ): the factor by which utility shrinks per repetition. */
    public double delta() {
        return Math.pow(0.5, 1.0 / tau);
    }
}
