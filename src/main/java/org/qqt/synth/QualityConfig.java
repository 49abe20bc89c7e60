package org.qqt.synth;

/**
 * The latent quality model of the pool. Each sample draws q ~ Beta(alpha, beta); as q falls, attribute words
 * are wrong more often ({@code wrong}, per attribute mention), the caption is junk more often ({@code junk}),
 * the image is corrupted more often ({@code corrupt}: noise, blur, heavy JPEG or occlusion) and the sample is
 * more often a near-duplicate of one of {@code dupGroups} template scenes ({@code dup}), re-rendered with a
 * jitter of at most {@code dupJitter} (fraction of the image side).
 */
public record QualityConfig(Double alpha, Double beta, Curve wrong, Curve junk, Curve corrupt, Curve dup,
                            Integer dupGroups, Double dupJitter) {
    public QualityConfig {
        alpha = alpha == null ? 1.0 : alpha;
        beta = beta == null ? 1.0 : beta;
        wrong = wrong == null ? new Curve(0.7, 1.5) : wrong;
        junk = junk == null ? new Curve(1.2, 2.0) : junk;
        corrupt = corrupt == null ? new Curve(0.6, 2.0) : corrupt;
        dup = dup == null ? new Curve(0.8, 2.0) : dup;
        dupGroups = dupGroups == null ? 250 : dupGroups;
        dupJitter = dupJitter == null ? 0.02 : dupJitter;
    }

    public static QualityConfig defaults() {
        return new QualityConfig(null, null, null, null, null, null, null, null);
    }
}
