package org.qqt.eval;

import ai.djl.Device;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.function.Consumer;
import org.qqt.data.ClipImageTransform;
import org.qqt.data.ClipTokenizer;
import org.qqt.data.CompactVocabulary;
import org.qqt.data.ImageCodec;
import org.qqt.data.ImageDecodeException;
import org.qqt.model.Clip;
import org.qqt.model.ModelConfig;

/**
 * Evaluation throughput in one process, so that the ratios are comparable across machines: (1) image decode +
 * ClipImageTransform (the data side), (2) image encoding only (ClipEncoder), (3) zero-shot classification of an
 * in-memory task (class-name embeddings + image encoding + argmax: what {@link Evaluator} does per task).
 * The model has random weights: throughput does not depend on them.
 */
public final class EvalBench {
    public record Rate(String what, long images, double seconds) {
        public double perSecond() {
            return images / seconds;
        }
    }

    public record Result(ModelConfig model, int batch, List<Rate> rates) {
        public String format() {
            StringBuilder b = new StringBuilder();
            double base = rates.get(1).perSecond();
            b.append(String.format(Locale.ROOT, "model %s (%dpx), batch %d%n", model.name(), model.imageSize(), batch));
            b.append(String.format(Locale.ROOT, "%-42s %10s %9s %14s%n", "stage", "images", "seconds", "images/s (x encode)"));
            for (Rate r : rates) {
                b.append(String.format(Locale.ROOT, "%-42s %10d %9.2f %10.0f (%.2fx)%n", r.what(), r.images(),
                        r.seconds(), r.perSecond(), r.perSecond() / base));
            }
            return b.toString();
        }
    }

    private EvalBench() {}

    public static Result run(Path modelFile, int images, int batch, int sourcePixels, Consumer<String> progress) {
        ModelConfig config = ModelConfig.load(modelFile);
        int s = config.imageSize();
        Random rnd = new Random(1);
        List<byte[]> encoded = new ArrayList<>();
        int classes = 10;
        int[] labels = new int[images];
        for (int i = 0; i < images; i++) {
            BufferedImage img = new BufferedImage(sourcePixels, sourcePixels, BufferedImage.TYPE_INT_RGB);
            int base = rnd.nextInt(0xffffff);
            for (int y = 0; y < sourcePixels; y++) {
                for (int x = 0; x < sourcePixels; x++) {
                    img.setRGB(x, y, base ^ (rnd.nextInt(32) * 0x010101));
                }
            }
            encoded.add(ImageCodec.encodePng(img));
            labels[i] = i % classes;
        }
        List<Rate> rates = new ArrayList<>();
        progress.accept("decode + transform " + images + " PNGs of " + sourcePixels + "px");
        ImageCodec codec = new ImageCodec();
        ClipImageTransform transform = new ClipImageTransform(s);
        int per = ImageBatch.pixelsPerImage(s);
        byte[] pixels = new byte[images * per];
        long t0 = System.nanoTime();
        for (int i = 0; i < images; i++) {
            try {
                transform.apply(codec.decode(encoded.get(i)), pixels, i * per);
            } catch (ImageDecodeException e) {
                throw new IllegalStateException(e);
            }
        }
        rates.add(new Rate("decode + transform (data side)", images, (System.nanoTime() - t0) / 1e9));
        List<String> names = new ArrayList<>();
        for (int c = 0; c < classes; c++) {
            names.add("class number " + c);
        }
        List<String> templates = List.of("a photo of a {c}.", "a drawing of a {c}.");
        CompactVocabulary vocab = CompactVocabulary.build(ClipTokenizer.load(), List.of(String.join(" ", names),
                "a photo of a drawing"));
        try (Clip model = new Clip(config.withVocabSize(Math.max(config.vocabSize(), vocab.vocabSize())), Device.cpu(), 0)) {
            ClipEncoder encoder = new ClipEncoder(model, vocab, batch);
            ImageBatch all = ImageBatch.ofUint8(images, s, pixels);
            encoder.encodeImages(all.slice(0, Math.min(images, batch))); // warm-up
            progress.accept("encode " + images + " images");
            t0 = System.nanoTime();
            encoder.encodeImages(all);
            rates.add(new Rate("image encode only (ClipEncoder)", images, (System.nanoTime() - t0) / 1e9));
            progress.accept("classify " + images + " images");
            InMemoryTaskData task = InMemoryTaskData.classification(Path.of("bench"), names, templates, all, labels);
            TaskSpec spec = TaskSpec.of("imagenet1k", "ImageNet 1k", TaskType.CLASSIFICATION, "acc1", "bench");
            t0 = System.nanoTime();
            new Evaluator((t, d, sz) -> task, batch, m -> { }).evaluateTask(spec, task, encoder);
            rates.add(new Rate("classification (texts + encode + classify)", images, (System.nanoTime() - t0) / 1e9));
        }
        rates.add(new Rate("decode + transform + classify (end to end)", images,
                rates.get(0).seconds() + rates.get(2).seconds()));
        return new Result(config, batch, rates);
    }
}
