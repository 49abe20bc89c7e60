package org.qqt.synth;

import java.util.List;

/**
 * A validated world config with its derived lookups (held-out pairs), shared read-only by the sampler,
 * renderer, captioner and task generators. Immutable and thread-safe.
 */
final class World {
    final WorldConfig config;
    final long seed;
    private final boolean[][] heldOut;
    final List<int[]> heldOutPairs;

    World(WorldConfig config, long seed) {
        this.config = config;
        this.seed = seed;
        this.heldOutPairs = config.heldOutPairs();
        this.heldOut = new boolean[config.shapes().size()][config.colours().size()];
        for (int[] p : heldOutPairs) {
            heldOut[p[0]][p[1]] = true;
        }
    }

    boolean isHeldOut(int shape, int colour) {
        return heldOut[shape][colour];
    }

    int size() {
        return config.imageSize();
    }

    List<String> shapes() {
        return config.shapes();
    }

    List<String> colours() {
        return config.colours();
    }

    List<String> textures() {
        return config.textures();
    }

    List<String> backgrounds() {
        return config.backgrounds();
    }

    /** Centre of a grid cell (row-major from the top left) as fractions of the image side: {x, y}. */
    double[] cellCentre(int cell) {
        double off = config.positionOffset();
        return new double[] {0.5 + (cell % 3 - 1) * off, 0.5 + (cell / 3 - 1) * off};
    }
}
