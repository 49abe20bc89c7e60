package org.qqt.data;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import javax.imageio.ImageIO;

/**
 * Throughput of the data path, measured against same-run baselines: writes a synthetic pool (random shapes on
 * random backgrounds, JPEG, captions, uids) per image size into a temp dir, then measures (1) the raw tar read
 * rate (no decode), (2) ImageIO decode-only from bytes in memory (one thread), and (3) the {@link ShardLoader}
 * (decode + resize/crop to uint8 + tokenize-copy, batches assembled in order) for each decode-thread count.
 * Every rate is the best of {@code rounds} rounds, after a warm-up; each round runs every measurement once, so all
 * see the same machine load (the machine may be shared).
 */
public final class DataBench {
    /** One measured rate. */
    public record Rate(int imageSize, String what, int threads, double samplesPerSecond, double seconds, long samples) {}

    /** All rates plus the machine's state. */
    public record Result(int samples, int batchSize, int cpus, double loadAverageBefore, double loadAverageAfter,
                         double jpegBytesMean32, List<Rate> rates, Map<String, Double> indexSeconds) {}

    private DataBench() {}

    public static Result run(int samples, List<Integer> sizes, List<Integer> threads, int batchSize, long seed,
                             int rounds, java.util.function.Consumer<String> progress) {
        double loadBefore = org.qqt.io.MachineStats.loadAverage();
        List<Rate> rates = new ArrayList<>();
        Map<String, Double> index = new LinkedHashMap<>();
        double meanBytes = Double.NaN;
        Path tmp = tempDir("qqt-bench data");
        try {
            for (int size : sizes) {
                Path dir = tmp.resolve("pool" + size);
                progress.accept("writing " + samples + " synthetic " + size + "x" + size + " JPEG samples");
                long bytes = writePool(dir, samples, size, seed);
                if (size == 32) {
                    meanBytes = (double) bytes / samples;
                }
                List<byte[]> images = new ArrayList<>(samples);
                ShardReader.forEach(dir, s -> images.add(s.member("jpg")));
                for (int i = 0; i < Math.min(images.size(), 2000); i++) {
                    imageioRead(images.get(i)); // warm-up
                }
                List<ShardLoader> loaders = new ArrayList<>();
                try {
                    for (int t : threads) {
                        progress.accept("indexing for the loader, " + size + "x" + size + ", " + t + " decode thread(s)");
                        LoaderOptions o = LoaderOptions.of(size, 77, batchSize, seed).withThreads(t);
                        long ti = System.nanoTime();
                        ShardLoader l = ShardLoader.open(dir, null, new CharTokenizer(), o);
                        loaders.add(l);
                        index.put(size + "px/" + t + "t", (System.nanoTime() - ti) / 1e9);
                        long served = 0;
                        while (served < l.epochSize() / 4) { // warm-up: a quarter epoch
                            served += l.next().size();
                        }
                    }
                    // rounds interleave all measurements, so each sees the same machine load; the best round counts
                    Rate[] best = new Rate[2 + threads.size()];
                    for (int k = 0; k < rounds; k++) {
                        progress.accept("round " + (k + 1) + " of " + rounds + " at " + size + "x" + size);
                        long t0 = System.nanoTime();
                        ReadStats rs = ShardReader.forEach(dir, s -> { });
                        best[0] = better(best[0], new Rate(size, "tar read (no decode)", 1, 0, (System.nanoTime() - t0) / 1e9,
                                rs.samples()));
                        t0 = System.nanoTime();
                        for (byte[] b : images) {
                            imageioRead(b);
                        }
                        best[1] = better(best[1], new Rate(size, "ImageIO.read only", 1, 0, (System.nanoTime() - t0) / 1e9,
                                images.size()));
                        for (int j = 0; j < loaders.size(); j++) {
                            ShardLoader l = loaders.get(j);
                            long n = 0;
                            t0 = System.nanoTime();
                            while (n < l.epochSize()) {
                                n += l.next().size();
                            }
                            best[2 + j] = better(best[2 + j], new Rate(size, "ShardLoader", threads.get(j), 0,
                                    (System.nanoTime() - t0) / 1e9, n));
                        }
                    }
                    rates.addAll(List.of(best));
                } finally {
                    loaders.forEach(ShardLoader::close);
                }
            }
        } finally {
            org.qqt.io.AtomicFiles.deleteTreeQuietly(tmp);
        }
        double loadAfter = org.qqt.io.MachineStats.loadAverage();
        return new Result(samples, batchSize, Runtime.getRuntime().availableProcessors(), loadBefore, loadAfter,
                meanBytes, rates, index);
    }

