package org.qqt.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * The named trainable arrays of a model, in creation order, with open_clip's state_dict names. Every array is
 * initialised from its own {@link Random} seeded by (seed, name), so the initial weights are a pure function of
 * the seed: independent of the device, the thread count and the order in which parameters are created.
 */
final class Params {
    private final NDManager manager;
    private final long seed;
    private final Map<String, NDArray> arrays = new LinkedHashMap<>();

    Params(NDManager manager, long seed) {
        this.manager = manager;
        this.seed = seed;
    }

    /** The manager the parameters live in (also holds the model's constant, non-trainable arrays). */
    NDManager manager() {
        return manager;
    }

    Map<String, NDArray> all() {
        return Collections.unmodifiableMap(arrays);
    }

    /** N(0, std²). */
    NDArray normal(String name, double std, long... shape) {
        Random r = rng(name);
        return add(name, fill(shape, () -> (float) (r.nextGaussian() * std)), shape);
    }

    /** U(−bound, bound), PyTorch's default for Linear weights and biases (bound = 1/√fan_in). */
    NDArray uniform(String name, double bound, long... shape) {
        Random r = rng(name);
        return add(name, fill(shape, () -> (float) ((2 * r.nextDouble() - 1) * bound)), shape);
    }

    NDArray constant(String name, float value, long... shape) {
        return add(name, fill(shape, () -> value), shape);
    }

    private Random rng(String name) {
        long h = 1125899906842597L;
        for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
            h = 31 * h + b;
        }
        return new Random(seed * 0x9E3779B97F4A7C15L ^ h);
    }

    private static float[] fill(long[] shape, java.util.function.Supplier<Float> next) {
        long n = new Shape(shape).size();
        float[] v = new float[Math.toIntExact(n)];
        for (int i = 0; i < v.length; i++) {
            v[i] = next.get();
        }
        return v;
    }

    private NDArray add(String name, float[] values, long[] shape) {
        if (arrays.containsKey(name)) {
            throw new IllegalStateException("duplicate parameter " + name);
        }
        NDArray a = manager.create(values, new Shape(shape));
        a.setRequiresGradient(true);
        arrays.put(name, a);
        return a;
    }
}
