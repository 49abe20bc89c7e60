package org.qqt.synth;

import java.util.ArrayList;
import java.util.List;

/**
 * Draws scenes from a world: the number of objects, distinct grid cells, and each object's attributes,
 * uniformly over the world's lists (sizes with {@code pLarge}). Pool and teacher scenes never contain a
 * held-out shape–colour pair. Pure: the scene is a function of the world and the {@link Rng} state.
 */
final class SceneSampler {
    private final World world;

    SceneSampler(World world) {
        this.world = world;
    }

    /** A scene for the pool or the teacher set (held-out pairs excluded). */
    Scene sample(Rng rng) {
        return sample(rng, 1 + rng.weighted(world.config.countWeights()), true);
    }

    /** A scene with exactly {@code n} objects on distinct cells. */
    Scene sample(Rng rng, int n, boolean excludeHeldOut) {
        WorldConfig c = world.config;
        boolean same = n > 1 && rng.bernoulli(c.pSameObjects());
        int[] cells = distinctCells(rng, n);
        List<SceneObject> objects = new ArrayList<>(n);
        SceneObject first = null;
        for (int i = 0; i < n; i++) {
            if (same && first != null) {
                objects.add(place(rng, first.shape(), first.colour(), first.large(), first.texture(), cells[i],
                        c.jitter(), 0));
            } else {
                SceneObject o = object(rng, null, null, null, null, cells[i], c.jitter(), excludeHeldOut);
                objects.add(o);
                first = o;
            }
        }
        return new Scene(rng.pick(world.backgrounds()), objects, same);
    }

    /**
     * One object; null attributes are drawn at random from the world's lists. With {@code excludeHeldOut},
     * a random colour is redrawn until the shape–colour pair is not held out.
     */
    SceneObject object(Rng rng, String shape, String colour, Boolean large, String texture, int cell,
                       double jitter, boolean excludeHeldOut) {
        WorldConfig c = world.config;
        int si = shape == null ? rng.nextInt(c.shapes().size()) : c.shapes().indexOf(shape);
        String s = shape == null ? c.shapes().get(si) : shape;
        String col;
        if (colour != null) {
            col = colour;
        } else {
            int ci = rng.nextInt(c.colours().size());
            while (excludeHeldOut && si >= 0 && world.isHeldOut(si, ci)) {
                ci = rng.nextInt(c.colours().size());
            }
            col = c.colours().get(ci);
        }
        boolean l = large == null ? rng.bernoulli(c.pLarge()) : large;
        String t = texture == null ? rng.pick(c.textures()) : texture;
        return place(rng, s, col, l, t, cell, jitter, 0);
    }

    /** Places an object with fixed attributes in a cell, jittered by at most {@code jitter}. */
    SceneObject place(Rng rng, String shape, String colour, boolean large, String texture, int cell,
                      double jitter, double rotation) {
        double[] centre = world.cellCentre(cell);
        double scale = large ? world.config.largeScale() : world.config.smallScale();
        return new SceneObject(shape, colour, texture, large, cell,
                centre[0] + rng.uniform(-jitter, jitter), centre[1] + rng.uniform(-jitter, jitter), scale, rotation);
    }

    /** {@code n} distinct cells of the 3x3 grid in random order. */
    static int[] distinctCells(Rng rng, int n) {
        int[] all = {0, 1, 2, 3, 4, 5, 6, 7, 8};
        for (int i = 0; i < n; i++) {
            int j = i + rng.nextInt(9 - i);
            int t = all[i];
            all[i] = all[j];
            all[j] = t;
        }
        return java.util.Arrays.copyOf(all, n);
    }
}
