package org.qqt.data;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * Decodes JPEG, PNG and WebP (WebP through the TwelveMonkeys ImageIO plugin on the classpath) from bytes in
 * memory, and encodes JPEG/PNG. Decompression bombs are refused before any pixel is decoded: the reader
 * reports width and height from the header, and images over {@code maxPixels} throw
 * {@link ImageDecodeException.Reason#TOO_LARGE}. Truncated images are refused too: the JPEG reader does not
 * throw on a premature end of data (it warns and fills the rest with gray), so any reader warning counts as
 * {@link ImageDecodeException.Reason#CORRUPT}. Instances are thread-safe (each thread reuses its own readers);
 * no temp files are used.
 */
public final class ImageCodec {
    /** Pillow's default {@code Image.MAX_IMAGE_PIXELS} (above it Pillow warns of a decompression bomb). */
    public static final long DEFAULT_MAX_PIXELS = 89_478_485L;

    private final long maxPixels;
    private final ThreadLocal<Readers> readers = ThreadLocal.withInitial(Readers::new);

    public ImageCodec(long maxPixels) {
        if (maxPixels < 1) {
            throw new IllegalArgumentException("maxPixels must be >= 1");
        }
        this.maxPixels = maxPixels;
    }

    public ImageCodec() {
        this(DEFAULT_MAX_PIXELS);
    }

    public long maxPixels() {
        return maxPixels;
    }

    /** Width and height from the header, without decoding pixels. */
    public int[] dimensions(byte[] data) throws ImageDecodeException {
        ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(data));
        try {
            ImageReader reader = readerFor(in, data.length);
            try {
                return new int[] {reader.getWidth(0), reader.getHeight(0)};
            } catch (IOException | RuntimeException e) {
                throw new ImageDecodeException(ImageDecodeException.Reason.CORRUPT, "unreadable header: " + e.getMessage(), e);
            } finally {
                reader.dispose();
            }
        } finally {
            closeQuietly(in);
        }
    }

    private static void closeQuietly(ImageInputStream in) {
        try {
            in.close(); // frees the memory cache now instead of through the JDK's disposer thread
        } catch (IOException ignored) {
            // in-memory stream
        }
    }

    /** Decodes the first image in {@code data}. */
    public BufferedImage decode(byte[] data) throws ImageDecodeException {
        String format = sniff(data);
        Readers cache = readers.get();
        ImageReader reader = format == null ? null : cache.reader(format);
        boolean cached = reader != null;
        ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(data));
        if (reader == null) {
            try {
                reader = readerFor(in, data.length);
            } catch (ImageDecodeException e) {
                closeQuietly(in);
                throw e;
            }
            reader.addIIOReadWarningListener((src, warning) -> cache.warnings.add(warning));
        } else {
            reader.setInput(in, true, true);
        }
        cache.warnings.clear();
        boolean ok = false;
        try {
            int w = reader.getWidth(0);
            int h = reader.getHeight(0);
            if (w <= 0 || h <= 0) {
                throw new ImageDecodeException(ImageDecodeException.Reason.CORRUPT, "bad size " + w + "x" + h);
            }
            if ((long) w * h > maxPixels) {
                ok = true; // the reader itself is fine
                throw new ImageDecodeException(ImageDecodeException.Reason.TOO_LARGE,
                        w + "x" + h + " = " + (long) w * h + " pixels > cap " + maxPixels);
            }
            BufferedImage img = reader.read(0);
            ok = true;
            if (!cache.warnings.isEmpty()) {
                throw new ImageDecodeException(ImageDecodeException.Reason.CORRUPT, "decoder warning: " + cache.warnings.get(0));
            }
            if (img == null) {
                throw new ImageDecodeException(ImageDecodeException.Reason.CORRUPT, "decoder returned no image");
            }
            return img;
        } catch (IOException | RuntimeException e) {
            throw new ImageDecodeException(ImageDecodeException.Reason.CORRUPT, "cannot decode: " + e.getMessage(), e);
        } finally {
            if (cached && ok) {
                reader.setInput(null);
            } else {
                if (cached) {
                    cache.drop(format);
                }
                reader.dispose();
            }
            closeQuietly(in);
        }
    }

    /** The format of JPEG, PNG and WebP bytes from their magic numbers; null for anything else. */
    static String sniff(byte[] d) {
        if (d.length >= 3 && (d[0] & 0xff) == 0xff && (d[1] & 0xff) == 0xd8 && (d[2] & 0xff) == 0xff) {
            return "jpeg";
        }
        if (d.length >= 8 && (d[0] & 0xff) == 0x89 && d[1] == 'P' && d[2] == 'N' && d[3] == 'G') {
            return "png";
        }
        if (d.length >= 12 && d[0] == 'R' && d[1] == 'I' && d[2] == 'F' && d[3] == 'F' && d[8] == 'W' && d[9] == 'E'
                && d[10] == 'B' && d[11] == 'P') {
            return "webp";
        }
        return null;
    }

    /**
     * Per-thread readers by format: creating a JPEG reader costs more than decoding a 32x32 image, so each
     * thread keeps one reader per format (dropped after any failure) and one warning list.
     */
    private static final class Readers {
        final java.util.Map<String, ImageReader> byFormat = new java.util.HashMap<>();
        final List<String> warnings = new ArrayList<>();

        ImageReader reader(String format) {
            ImageReader r = byFormat.get(format);
            if (r == null) {
                Iterator<ImageReader> it = ImageIO.getImageReadersByFormatName(format);
                if (!it.hasNext()) {
                    return null;
                }
                r = it.next();
                r.addIIOReadWarningListener((src, warning) -> warnings.add(warning));
                byFormat.put(format, r);
            }
            return r;
        }

        void drop(String format) {
            byFormat.remove(format);
        }
    }

    private static ImageReader readerFor(ImageInputStream in, int length) throws ImageDecodeException {
        Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
        if (!readers.hasNext()) {
            throw new ImageDecodeException(ImageDecodeException.Reason.UNSUPPORTED,
                    "no image reader recognises these " + length + " bytes");
        }
        ImageReader reader = readers.next();
        reader.setInput(in, true, true);
        return reader;
    }

    /** JPEG bytes at {@code quality} in [0, 1] (an alpha channel, if any, is dropped). */
    public static byte[] encodeJpeg(BufferedImage image, float quality) {
        BufferedImage rgb = image;
        if (image.getType() != BufferedImage.TYPE_3BYTE_BGR && image.getType() != BufferedImage.TYPE_INT_RGB
                && image.getType() != BufferedImage.TYPE_BYTE_GRAY) {
            rgb = new BufferedImage(image.getWidth(), image.getHeight(), BufferedImage.TYPE_3BYTE_BGR);
            rgb.getGraphics().drawImage(image, 0, 0, null);
        }
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
            ImageWriteParam p = writer.getDefaultWriteParam();
            p.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            p.setCompressionQuality(quality);
            writer.setOutput(out);
            writer.write(null, new IIOImage(rgb, null, null), p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            writer.dispose();
        }
        return bytes.toByteArray();
    }

    /** Lossless PNG bytes. */
    public static byte[] encodePng(BufferedImage image) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
            if (!ImageIO.write(image, "png", out)) {
                throw new IllegalStateException("no PNG writer");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }
}
