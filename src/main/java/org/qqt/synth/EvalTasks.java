package org.qqt.synth;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The 18 synthetic evaluation tasks, in the roles of the real 18 of DataComp / the scaling-law paper: 16
 * zero-shot classification tasks that probe one attribute or one distribution shift each, and 2 image–text
 * retrieval tasks. Test image {@code i} of a task is a pure function of (world, seed, task key, i); labels
 * cycle through the classes, so every class has ⌊n/C⌋ or ⌈n/C⌉ images. Documented in datasets/README.md.
 */
public final class EvalTasks {
    /** The 18 task keys, as in DataComp and the paper's code. */
    public static final List<String> KEYS = List.of("imagenet1k", "imagenetv2", "imagenet-r", "imagenet-a",
            "imagenet_sketch", "imagenet-o", "objectnet", "vtab/caltech101", "cifar10", "vtab/cifar100",
            "vtab/flowers", "vtab/pets", "vtab/resisc45", "food101", "voc2007", "cars",
            "retrieval/flickr_1k_test_image_text_retrieval", "retrieval/mscoco_2014_5k_test_image_text_retrieval");

    static final List<String> OBJECT_T = List.of("a photo of the {c}.", "the {c}.", "{c}.", "a picture of the {c}.",
            "an image of the {c}.");
    static final List<String> RENDITION_T = concat(OBJECT_T, List.of("a drawing of the {c}.", "an outline of the {c}."));
    static final List<String> SKETCH_T = concat(OBJECT_T, List.of("a sketch of the {c}.", "a drawing of the {c}."));
    static final List<String> COLOUR_T = List.of("a photo of the {c} shape.", "the {c} object.", "the {c} shape.",
            "a picture of the {c} object.", "{c}.");
    static final List<String> TEXTURE_T = List.of("the {c} shape.", "a photo of the {c} object.",
            "a picture of the {c} shape.", "{c}.");
    static final List<String> POSITION_T = List.of("a shape in the {c}.", "an object in the {c}.",
            "a photo of a shape in the {c}.", "a picture of an object in the {c}.");
    static final List<String> BACKGROUND_T = List.of("a shape on a {c} background.", "an object on a {c} background.",
            "a photo of a shape on a {c} background.", "a picture of an object on a {c} background.");

    private final World world;
    private final SceneSampler sampler;
    private final Captioner captioner;
    private final List<SynthTaskSpec> specs;

    public EvalTasks(WorldConfig config, long seed) {
        this.world = new World(config, seed);
        this.sampler = new SceneSampler(world);
        this.captioner = new Captioner(world);
        List<SynthTaskSpec> s = new ArrayList<>();
        for (String key : KEYS) {
            s.add(spec(key));
        }
        this.specs = List.copyOf(s);
    }

    public List<SynthTaskSpec> specs() {
        return specs;
    }

