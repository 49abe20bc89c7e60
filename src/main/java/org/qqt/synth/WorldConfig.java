package org.qqt.synth;

import java.math.BigInteger;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.qqt.io.BadInputException;
import org.qqt.io.Json;

/**
 * The synthetic world: what scenes contain, how they are drawn, how the pool's quality varies and how large
 * the outputs are. Every key is optional (missing keys take the defaults below); unknown keys are errors.
 * Loaded from YAML or JSON with {@link #load(Path)}; {@code world.json} next to the generated data holds the
 * resolved record. Lengths ({@code smallScale}, {@code largeScale}, {@code positionOffset}, {@code jitter},
 * {@code dupJitter}) are fractions of the image side, so one config works at any {@code imageSize}.
 *
 * @param imageSize      side of the square RGB images in pixels
 * @param shapes         shape names (from the catalogue of 16) objects are drawn from
 * @param colours        colour names (from the catalogue of 16)
 * @param textures       fill patterns: solid, striped, dotted, checkered (outlined is reserved for imagenet-r)
 * @param backgrounds    black, gray, white, striped, checkered, noisy (gradient and grid: for objectnet)
 * @param oodShapes      catalogue shapes that never occur in the pool: the imagenet-o task draws them
 * @param smallScale     side of a small object's bounding box
 * @param largeScale     side of a large object's bounding box
 * @param pLarge         probability that an object is large
 * @param positionOffset distance of the outer grid cells' centres from the image centre
 * @param objectCounts   relative weights of scenes with 1, 2, 3, 4 objects (length 1 to 4)
 * @param pSameObjects   probability that a multi-object scene repeats one shape and colour ("two blue circles")
 * @param jitter         maximum displacement of an object from its cell centre
 * @param pixelNoise     standard deviation of Gaussian pixel noise (fraction of 255)
 * @param heldOutCombos  shape–colour pairs that never occur in pool or teacher set (probed by the cars task)
 * @param corruptions    corruption kinds of low-quality images: noise, blur, jpeg, occlusion
 * @param jpegQuality    JPEG quality of pool and teacher images
 * @param poolSize       samples in the pool
 * @param teacherSize    samples in the clean teacher set
 * @param shardSize      samples per tar shard
 * @param quality        the latent quality model
 * @param tasks          sizes of the 18 evaluation tasks
 */
