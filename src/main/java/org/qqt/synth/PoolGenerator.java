package org.qqt.synth;

import java.awt.image.BufferedImage;
import org.apache.commons.math3.distribution.BetaDistribution;

/**
 * The pool and the clean teacher set as pure functions of (world, seed, index). Pool sample i draws its
 * quality q ~ Beta(alpha, beta), then independently: junk caption with p_junk(q), near-duplicate of one of the
 * template scenes with p_dup(q), corrupted image with p_corrupt(q), and each attribute word wrong with
 * p_wrong(q). Teacher samples have q = 1 (none of these) and their own seed stream. Thread-safe.
 */
public final class PoolGenerator {
    /** JPEG quality of images with the "jpeg" corruption. */
    public static final int CORRUPT_JPEG_QUALITY = 8;

    private final World world;
    private final SceneSampler sampler;
    private final Captioner captioner;
    private final BetaDistribution beta;

    public PoolGenerator(WorldConfig config, long seed) {
        this.world = new World(config, seed);
        this.sampler = new SceneSampler(world);
        this.captioner = new Captioner(world);
        QualityConfig q = config.quality();
        this.beta = q.alpha() == 1.0 && q.beta() == 1.0 ? null : new BetaDistribution(null, q.alpha(), q.beta());
    }

    public WorldConfig config() {
        return world.config;
    }

    /** Pool sample {@code index}. */
    public PoolSample pool(long index) {
        Rng rng = new Rng(world.seed, Rng.POOL, index);
        double u = rng.nextDouble();
        double q = beta == null ? u : beta.inverseCumulativeProbability(u);
        return make(Rng.POOL, index, q, rng);
    }

    /** Pool sample {@code index} with its quality forced to {@code q} (for studies of the quality curves). */
    PoolSample poolAt(long index, double q) {
        Rng rng = new Rng(world.seed, Rng.POOL, index);
        rng.nextDouble();
        return make(Rng.POOL, index, q, rng);
    }

    /** Teacher sample {@code index}: q = 1, clean caption and image, no duplicates. */
    public PoolSample teacher(long index) {
        return make(Rng.TEACHER, index, 1.0, new Rng(world.seed, Rng.TEACHER, index));
    }

    private PoolSample make(long stream, long index, double q, Rng rng) {
        QualityConfig qc = world.config.quality();
        // every decision takes its draws whatever the outcome, so the streams stay aligned across q
        double uJunk = rng.nextDouble();
        double uDup = rng.nextDouble();
        double uCorrupt = rng.nextDouble();
        int group = rng.nextInt(qc.dupGroups());
        String kind = rng.pick(world.config.corruptions());
        boolean junk = uJunk < qc.junk().at(q);
        boolean dup = uDup < qc.dup().at(q);
        boolean corrupt = uCorrupt < qc.corrupt().at(q);

        Scene scene;
        Caption caption;
        double pWrong = qc.wrong().at(q);
        if (dup) {
            Rng template = dupTemplate(group);
            Scene base = sampler.sample(template);
            scene = base.moved(rng, qc.dupJitter());
            caption = junk ? Captioner.junk(rng) : captioner.caption(base, template, rng, pWrong);
        } else {
            scene = sampler.sample(rng);
            caption = junk ? Captioner.junk(rng) : captioner.caption(scene, rng, rng, pWrong);
        }
        String corruption = corrupt ? kind : "";
        int jpeg = corruption.equals("jpeg") ? CORRUPT_JPEG_QUALITY : world.config.jpegQuality();
        return new PoolSample(index, uid(stream, index), caption.text(), q, caption.correctFraction(),
                caption.mentions(), junk, corruption, dup ? group : -1, scene, jpeg);
    }

    private Rng dupTemplate(int group) {
        return new Rng(world.seed, Rng.DUP_TEMPLATES, group);
    }

    private String uid(long stream, long index) {
        Rng r = new Rng(world.seed, Rng.UID * 1000 + stream, index);
        return String.format("%016x%016x", r.nextLong(), r.nextLong());
    }

    /** The pixels of a sample: rendered, noised, corrupted (a pure function of the sample and the seed). */
    public BufferedImage image(PoolSample s) {
        Rng rng = new Rng(world.seed, Rng.RENDER, Long.parseUnsignedLong(s.uid().substring(0, 16), 16));
        BufferedImage img = Renderer.render(s.scene(), world.size(), Renderer.Style.NORMAL,
                world.config.pixelNoise(), rng);
        if (s.corrupt()) {
            Renderer.corrupt(img, s.corruption(), rng);
        }
        return img;
    }
}
