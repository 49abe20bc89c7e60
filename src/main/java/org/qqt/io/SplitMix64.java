package org.qqt.io;

/**
 * SplitMix64 (Steele, Lea and Flood, "Fast splittable pseudorandom number generators", OOPSLA 2014; the generator
 * behind {@link java.util.SplittableRandom}): a 64-bit state advanced by the golden gamma, each state scrambled by
 * {@link #mix}. Used to derive independent streams from (seed, stream, index) by hashing.
 */
public final class SplitMix64 {
    /** The state increment: 2^64 / φ, odd. */
    public static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

    private long state;

    public SplitMix64(long seed) {
        this.state = seed;
    }

    /** The next value: the state advanced by {@link #GOLDEN_GAMMA}, mixed. */
    public long nextLong() {
        state += GOLDEN_GAMMA;
        return mix(state);
    }

    /** SplitMix64's finalizer (David Stafford's Mix13): a bijective scramble of all 64 bits. */
    public static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