public record WorldConfig(Integer imageSize, List<String> shapes, List<String> colours, List<String> textures,
                          List<String> backgrounds, List<String> oodShapes, Double smallScale, Double largeScale,
                          Double pLarge, Double positionOffset, List<Double> objectCounts, Double pSameObjects,
                          Double jitter, Double pixelNoise, Integer heldOutCombos, List<String> corruptions,
                          Integer jpegQuality, Integer poolSize, Integer teacherSize, Integer shardSize,
                          QualityConfig quality, TaskOptions tasks) {

    public WorldConfig {
        imageSize = imageSize == null ? 32 : imageSize;
        shapes = shapes == null
                ? List.of("circle", "square", "triangle", "star", "cross", "ring", "diamond", "arrow")
                : List.copyOf(shapes);
        colours = colours == null
                ? List.of("red", "orange", "yellow", "lime", "green", "cyan", "blue", "purple", "pink", "brown")
                : List.copyOf(colours);
        textures = textures == null ? List.of("solid", "striped", "dotted", "checkered") : List.copyOf(textures);
        backgrounds = backgrounds == null
                ? List.of("black", "gray", "white", "striped", "checkered", "noisy")
                : List.copyOf(backgrounds);
        oodShapes = oodShapes == null ? List.of("heart", "crescent", "semicircle", "bolt") : List.copyOf(oodShapes);
        smallScale = smallScale == null ? 0.34 : smallScale;
        largeScale = largeScale == null ? 0.55 : largeScale;
        pLarge = pLarge == null ? 0.5 : pLarge;
        positionOffset = positionOffset == null ? 0.27 : positionOffset;
        objectCounts = objectCounts == null ? List.of(0.55, 0.3, 0.1, 0.05) : List.copyOf(objectCounts);
        pSameObjects = pSameObjects == null ? 0.3 : pSameObjects;
        jitter = jitter == null ? 0.03 : jitter;
        pixelNoise = pixelNoise == null ? 0.02 : pixelNoise;
        heldOutCombos = heldOutCombos == null ? 10 : heldOutCombos;
        corruptions = corruptions == null ? List.of("noise", "blur", "jpeg", "occlusion") : List.copyOf(corruptions);
        jpegQuality = jpegQuality == null ? 90 : jpegQuality;
        poolSize = poolSize == null ? 50_000 : poolSize;
        teacherSize = teacherSize == null ? 50_000 : teacherSize;
        shardSize = shardSize == null ? 10_000 : shardSize;
        quality = quality == null ? QualityConfig.defaults() : quality;
        tasks = tasks == null ? TaskOptions.defaults() : tasks;
    }

    /** The default world (every key at its default). */
    public static WorldConfig defaults() {
        return new WorldConfig(null, null, null, null, null, null, null, null, null, null, null, null, null, null,
                null, null, null, null, null, null, null, null);
    }

    /** Reads and validates a world config; every problem is a one-line BadInputException naming the file. */
    public static WorldConfig load(Path file) {
        WorldConfig c;
        try {
            c = Json.read(file, WorldConfig.class);
        } catch (BadInputException e) {
            throw e;
        } catch (RuntimeException e) {
            throw BadInputException.inFile(file, "invalid world config: " + rootMessage(e));
        }
        if (c == null) {
            return defaults().validated(file);
        }
        return c.validated(file);
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String m = t.getMessage();
        return m == null ? t.toString() : m.lines().findFirst().orElse(m);
    }

    public WorldConfig withPoolSize(int n) {
        return new WorldConfig(imageSize, shapes, colours, textures, backgrounds, oodShapes, smallScale, largeScale,
                pLarge, positionOffset, objectCounts, pSameObjects, jitter, pixelNoise, heldOutCombos, corruptions,
                jpegQuality, n, teacherSize, shardSize, quality, tasks);
    }

    public WorldConfig withImageSize(int n) {
        return new WorldConfig(n, shapes, colours, textures, backgrounds, oodShapes, smallScale, largeScale,
                pLarge, positionOffset, objectCounts, pSameObjects, jitter, pixelNoise, heldOutCombos, corruptions,
                jpegQuality, poolSize, teacherSize, shardSize, quality, tasks);
    }

    /** Checks every value; {@code source} names the file in messages (may be null for built-in configs). */
    public WorldConfig validated(Path source) {
        Path src = source == null ? Path.of("<world config>") : source;
        check(src, imageSize >= 8 && imageSize <= 1024, "imageSize must be in [8, 1024], got " + imageSize);
        checkNames(src, "shapes", shapes, Catalog.SHAPES.keySet(), 2);
        checkNames(src, "colours", colours, Catalog.COLOURS.keySet(), 2);
        checkNames(src, "textures", textures, Catalog.TEXTURES.keySet(), 1);
        checkNames(src, "backgrounds", backgrounds, Catalog.BACKGROUNDS.keySet(), 1);
        checkNames(src, "oodShapes", oodShapes, Catalog.SHAPES.keySet(), 1);
        check(src, !textures.contains("outlined"), "textures: 'outlined' is reserved for the imagenet-r task; remove it");
        for (String s : oodShapes) {
            check(src, !shapes.contains(s), "oodShapes: '" + s + "' is also in shapes; OOD shapes must be unseen");
        }
        check(src, smallScale > 0 && smallScale <= 1, "smallScale must be in (0, 1], got " + smallScale);
        check(src, largeScale > 0 && largeScale <= 1, "largeScale must be in (0, 1], got " + largeScale);
        check(src, largeScale > smallScale, "largeScale must exceed smallScale");
        check(src, pLarge >= 0 && pLarge <= 1, "pLarge must be in [0, 1], got " + pLarge);
        check(src, positionOffset > 0 && positionOffset < 0.5, "positionOffset must be in (0, 0.5), got " + positionOffset);
        check(src, !objectCounts.isEmpty() && objectCounts.size() <= 4,
                "objectCounts: give 1 to 4 weights (for 1, 2, 3, 4 objects)");
        check(src, objectCounts.stream().allMatch(w -> w >= 0) && objectCounts.stream().mapToDouble(w -> w).sum() > 0,
                "objectCounts: weights must be ≥ 0 with a positive sum");
        check(src, pSameObjects >= 0 && pSameObjects <= 1, "pSameObjects must be in [0, 1]");
        check(src, jitter >= 0 && jitter < 0.5, "jitter must be in [0, 0.5), got " + jitter);
        check(src, pixelNoise >= 0 && pixelNoise <= 1, "pixelNoise must be in [0, 1], got " + pixelNoise);
        check(src, heldOutCombos >= 0 && heldOutCombos < shapes.size() * colours.size() / 2,
                "heldOutCombos must be in [0, shapes × colours / 2), got " + heldOutCombos);
        checkNames(src, "corruptions", corruptions, Set.of("noise", "blur", "jpeg", "occlusion"), 1);
        check(src, jpegQuality >= 1 && jpegQuality <= 100, "jpegQuality must be in [1, 100], got " + jpegQuality);
        check(src, poolSize >= 1, "poolSize must be ≥ 1, got " + poolSize);
        check(src, teacherSize >= 1, "teacherSize must be ≥ 1, got " + teacherSize);
        check(src, shardSize >= 1, "shardSize must be ≥ 1, got " + shardSize);
        check(src, quality.alpha() > 0 && quality.beta() > 0, "quality.alpha and quality.beta must be > 0");
        check(src, quality.dupGroups() >= 1, "quality.dupGroups must be ≥ 1");
        check(src, quality.dupJitter() >= 0 && quality.dupJitter() < 0.5, "quality.dupJitter must be in [0, 0.5)");
        check(src, tasks.size() >= 1, "tasks.size must be ≥ 1");
        check(src, tasks.captionsPerImage() >= 1, "tasks.captionsPerImage must be ≥ 1");
        for (var e : tasks.sizes().entrySet()) {
            check(src, EvalTasks.KEYS.contains(e.getKey()), "tasks.sizes: unknown task '" + e.getKey()
                    + "' (known: " + EvalTasks.KEYS + ")");
            check(src, e.getValue() != null && e.getValue() >= 1, "tasks.sizes." + e.getKey() + " must be ≥ 1");
        }
        return this;
    }

    private static void check(Path src, boolean ok, String message) {
        if (!ok) {
            throw BadInputException.inFile(src, message);
        }
    }

    private static void checkNames(Path src, String key, List<String> names, Set<String> known, int min) {
        check(src, names.size() >= min, key + ": give at least " + min + " entries");
        check(src, new LinkedHashSet<>(names).size() == names.size(), key + ": names must be distinct");
        for (String n : names) {
            check(src, known.contains(n), key + ": unknown name '" + n + "' (known: " + known + ")");
        }
    }

    // ---- derived facts ----

    /** Normalised weights of 1..4 objects per scene. */
    double[] countWeights() {
        return objectCounts.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /**
     * The shape–colour pairs (shape index, colour index in this world's lists) that never occur in pool or
     * teacher scenes. Spread so that each shape and each colour is held out about equally often.
     */
    List<int[]> heldOutPairs() {
        int s = shapes.size();
        int c = colours.size();
        List<int[]> out = new ArrayList<>();
        Set<Integer> seen = new java.util.HashSet<>();
        for (int k = 0; out.size() < heldOutCombos && k < 4 * s * c; k++) {
            int shape = k % s;
            int colour = Math.floorMod(7 * k + 3 + k / c, c);
            if (seen.add(shape * c + colour)) {
                out.add(new int[] {shape, colour});
            }
        }
        // fallback (not reached for the shipped configs): colour-major order keeps every shape below c/2 pairs
        for (int k = 0; out.size() < heldOutCombos; k++) {
            int shape = k % s;
            int colour = k / s;
            if (seen.add(shape * c + colour)) {
                out.add(new int[] {shape, colour});
            }
        }
        return out;
    }

    boolean isHeldOut(int shape, int colour) {
        for (int[] p : heldOutPairs()) {
            if (p[0] == shape && p[1] == colour) {
                return true;
            }
        }
        return false;
    }

    /** How many distinct scenes the world can produce; see {@link AttributeSpace}. */
    public AttributeSpace attributeSpace() {
        long objectLooks = (long) (shapes.size() * colours.size() - heldOutCombos) * 2 * textures.size();
        BigInteger scenes = BigInteger.ZERO;
        for (int n = 1; n <= objectCounts.size(); n++) {
            if (objectCounts.get(n - 1) <= 0) {
                continue;
            }
            BigInteger cells = binomial(9, n);
            scenes = scenes.add(cells.multiply(BigInteger.valueOf(objectLooks).pow(n)));
        }
        scenes = scenes.multiply(BigInteger.valueOf(backgrounds.size()));
        long single = objectLooks * 9 * backgrounds.size();
        return new AttributeSpace(objectLooks * 9, single, scenes);
    }

    private static BigInteger binomial(int n, int k) {
        BigInteger r = BigInteger.ONE;
        for (int i = 0; i < k; i++) {
            r = r.multiply(BigInteger.valueOf(n - i)).divide(BigInteger.valueOf(i + 1));
        }
        return r;
    }
}
