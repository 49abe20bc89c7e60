package org.qqt.synth;

import static org.qqt.io.SplitMix64.mix;

import org.qqt.io.SplitMix64;

/**
 * Deterministic randomness for the world: every sample draws from its own generator, derived by hashing
 * (seed, stream, index) with SplitMix64. A sample is therefore a pure function of those three numbers,
 * independent of thread scheduling, of the order samples are made in, and of how many are made.
 */
final class Rng {
    /** Stream ids: one per kind of thing the world generates, so that streams never overlap. */
    static final long POOL = 1, TEACHER = 2, DUP_TEMPLATES = 3, UID = 4, RENDER = 5, TASK = 100;

    /** A second odd multiplier (Murmur3's), so that stream and index spread differently. */
    private static final long INDEX_MULTIPLIER = 0xC2B2AE3D27D4EB4FL;

    private final SplitMix64 bits;

    Rng(long seed, long stream, long index) {
        this.bits = new SplitMix64(mix(mix(mix(seed) ^ (stream * SplitMix64.GOLDEN_GAMMA)) ^ (index * INDEX_MULTIPLIER)));
    }

    /** A stream id for one of the evaluation tasks, distinct from the pool's and teacher's streams. */
    static long taskStream(String key) {
        long h = TASK;
        for (int i = 0; i < key.length(); i++) {
            h = h * 31 + key.charAt(i);
        }
        return mix(h);
    }

    long nextLong() {
        return bits.nextLong();
    }

    /** Uniform in [0, 1). */
    double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    /** Uniform in [0, n). */
    int nextInt(int n) {
        if (n <= 0) {
            throw new IllegalArgumentException("n must be > 0, got " + n);
        }
        return (int) Math.floorMod(nextLong() >>> 1, (long) n);
    }

    /** Uniform in [lo, hi). */
    double uniform(double lo, double hi) {
        return lo + (hi - lo) * nextDouble();
    }

    boolean bernoulli(double p) {
        return nextDouble() < p;
    }

    double gaussian() {
        double u1 = nextDouble();
        double u2 = nextDouble();
        return Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
    }

    /**
     * An approximately standard normal draw from one 64-bit word: the centred, scaled sum of four 16-bit
     * uniforms (Irwin–Hall, |z| ≤ 3.46). Four times cheaper than {@link #gaussian()}; used for pixel noise.
     */
    double fastGaussian() {
        long x = nextLong();
        double sum = (x & 0xFFFF) + ((x >>> 16) & 0xFFFF) + ((x >>> 32) & 0xFFFF) + ((x >>> 48) & 0xFFFF);
        return (sum / 65536.0 - 2.0) * 1.7320508075688772;
    }

    <T> T pick(java.util.List<T> items) {
        return items.get(nextInt(items.size()));
    }

    /** An index drawn with the given (not necessarily normalised) weights. */
    int weighted(double[] weights) {
        double total = 0;
        for (double w : weights) {
            total += w;
        }
        double u = nextDouble() * total;
        for (int i = 0; i < weights.length; i++) {
            u -= weights[i];
            if (u < 0) {
                return i;
            }
        }
        return weights.length - 1;
    }
}
