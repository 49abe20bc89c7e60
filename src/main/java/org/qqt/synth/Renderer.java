package org.qqt.synth;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.Shape;
import java.awt.geom.AffineTransform;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;

/**
 * Draws scenes into RGB images with java.awt (headless, software pipeline, deterministic). Objects are filled
 * with their colour and patterned with a darker shade of it (stripes, dots, checks), or stroked only
 * ("outlined"); the sketch style draws grey outlines on white, with no colour at all. Pixel noise and
 * corruptions are applied afterwards, from the caller's {@link Rng}.
 */
final class Renderer {
    /** How objects are drawn. */
    enum Style { NORMAL, SKETCH }

    private Renderer() {}

    static BufferedImage render(Scene scene, int size, Style style, double pixelNoise, Rng rng) {
        BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
            if (style == Style.SKETCH) {
                g.setColor(new Color(245, 245, 245));
                g.fillRect(0, 0, size, size);
            } else {
                background(g, img, scene.background(), size, rng);
            }
            for (SceneObject o : scene.objects()) {
                drawObject(g, o, size, style);
            }
        } finally {
            g.dispose();
        }
        if (pixelNoise > 0) {
            addNoise(img, pixelNoise, rng);
        }
        if (style == Style.SKETCH) {
            toGrey(img);
        }
        return img;
    }

    private static int period(int size) {
        return Math.max(4, Math.round(size / 8f));
    }

    private static void background(Graphics2D g, BufferedImage img, String name, int size, Rng rng) {
        int p = period(size);
        switch (name) {
            case "black" -> fill(g, size, new Color(20, 20, 20));
            case "gray" -> fill(g, size, new Color(128, 128, 128));
            case "white" -> fill(g, size, new Color(235, 235, 235));
            case "striped" -> {
                fill(g, size, new Color(45, 45, 45));
                g.setColor(new Color(115, 115, 115));
                for (int y = 0; y < size; y += p) {
                    g.fillRect(0, y, size, p / 2);
                }
            }
            case "checkered" -> {
                fill(g, size, new Color(40, 40, 40));
                g.setColor(new Color(105, 105, 105));
                for (int y = 0; y < size; y += p / 2) {
                    for (int x = ((y / (p / 2)) % 2) * (p / 2); x < size; x += p) {
                        g.fillRect(x, y, p / 2, p / 2);
                    }
                }
            }
            case "noisy" -> {
                int[] px = ((DataBufferInt) img.getRaster().getDataBuffer()).getData();
                for (int i = 0; i < px.length; i++) {
                    int v = 30 + rng.nextInt(100);
                    px[i] = (v << 16) | (v << 8) | v;
                }
            }
            case "gradient" -> {
                for (int y = 0; y < size; y++) {
                    float t = y / (float) Math.max(1, size - 1);
                    g.setColor(new Color(Math.round(30 + 170 * t), Math.round(30 + 140 * t), Math.round(70 + 120 * t)));
                    g.fillRect(0, y, size, 1);
                }
            }
            case "grid" -> {
                fill(g, size, new Color(225, 225, 210));
                g.setColor(new Color(120, 140, 170));
                for (int k = 0; k < size; k += p) {
                    g.fillRect(k, 0, 1, size);
                    g.fillRect(0, k, size, 1);
                }
            }
            default -> throw new IllegalArgumentException("unknown background " + name);
        }
    }

    private static void fill(Graphics2D g, int size, Color c) {
        g.setColor(c);
        g.fillRect(0, 0, size, size);
    }

    /** The object's outline in pixel coordinates. */
    static Shape outline(SceneObject o, int size) {
        AffineTransform t = new AffineTransform();
        t.translate(o.cx() * size, o.cy() * size);
        t.rotate(Math.toRadians(o.rotation()));
        double half = o.scale() * size / 2;
        t.scale(half, half);
        return t.createTransformedShape(ShapeGeometry.of(o.shape()));
    }

    private static void drawObject(Graphics2D g, SceneObject o, int size, Style style) {
        Shape shape = outline(o, size);
        if (style == Style.SKETCH) {
            g.setColor(new Color(40, 40, 40));
            g.setStroke(new BasicStroke(Math.max(1f, size / 24f)));
            g.draw(shape);
            return;
        }
        Color c = Catalog.COLOURS.get(o.colour()).color();
        Color dark = new Color(c.getRed() / 4, c.getGreen() / 4, c.getBlue() / 4);
        int p = period(size);
        if (o.texture().equals("outlined")) {
            g.setColor(c);
            g.setStroke(new BasicStroke(Math.max(1f, size / 16f)));
            g.draw(shape);
            return;
        }
        g.setColor(c);
        g.fill(shape);
        if (o.texture().equals("solid")) {
            return;
        }
        Shape oldClip = g.getClip();
        g.clip(shape);
        g.setColor(dark);
        Rectangle2D b = shape.getBounds2D();
        int x0 = (int) Math.floor(b.getMinX()) - p;
        int y0 = (int) Math.floor(b.getMinY()) - p;
        int x1 = (int) Math.ceil(b.getMaxX()) + p;
        int y1 = (int) Math.ceil(b.getMaxY()) + p;
        switch (o.texture()) {
            case "striped" -> {
                g.setStroke(new BasicStroke(p / 2f));
                int span = (x1 - x0) + (y1 - y0);
                for (int k = -span; k < span; k += p) {
                    g.drawLine(x0 + k, y0, x0 + k + (y1 - y0), y1);
                }
            }
            case "dotted" -> {
                double r = Math.max(0.9, p * 0.28);
                for (int y = y0; y < y1; y += p) {
                    for (int x = x0; x < x1; x += p) {
                        g.fill(new java.awt.geom.Ellipse2D.Double(x + p / 2.0 - r, y + p / 2.0 - r, 2 * r, 2 * r));
                    }
                }
            }
            case "checkered" -> {
                int h = Math.max(2, p / 2);
                for (int y = y0; y < y1; y += h) {
                    for (int x = x0 + (((y - y0) / h) % 2) * h; x < x1; x += 2 * h) {
                        g.fillRect(x, y, h, h);
                    }
                }
            }
            default -> throw new IllegalArgumentException("unknown texture " + o.texture());
        }
        g.setClip(oldClip);
    }

    /** Adds Gaussian noise of standard deviation {@code sigma} (fraction of 255) to every channel. */
    static void addNoise(BufferedImage img, double sigma, Rng rng) {
        int[] px = ((DataBufferInt) img.getRaster().getDataBuffer()).getData();
        double s = sigma * 255;
        for (int i = 0; i < px.length; i++) {
            int v = px[i];
            int r = clamp(((v >> 16) & 255) + (int) Math.round(s * rng.fastGaussian()));
            int gr = clamp(((v >> 8) & 255) + (int) Math.round(s * rng.fastGaussian()));
            int b = clamp((v & 255) + (int) Math.round(s * rng.fastGaussian()));
            px[i] = (r << 16) | (gr << 8) | b;
        }
    }

    private static void toGrey(BufferedImage img) {
        int[] px = ((DataBufferInt) img.getRaster().getDataBuffer()).getData();
        for (int i = 0; i < px.length; i++) {
            int v = px[i];
            int y = (int) Math.round(0.299 * ((v >> 16) & 255) + 0.587 * ((v >> 8) & 255) + 0.114 * (v & 255));
            px[i] = (y << 16) | (y << 8) | y;
        }
    }

    private static int clamp(int v) {
        return v < 0 ? 0 : Math.min(255, v);
    }

    /**
     * Corrupts an image in place: "noise" (Gaussian, sigma 0.25), "blur" (two 3x3 box passes), "occlusion"
     * (a grey rectangle over 16–49% of the image). "jpeg" changes no pixels here: the writer encodes the image at
     * {@link PoolGenerator#CORRUPT_JPEG_QUALITY}.
     */
    static void corrupt(BufferedImage img, String kind, Rng rng) {
        switch (kind) {
            case "noise" -> addNoise(img, 0.25, rng);
            case "blur" -> {
                boxBlur(img);
                boxBlur(img);
            }
            case "occlusion" -> {
                int size = img.getWidth();
                int w = (int) Math.round(size * rng.uniform(0.4, 0.7));
                int h = (int) Math.round(size * rng.uniform(0.4, 0.7));
                int x = rng.nextInt(size - w + 1);
                int y = rng.nextInt(size - h + 1);
                int v = 60 + rng.nextInt(140);
                Graphics2D g = img.createGraphics();
                try {
                    g.setColor(new Color(v, v, v));
                    g.fillRect(x, y, w, h);
                } finally {
                    g.dispose();
                }
            }
            case "jpeg" -> { }
            default -> throw new IllegalArgumentException("unknown corruption " + kind);
        }
    }

    private static void boxBlur(BufferedImage img) {
        int w = img.getWidth();
        int h = img.getHeight();
        int[] px = ((DataBufferInt) img.getRaster().getDataBuffer()).getData();
        int[] src = px.clone();
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int r = 0, g = 0, b = 0, n = 0;
                for (int dy = -1; dy <= 1; dy++) {
                    int yy = y + dy;
                    if (yy < 0 || yy >= h) {
                        continue;
                    }
                    for (int dx = -1; dx <= 1; dx++) {
                        int xx = x + dx;
                        if (xx < 0 || xx >= w) {
                            continue;
                        }
                        int v = src[yy * w + xx];
                        r += (v >> 16) & 255;
                        g += (v >> 8) & 255;
                        b += v & 255;
                        n++;
                    }
                }
                px[y * w + x] = ((r / n) << 16) | ((g / n) << 8) | (b / n);
            }
        }
    }

    /** Crops the square around {@code box} (pixel coordinates, grown by {@code margin}) and scales it to {@code size}. */
    static BufferedImage cropResize(BufferedImage src, Rectangle2D box, double margin, int size) {
        double side = Math.max(box.getWidth(), box.getHeight()) * (1 + 2 * margin);
        double x = box.getCenterX() - side / 2;
        double y = box.getCenterY() - side / 2;
        BufferedImage out = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.setColor(Color.BLACK);
            g.fillRect(0, 0, size, size);
            AffineTransform t = new AffineTransform();
            t.scale(size / side, size / side);
            t.translate(-x, -y);
            g.drawImage(src, t, null);
        } finally {
            g.dispose();
        }
        return out;
    }
}