    public SynthTaskSpec spec(String key) {
        TaskOptions o = world.config.tasks();
        WorldConfig c = world.config;
        int n = o.sizeOf(key);
        return switch (key) {
            case "imagenet1k" -> shapeColourTask(key, "ImageNet 1k",
                    "ImageNet: the headline task, many object classes",
                    "shape and colour together on clean one-object scenes (any size, texture, position, background)",
                    n);
            case "imagenetv2" -> shapeColourTask(key, "ImageNet v2", "ImageNet re-collected: same classes, new sample",
                    "the imagenet1k classes on an independent sample with 1.5× the position jitter", n);
            case "imagenet-r" -> cls(key, "ImageNet-R", "renditions (art, cartoons) of ImageNet classes",
                    "the imagenet1k classes drawn as coloured outlines, a style never seen in the pool",
                    shapeColourClasses(c.shapes()), RENDITION_T, n, "acc1");
            case "imagenet-a" -> shapeColourTask(key, "ImageNet-A", "natural adversarial (hard, cluttered) images",
                    "a large target among 2–3 small distractor objects on a noisy image; the label is the large object",
                    n);
            case "imagenet_sketch" -> cls(key, "ImageNet Sketch", "black-and-white sketches of ImageNet classes",
                    "shape alone, from grey outlines on white (no colour, texture or background)",
                    c.shapes(), SKETCH_T, n, "acc1");
            case "imagenet-o" -> cls(key, "ImageNet-O", "out-of-distribution images the model should not know",
                    "shapes never seen in the pool (with known colours): only the colour half of the class can transfer",
                    shapeColourClasses(c.oodShapes()), OBJECT_T, n, "acc1");
            case "objectnet" -> shapeColourTask(key, "ObjectNet",
                    "objects in unusual poses, positions and backgrounds",
                    "the imagenet1k classes rotated at random, off-grid, on unseen backgrounds (gradient, grid)", n);
            case "vtab/caltech101" -> cls(key, "Caltech-101", "object categories, many classes",
                    "shape and texture together (colour, size, position and background vary)",
                    pairs(c.textures(), c.shapes()), OBJECT_T, n, "mean_per_class_recall");
            case "cifar10" -> cls(key, "CIFAR-10", "coarse classes on small images",
                    "colour alone", c.colours(), COLOUR_T, n, "acc1");
            case "vtab/cifar100" -> cls(key, "CIFAR-100", "finer classes on small images",
                    "shape alone", c.shapes(), OBJECT_T, n, "acc1");
            case "vtab/flowers" -> cls(key, "Oxford Flowers-102", "fine-grained appearance (petal patterns)",
                    "texture (fill pattern) alone", c.textures(), TEXTURE_T, n, "mean_per_class_recall");
            case "vtab/pets" -> cls(key, "Oxford-IIIT Pet", "fine-grained breeds that differ in build",
                    "size and shape together", pairs(List.of("small", "large"), c.shapes()), OBJECT_T, n,
                    "mean_per_class_recall");
            case "vtab/resisc45" -> cls(key, "RESISC45", "remote sensing: where things are in a scene layout",
                    "position on the 3x3 grid", positionClasses(), POSITION_T, n, "acc1");
            case "food101" -> cls(key, "Food-101", "a domain set apart by context and surface",
                    "background alone", c.backgrounds(), BACKGROUND_T, n, "acc1");
            case "voc2007" -> shapeColourTask(key, "Pascal VOC 2007", "objects cropped from multi-object scenes",
                    "shape and colour of one object cropped from a 2–4 object scene (neighbours intrude)", n);
            case "cars" -> cls(key, "Stanford Cars", "fine-grained classes that differ in combinations of parts",
                    "shape–colour combinations held out of pool and teacher set (compositional generalisation)",
                    heldOutClasses(), OBJECT_T, n, "acc1");
            case "retrieval/flickr_1k_test_image_text_retrieval" -> new SynthTaskSpec(key, "Flickr", true,
                    "image–text retrieval on everyday scenes",
                    "retrieval on scenes from the pool's distribution (1–4 objects), " + o.captionsPerImage()
                            + " correct captions per image", List.of(), List.of(), n, "mean_recall@1");
            case "retrieval/mscoco_2014_5k_test_image_text_retrieval" -> new SynthTaskSpec(key, "MSCOCO", true,
                    "image–text retrieval on cluttered scenes with several objects",
                    "retrieval on scenes of 2–4 objects, " + o.captionsPerImage() + " correct captions per image",
                    List.of(), List.of(), n, "mean_recall@1");
            default -> throw new IllegalArgumentException("unknown task " + key);
        };
    }

    private static SynthTaskSpec cls(String key, String dataset, String mirrors, String probes, List<String> classes,
                                List<String> templates, int n, String metric) {
        return new SynthTaskSpec(key, dataset, false, mirrors, probes, classes, templates, n, metric);
    }

    /** A task over the pool's shape–colour classes with the object templates, scored by top-1 accuracy. */
    private SynthTaskSpec shapeColourTask(String key, String dataset, String mirrors, String probes, int n) {
        return cls(key, dataset, mirrors, probes, shapeColourClasses(world.config.shapes()), OBJECT_T, n, "acc1");
    }

    private List<String> shapeColourClasses(List<String> shapes) {
        return pairs(world.colours(), shapes);
    }