    /** A new temporary directory for a bench's generated data (the bench deletes it when done). */
    static Path tempDir(String prefix) {
        try {
            return Files.createTempDirectory(prefix);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Rate better(Rate old, Rate now) {
        Rate r = new Rate(now.imageSize(), now.what(), now.threads(), now.samples() / now.seconds(), now.seconds(),
                now.samples());
        return old == null || r.samplesPerSecond() > old.samplesPerSecond() ? r : old;
    }

    private static void imageioRead(byte[] b) {
        try {
            if (ImageIO.read(new javax.imageio.stream.MemoryCacheImageInputStream(new ByteArrayInputStream(b))) == null) {
                throw new IllegalStateException("no reader");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static final String[] COLOURS = {"red", "green", "blue", "yellow", "purple", "orange", "black", "white"};
    private static final String[] SHAPES = {"circle", "square", "star", "triangle", "ring", "cross"};

    /** Writes {@code n} samples of random shapes; returns the total JPEG bytes. */
    static long writePool(Path dir, int n, int size, long seed) {
        Random r = new Random(seed);
        long bytes = 0;
        try (ShardWriter w = ShardWriter.pool(dir)) {
            for (int i = 0; i < n; i++) {
                BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_3BYTE_BGR);
                Graphics2D g = img.createGraphics();
                g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
                g.setColor(new Color(r.nextInt(0xffffff)));
                g.fillRect(0, 0, size, size);
                StringBuilder caption = new StringBuilder("a photo of");
                int objects = 1 + r.nextInt(3);
                for (int k = 0; k < objects; k++) {
                    int c = r.nextInt(COLOURS.length);
                    g.setColor(new Color(r.nextInt(0xffffff)));
                    int s = size / 4 + r.nextInt(size / 3);
                    int x = r.nextInt(size - s);
                    int y = r.nextInt(size - s);
                    if (r.nextBoolean()) {
                        g.fillOval(x, y, s, s);
                    } else {
                        g.fillRect(x, y, s, s);
                    }
                    caption.append(k == 0 ? " a " : " and a ").append(COLOURS[c]).append(' ')
                            .append(SHAPES[r.nextInt(SHAPES.length)]);
                }
                g.dispose();
                byte[] jpg = ImageCodec.encodeJpeg(img, 0.9f);
                bytes += jpg.length;
                Map<String, byte[]> m = new LinkedHashMap<>();
                m.put("jpg", jpg);
                m.put("txt", caption.toString().getBytes(StandardCharsets.UTF_8));
                String uid = String.format("%016x%016x", r.nextLong(), r.nextLong());
                m.put("json", ("{\"uid\": \"" + uid + "\", \"caption\": \"" + caption + "\"}").getBytes(StandardCharsets.UTF_8));
                w.write(m);
            }
        }
        return bytes;
    }


    /** A cheap stand-in tokenizer for benchmarking the loader alone (one id per byte). */
    static final class CharTokenizer implements TextTokenizer {
        @Override
        public int[] encode(String text, int contextLength) {
            int[] out = new int[contextLength];
            out[0] = 256;
            byte[] b = text.getBytes(StandardCharsets.UTF_8);
            int n = Math.min(b.length, contextLength - 2);
            for (int i = 0; i < n; i++) {
                out[i + 1] = b[i] & 0xff;
            }
            out[n + 1] = 257;
            return out;
        }

        @Override
        public int vocabSize() {
            return 258;
        }

        @Override
        public int eotId() {
            return 257;
        }
    }
}
