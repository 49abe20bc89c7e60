package org.qqt.data;

import java.awt.Color;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * {@code qqt bench data --realistic}: the per-image cost at 224 px on photo-like JPEGs of 256–512 px a side (as
 * DataComp's img2dataset shards hold), against Pillow on the same files in the same run. Both sides run on one
 * thread and are timed in CPU seconds of that thread/process (best of the rounds), so the rate is samples per
 * CPU-second per core and does not depend on other jobs on the machine as much as wall time does. qqt's side:
 * {@link ImageCodec} decode + {@link ClipImageTransform} (resize, crop, to uint8 CHW; normalised on the device). Pillow's side:
 * {@code Image.open(...).convert("RGB")}, torchvision's Resize (shorter side, bicubic) and CenterCrop arithmetic,
 * {@code tobytes()}: both end at uint8 RGB (qqt normalises on the device, so the host work is the same). The crops' pixels
 * are compared: the decoders differ (the JDK's libjpeg 6b against Pillow's libjpeg-turbo), so ±1 differences are
 * expected.
 */
public final class PhotoBench {
    /** What was measured: rates in samples per CPU-second on one core; pixel agreement with Pillow. */
    public record Result(int images, int rounds, double meanJpegBytes, double qqtDecodeMs, double qqtTransformMs,
                         double qqtPerCpuSecond, double pillowPerCpuSecond, double ratio, String pillow,
                         double pixelsEqual, int maxPixelDiff, double loadAverageBefore, double loadAverageAfter) {}

    private PhotoBench() {}

    private static final String PILLOW = """
            import io, sys, time, PIL
            from PIL import Image
            files = sys.argv[3:]
            size = int(sys.argv[1]); rounds = int(sys.argv[2])
            data = [open(f, 'rb').read() for f in files]
            def one(b):
                im = Image.open(io.BytesIO(b)).convert('RGB')
                w, h = im.size
                if w <= h:
                    nw, nh = size, int(size * h / w)
                else:
                    nw, nh = int(size * w / h), size
                if (nw, nh) != (w, h):
                    im = im.resize((nw, nh), Image.BICUBIC)
                top = int(round((nh - size) / 2.0)); left = int(round((nw - size) / 2.0))
                return im.crop((left, top, left + size, top + size)).tobytes()
            for b in data[:20]:
                one(b)
            best = None
            for r in range(rounds):
                t0 = time.process_time()
                for b in data:
                    one(b)
                t = time.process_time() - t0
                best = t if best is None else min(best, t)
            out = sys.stdout.buffer
            out.write(("%r %s\\n" % (best, PIL.__version__)).encode())
            for b in data[:16]:
                out.write(one(b))
            """;

    /** Runs the comparison on {@code n} generated images; {@code python} runs Pillow (e.g. /usr/bin/python3). */
    public static Result run(int n, int rounds, long seed, String python, java.util.function.Consumer<String> progress) {
        double loadBefore = org.qqt.io.MachineStats.loadAverage();
        Path tmp = DataBench.tempDir("qqt-bench-photos");
        try {
            progress.accept("writing " + n + " photo-like JPEGs of 256-512 px");
            List<byte[]> jpegs = new ArrayList<>();
            List<String> files = new ArrayList<>();
            Random r = new Random(seed);
            long bytes = 0;
            for (int i = 0; i < n; i++) {
                byte[] jpg = ImageCodec.encodeJpeg(photo(256 + r.nextInt(257), 256 + r.nextInt(257), r), 0.9f);
                bytes += jpg.length;
                jpegs.add(jpg);
                Path f = tmp.resolve(String.format("%05d.jpg", i));
                Files.write(f, jpg);
                files.add(f.toString());
            }
            int size = 224;
            ImageCodec codec = new ImageCodec();
            ClipImageTransform transform = new ClipImageTransform(size);
            byte[] out = new byte[3 * size * size];
            List<BufferedImage> decoded = new ArrayList<>();
            for (int i = 0; i < Math.min(n, 40); i++) { // warm-up (the JIT)
                transform.apply(codec.decode(jpegs.get(i)), out, 0);
            }
            progress.accept("timing qqt: decode, transform, both (" + rounds + " rounds)");
            ThreadMXBean mx = ManagementFactory.getThreadMXBean();
            double decode = Double.MAX_VALUE;
            double trans = Double.MAX_VALUE;
            double both = Double.MAX_VALUE;
            for (int k = 0; k < rounds; k++) {
                decoded.clear();
                long t0 = mx.getCurrentThreadCpuTime();
                for (byte[] b : jpegs) {
                    decoded.add(codec.decode(b));
                }
                decode = Math.min(decode, (mx.getCurrentThreadCpuTime() - t0) / 1e9);
                t0 = mx.getCurrentThreadCpuTime();
                for (BufferedImage img : decoded) {
                    transform.apply(img, out, 0);
                }
                trans = Math.min(trans, (mx.getCurrentThreadCpuTime() - t0) / 1e9);
                decoded.clear();
                t0 = mx.getCurrentThreadCpuTime();
                for (byte[] b : jpegs) {
                    transform.apply(codec.decode(b), out, 0);
                }
                both = Math.min(both, (mx.getCurrentThreadCpuTime() - t0) / 1e9);
            }
            progress.accept("timing Pillow (" + python + ") on the same files");
            Path script = tmp.resolve("pillow_bench.py");
            Files.writeString(script, PILLOW);
            List<String> cmd = new ArrayList<>(List.of(python, script.toString(), Integer.toString(size),
                    Integer.toString(rounds)));
            cmd.addAll(files);
            Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            byte[] reply = p.getInputStream().readAllBytes();
            if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
                throw new IllegalStateException(python + " with Pillow failed (exit " + p.exitValue() + "); install "
                        + "it (Debian: apt-get install python3-pil) or pass --python");
            }
            int nl = 0;
            while (reply[nl] != '\n') {
                nl++;
            }
            String[] head = new String(reply, 0, nl, StandardCharsets.US_ASCII).split(" ");
            double pillowSeconds = Double.parseDouble(head[0]);
            long equal = 0;
            long total = 0;
            int maxDiff = 0;
            int plane = size * size;
            for (int i = 0; i < Math.min(16, n); i++) {
                transform.apply(codec.decode(jpegs.get(i)), out, 0);
                int base = nl + 1 + i * plane * 3;
                for (int q = 0; q < plane; q++) {
                    for (int c = 0; c < 3; c++) {
                        int mine = out[c * plane + q] & 0xff;
                        int d = Math.abs(mine - (reply[base + 3 * q + c] & 0xff));
                        maxDiff = Math.max(maxDiff, d);
                        equal += d == 0 ? 1 : 0;
                        total++;
                    }
                }
            }
            double qqtRate = n / both;
            double pillowRate = n / pillowSeconds;
            return new Result(n, rounds, (double) bytes / n, 1e3 * decode / n, 1e3 * trans / n, qqtRate, pillowRate,
                    qqtRate / pillowRate, head[1], (double) equal / total, maxDiff, loadBefore,
                    org.qqt.io.MachineStats.loadAverage());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ImageDecodeException e) {
            throw new IllegalStateException("a generated JPEG does not decode: " + e.getMessage(), e);
        } finally {
            org.qqt.io.AtomicFiles.deleteTreeQuietly(tmp);
        }
    }

    /** A photo-like picture: a lit gradient, soft blobs with edges, fine texture and sensor noise. */
    static BufferedImage photo(int w, int h, Random r) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setPaint(new GradientPaint(0, 0, new Color(r.nextInt(0xffffff)), w, h, new Color(r.nextInt(0xffffff))));
        g.fillRect(0, 0, w, h);
        for (int k = 0; k < 12; k++) {
            g.setColor(new Color(r.nextInt(256), r.nextInt(256), r.nextInt(256), 80 + r.nextInt(176)));
            int s = 20 + r.nextInt(Math.min(w, h) / 2);
            g.fillOval(r.nextInt(w) - s / 2, r.nextInt(h) - s / 2, s, (int) (s * (0.5 + r.nextDouble())));
        }
        g.dispose();
        byte[] px = ((java.awt.image.DataBufferByte) img.getRaster().getDataBuffer()).getData();
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int texture = (int) (12 * Math.sin(x * 0.3 + y * 0.17) * Math.cos(y * 0.21 - x * 0.05));
                for (int c = 0; c < 3; c++) {
                    int i = (y * w + x) * 3 + c;
                    int v = (px[i] & 0xff) + texture + (int) (r.nextGaussian() * 6);
                    px[i] = (byte) Math.max(0, Math.min(255, v));
                }
            }
        }
        return img;
    }
}
