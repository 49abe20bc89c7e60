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
 * {@link ImageDecodeException.Reason#CORRUPT}. Instances are immutable and thread-safe; no temp files are used.
 */
public final class ImageCodec {
    /** Pillow's default {@code Image.MAX_IMAGE_PIXELS} (above it Pillow warns of a decompression bomb). */
    public static final long DEFAULT_MAX_PIXELS = 89_478_485L;

    private final long maxPixels;

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
        ImageReader reader = readerFor(data);
        try {
            return new int[] {reader.getWidth(0), reader.getHeight(0)};
        } catch (IOException | RuntimeException e) {
            throw new ImageDecodeException(ImageDecodeException.Reason.CORRUPT, "unreadable header: " + e.getMessage(), e);
        } finally {
            reader.dispose();
        }
    }

    /** Decodes the first image in {@code data}. */
    public BufferedImage decode(byte[] data) throws ImageDecodeException {
        ImageReader reader = readerFor(data);
        try {
            int w = reader.getWidth(0);
            int h = reader.getHeight(0);
            if (w <= 0 || h <= 0) {
                throw new ImageDecodeException(ImageDecodeException.Reason.CORRUPT, "bad size " + w + "x" + h);
            }
            if ((long) w * h > maxPixels) {
                throw new ImageDecodeException(ImageDecodeException.Reason.TOO_LARGE,
                        w + "x" + h + " = " + (long) w * h + " pixels > cap " + maxPixels);
            }
            List<String> warnings = new ArrayList<>();
            reader.addIIOReadWarningListener((src, warning) -> warnings.add(warning));
            BufferedImage img = reader.read(0);
            if (!warnings.isEmpty()) {
                throw new ImageDecodeException(ImageDecodeException.Reason.CORRUPT, "decoder warning: " + warnings.get(0));
            }
            if (img == null) {
                throw new ImageDecodeException(ImageDecodeException.Reason.CORRUPT, "decoder returned no image");
            }
            return img;
        } catch (IOException | RuntimeException e) {
            throw new ImageDecodeException(ImageDecodeException.Reason.CORRUPT, "cannot decode: " + e.getMessage(), e);
        } finally {
            reader.dispose();
        }
    }

    private static ImageReader readerFor(byte[] data) throws ImageDecodeException {
        ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(data));
        Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
        if (!readers.hasNext()) {
            throw new ImageDecodeException(ImageDecodeException.Reason.UNSUPPORTED,
                    "no image reader recognises these " + data.length + " bytes");
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
