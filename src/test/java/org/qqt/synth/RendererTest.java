package org.qqt.synth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.util.List;
import org.junit.jupiter.api.Test;

class RendererTest {
    private static SceneObject obj(String shape, String colour, String texture) {
        return new SceneObject(shape, colour, texture, true, 4, 0.5, 0.5, 0.55, 0);
    }

    private static BufferedImage draw(Scene s) {
        return Renderer.render(s, 32, Renderer.Style.NORMAL, 0, new Rng(0, 0, 0));
    }

    private static double[] mean(BufferedImage img) {
        double[] m = new double[3];
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                int v = img.getRGB(x, y);
                m[0] += (v >> 16) & 255;
                m[1] += (v >> 8) & 255;
                m[2] += v & 255;
            }
        }
        int n = img.getWidth() * img.getHeight();
        return new double[] {m[0] / n, m[1] / n, m[2] / n};
    }

    private static int differingPixels(BufferedImage a, BufferedImage b) {
        int d = 0;
        for (int y = 0; y < a.getHeight(); y++) {
            for (int x = 0; x < a.getWidth(); x++) {
                d += a.getRGB(x, y) != b.getRGB(x, y) ? 1 : 0;
            }
        }
        return d;
    }

    @Test
    void colourChangesPixelMeans() {
        double[] red = mean(draw(new Scene("black", List.of(obj("circle", "red", "solid")), false)));
        double[] blue = mean(draw(new Scene("black", List.of(obj("circle", "blue", "solid")), false)));
        assertTrue(red[0] > blue[0] + 40 && blue[2] > red[2] + 40, java.util.Arrays.toString(red) + " vs "
                + java.util.Arrays.toString(blue));
    }

    @Test
    void everyWorldAttributeValueChangesThePixels() {
        WorldConfig c = WorldConfig.defaults();
        for (String a : c.shapes()) {
            for (String b : c.shapes()) {
                if (a.compareTo(b) < 0) {
                    int d = differingPixels(draw(new Scene("black", List.of(obj(a, "red", "solid")), false)),
                            draw(new Scene("black", List.of(obj(b, "red", "solid")), false)));
                    assertTrue(d >= 30, a + " vs " + b + ": " + d + " pixels differ");
                }
            }
        }
        for (String t : List.of("striped", "dotted", "checkered", "outlined")) {
            int d = differingPixels(draw(new Scene("black", List.of(obj("square", "red", "solid")), false)),
                    draw(new Scene("black", List.of(obj("square", "red", t)), false)));
            assertTrue(d >= 30, t + ": " + d);
        }
        for (String bg : c.backgrounds()) {
            if (!bg.equals("black")) {
                int d = differingPixels(draw(new Scene("black", List.of(obj("square", "red", "solid")), false)),
                        draw(new Scene(bg, List.of(obj("square", "red", "solid")), false)));
                assertTrue(d >= 200, bg + ": " + d);
            }
        }
        SceneObject small = new SceneObject("star", "red", "solid", false, 0, 0.23, 0.23, 0.34, 0);
        SceneObject moved = new SceneObject("star", "red", "solid", false, 8, 0.77, 0.77, 0.34, 0);
        assertTrue(differingPixels(draw(new Scene("black", List.of(small), false)),
                draw(new Scene("black", List.of(moved), false))) >= 60);
    }

    @Test
    void sketchStyleIsGreyscale() {
        BufferedImage img = Renderer.render(new Scene("black", List.of(obj("star", "red", "solid")), false), 32,
                Renderer.Style.SKETCH, 0.02, new Rng(0, 0, 1));
        for (int y = 0; y < 32; y++) {
            for (int x = 0; x < 32; x++) {
                int v = img.getRGB(x, y);
                assertEquals((v >> 16) & 255, v & 255);
                assertEquals((v >> 8) & 255, v & 255);
            }
        }
    }

    @Test
    void corruptionsChangeTheImage() {
        Scene s = new Scene("gray", List.of(obj("star", "red", "striped")), false);
        for (String k : List.of("noise", "blur", "occlusion")) {
            BufferedImage a = draw(s);
            BufferedImage b = draw(s);
            Renderer.corrupt(b, k, new Rng(0, 0, 2));
            assertTrue(differingPixels(a, b) > 100, k);
        }
    }
}