    /** "a b" for every b, then every a: index = bIndex · |a| + aIndex. */
    private static List<String> pairs(List<String> first, List<String> second) {
        List<String> out = new ArrayList<>();
        for (String b : second) {
            for (String a : first) {
                out.add(a + " " + b);
            }
        }
        return out;
    }

    private static List<String> positionClasses() {
        return Catalog.POSITIONS.stream().map(Catalog.Word::name).toList();
    }

    private List<String> heldOutClasses() {
        List<String> out = new ArrayList<>();
        for (int[] p : world.heldOutPairs) {
            out.add(world.colours().get(p[1]) + " " + world.shapes().get(p[0]));
        }
        if (out.isEmpty()) { // no held-out pairs: fall back to every pair, so the task still exists
            return shapeColourClasses(world.shapes());
        }
        return out;
    }

    /** Test sample {@code index} of {@code spec}. */
    public SynthTaskSample sample(SynthTaskSpec spec, int index) {
        Rng rng = new Rng(world.seed, Rng.taskStream(spec.key()), index);
        int size = world.size();
        double noise = world.config.pixelNoise();
        double jitter = world.config.jitter();
        if (spec.retrieval()) {
            return retrieval(spec, rng);
        }
        int label = index % spec.classnames().size();
        WorldConfig c = world.config;
        int nc = c.colours().size();
        Scene scene;
        Renderer.Style style = Renderer.Style.NORMAL;
        switch (spec.key()) {
            case "imagenet1k", "imagenetv2", "imagenet-r" -> {
                double j = spec.key().equals("imagenetv2") ? 1.5 * jitter : jitter;
                String texture = spec.key().equals("imagenet-r") ? "outlined" : null;
                scene = single(rng, c.shapes().get(label / nc), c.colours().get(label % nc), null, texture,
                        rng.nextInt(9), j, null);
            }
            case "imagenet-o" -> scene = single(rng, c.oodShapes().get(label / nc), c.colours().get(label % nc),
                    null, null, rng.nextInt(9), jitter, null);
            case "imagenet_sketch" -> {
                style = Renderer.Style.SKETCH;
                scene = single(rng, c.shapes().get(label), null, null, "solid", rng.nextInt(9), jitter, null);
            }
            case "objectnet" -> {
                SceneObject o = sampler.object(rng, c.shapes().get(label / nc), c.colours().get(label % nc), null, null,
                        rng.nextInt(9), 0.1, false);
                o = new SceneObject(o.shape(), o.colour(), o.texture(), o.large(), o.cell(), o.cx(), o.cy(),
                        o.scale(), rng.uniform(0, 360));
                scene = new Scene(rng.bernoulli(0.5) ? "gradient" : "grid", List.of(o), false);
            }
            case "imagenet-a" -> {
                scene = cluttered(rng, c.shapes().get(label / nc), c.colours().get(label % nc));
                noise = Math.max(noise, 0.06);
            }
            case "vtab/caltech101" -> {
                int nt = c.textures().size();
                scene = single(rng, c.shapes().get(label / nt), null, null, c.textures().get(label % nt),
                        rng.nextInt(9), jitter, null);
            }
            case "cifar10" -> scene = single(rng, null, c.colours().get(label), null, null, rng.nextInt(9), jitter, null);
            case "vtab/cifar100" -> scene = single(rng, c.shapes().get(label), null, null, null, rng.nextInt(9), jitter,
                    null);
            case "vtab/flowers" -> scene = single(rng, null, null, null, c.textures().get(label), rng.nextInt(9),
                    jitter, null);
            case "vtab/pets" -> scene = single(rng, c.shapes().get(label / 2), null, label % 2 == 1, null,
                    rng.nextInt(9), jitter, null);
            case "vtab/resisc45" -> scene = single(rng, null, null, null, null, label, jitter, null);
            case "food101" -> scene = single(rng, null, null, null, null, rng.nextInt(9), jitter,
                    c.backgrounds().get(label));
            case "cars" -> {
                String[] sc = spec.classnames().get(label).split(" ", 2);
                scene = single(rng, sc[1], sc[0], null, null, rng.nextInt(9), jitter, null);
            }
            case "voc2007" -> {
                return vocCrop(rng, c.shapes().get(label / nc), c.colours().get(label % nc), label);
            }
            default -> throw new IllegalArgumentException("unknown task " + spec.key());
        }
        BufferedImage img = Renderer.render(scene, size, style, noise, rng);
        return new SynthTaskSample(img, label, List.of());
    }

