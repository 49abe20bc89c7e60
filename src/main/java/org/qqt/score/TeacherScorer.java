package org.qqt.score;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import org.qqt.data.ClipImageTransform;
import org.qqt.data.ImageCodec;
import org.qqt.data.ImageDecodeException;
import org.qqt.data.PoolMetadata;
import org.qqt.data.ShardReader;
import org.qqt.data.Uid;
import org.qqt.data.WdsSample;
import org.qqt.eval.ClipEncoder;
import org.qqt.eval.ImageBatch;
import org.qqt.io.BadInputException;

/**
 * The scoring stage: a teacher CLIP's cosine similarity between each pool sample's image and caption
 * embeddings (DataComp's "CLIP score"), joined to the pool metadata by uid and written as a FLOAT column,
 * atomically (the old metadata stays intact when anything fails). A sample whose image cannot be decoded or
 * that has no caption scores NaN, which the filters skip; a sample without a uid in its .json is not scored.
 */
public final class TeacherScorer {
    /** What one pass did. */
    public record Result(long scored, long undecodable, long noCaption, long noUid, long metadataRows,
                         long rowsWithoutSample, double seconds) {}

    private final ClipEncoder encoder;
    private final int batchSize;
    private final Consumer<String> progress;
    private final ImageCodec codec = new ImageCodec();

    public TeacherScorer(ClipEncoder encoder, int batchSize, Consumer<String> progress) {
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batch size must be positive, got " + batchSize);
        }
        this.encoder = encoder;
        this.batchSize = batchSize;
        this.progress = progress;
    }

    /** The pool's metadata parquet: {@code <pool>/metadata.parquet}. */
    public static Path metadataFile(Path pool) {
        return org.qqt.data.PoolLayout.metadata(pool);
    }

    /** Scores every sample under {@code <pool>/shards} and writes {@code column} into the pool's metadata. */
    public Result scorePool(Path pool, String column) {
        Path shards = org.qqt.data.PoolLayout.shards(pool);
        Path meta = metadataFile(pool);
        if (!Files.isDirectory(shards)) {
            throw BadInputException.inFile(shards, "not found; --pool must hold shards/ and metadata.parquet");
        }
        if (!Files.isRegularFile(meta)) {
            throw BadInputException.inFile(meta, "not found; --pool must hold shards/ and metadata.parquet");
        }
        long rows;
        List<Uid> metaUids;
        try (PoolMetadata m = PoolMetadata.open(meta)) {
            rows = m.rowCount();
            metaUids = m.uids();
        }
        Map<Uid, Double> scores = new LinkedHashMap<>();
        long[] c = new long[4]; // undecodable, noCaption, noUid, done
        org.qqt.io.ProgressMeter meter = new org.qqt.io.ProgressMeter(rows, 0, 5);
        int s = encoder.imageSize();
        int per = ImageBatch.pixelsPerImage(s);
        ClipImageTransform transform = new ClipImageTransform(s);
        byte[] pixels = new byte[batchSize * per];
        List<Uid> uids = new ArrayList<>();
        List<String> texts = new ArrayList<>();
        try (ShardReader r = ShardReader.open(shards)) {
            while (r.hasNext()) {
                WdsSample sample = r.next();
                Uid uid = sample.uid();
                if (uid == null) {
                    c[2]++;
                    continue;
                }
                String caption = sample.text("txt");
                String ext = sample.firstExt(WdsSample.TRAIN_IMAGE_EXTS);
                if (caption == null || caption.isBlank()) {
                    c[1]++;
                    scores.put(uid, Double.NaN);
                    continue;
                }
                BufferedImage img = null;
                if (ext != null) {
                    try {
                        img = codec.decode(sample.member(ext));
                    } catch (ImageDecodeException | RuntimeException e) {
                        img = null;
                    }
                }
                if (img == null) {
                    c[0]++;
                    scores.put(uid, Double.NaN);
                    continue;
                }
                transform.apply(img, pixels, uids.size() * per);
                uids.add(uid);
                texts.add(caption.strip());
                if (uids.size() == batchSize) {
                    flush(pixels, uids, texts, scores);
                }
                c[3]++;
                String rate = meter.tick(c[3] + c[0] + c[1], false);
                if (rate != null) {
                    progress.accept(String.format(Locale.ROOT, "scored %d of %d samples, %s", c[3], rows, rate));
                }
            }
        }
        if (!uids.isEmpty()) {
            flush(pixels, uids, texts, scores);
        }
        long missing = 0;
        for (Uid u : metaUids) {
            if (!scores.containsKey(u)) {
                missing++;
            }
        }
        PoolMetadata.withScoreColumn(meta, column, scores);
        double secs = meter.elapsedSeconds();
        long finite = scores.values().stream().filter(v -> !v.isNaN()).count();
        return new Result(finite, c[0], c[1], c[2], rows, missing, secs);
    }

    private void flush(byte[] pixels, List<Uid> uids, List<String> texts, Map<Uid, Double> scores) {
        int n = uids.size();
        ImageBatch images = ImageBatch.ofUint8(n, encoder.imageSize(),
                java.util.Arrays.copyOf(pixels, n * ImageBatch.pixelsPerImage(encoder.imageSize())));
        float[][] fi = encoder.encodeImages(images);
        float[][] ft = encoder.encodeTexts(texts);
        for (int i = 0; i < n; i++) {
            double dot = 0;
            for (int d = 0; d < fi[i].length; d++) {
                dot += (double) fi[i][d] * ft[i][d];
            }
            scores.put(uids.get(i), dot);
        }
        uids.clear();
        texts.clear();
    }

}
