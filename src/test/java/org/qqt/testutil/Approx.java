package org.qqt.testutil;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Relative-tolerance assertions shared by the numeric tests. */
public final class Approx {
    private Approx() {}

    /** |actual − expected| / |expected| ≤ tol, with both values and the ratio in the message. */
    public static void assertRel(double expected, double actual, double tol, String what) {
        double rel = Math.abs(actual - expected) / Math.abs(expected);
        assertTrue(rel <= tol, what + ": expected " + expected + " got " + actual + " (rel " + rel + ")");
    }
}