    private Scene single(Rng rng, String shape, String colour, Boolean large, String texture, int cell,
                         double jitter, String background) {
        SceneObject o = sampler.object(rng, shape, colour, large, texture, cell, jitter, false);
        String bg = background != null ? background : rng.pick(world.backgrounds());
        return new Scene(bg, List.of(o), false);
    }

    /** A large target drawn over 2–3 small distractors that differ from it in shape and colour. */
    private Scene cluttered(Rng rng, String shape, String colour) {
        int n = 2 + rng.nextInt(2);
        int[] cells = SceneSampler.distinctCells(rng, n + 1);
        List<SceneObject> objs = new ArrayList<>();
        WorldConfig c = world.config;
        for (int i = 1; i <= n; i++) {
            String s;
            String col;
            do {
                s = rng.pick(c.shapes());
                col = rng.pick(c.colours());
            } while (s.equals(shape) || col.equals(colour));
            objs.add(sampler.place(rng, s, col, false, rng.pick(c.textures()), cells[i], c.jitter(), 0));
        }
        objs.add(sampler.place(rng, shape, colour, true, rng.pick(c.textures()), cells[0], c.jitter(), 0));
        return new Scene(rng.pick(world.backgrounds()), objs, false);
    }

    /** A 2–4 object scene rendered at twice the size, cropped around the target and scaled back (VOC style). */
    private SynthTaskSample vocCrop(Rng rng, String shape, String colour, int label) {
        WorldConfig c = world.config;
        int n = 2 + rng.nextInt(3);
        int[] cells = SceneSampler.distinctCells(rng, n);
        List<SceneObject> objs = new ArrayList<>();
        SceneObject target = sampler.object(rng, shape, colour, null, null, cells[0], c.jitter(), false);
        for (int i = 1; i < n; i++) {
            SceneObject o;
            do {
                o = sampler.object(rng, null, null, null, null, cells[i], c.jitter(), false);
            } while (o.shape().equals(shape) && o.colour().equals(colour));
            objs.add(o);
        }
        objs.add(target);
        Scene scene = new Scene(rng.pick(world.backgrounds()), objs, false);
        int big = 2 * world.size();
        BufferedImage full = Renderer.render(scene, big, Renderer.Style.NORMAL, c.pixelNoise(), rng);
        BufferedImage crop = Renderer.cropResize(full, Renderer.outline(target, big).getBounds2D(), 0.15,
                world.size());
        return new SynthTaskSample(crop, label, List.of());
    }

    private SynthTaskSample retrieval(SynthTaskSpec spec, Rng rng) {
        boolean coco = spec.key().startsWith("retrieval/mscoco");
        Scene scene;
        if (coco) {
            scene = sampler.sample(rng, 2 + rng.nextInt(3), false);
        } else {
            scene = sampler.sample(rng, 1 + rng.weighted(world.config.countWeights()), false);
        }
        int want = world.config.tasks().captionsPerImage();
        Set<String> caps = new LinkedHashSet<>();
        for (int attempt = 0; caps.size() < want && attempt < 20 * want; attempt++) {
            caps.add(captioner.caption(scene, rng, rng, 0).text());
        }
        List<String> list = new ArrayList<>(caps);
        while (list.size() < want) { // tiny worlds may not have enough distinct wordings
            list.add(list.get(list.size() % caps.size()));
        }
        BufferedImage img = Renderer.render(scene, world.size(), Renderer.Style.NORMAL, world.config.pixelNoise(), rng);
        return new SynthTaskSample(img, -1, list);
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> out = new ArrayList<>(a);
        out.addAll(b);
        return List.copyOf(out);
    }
}
