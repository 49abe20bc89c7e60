package org.qqt.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qqt.io.BadInputException;
import org.qqt.scaling.LawForm;
import org.qqt.scaling.Mixture;
import org.qqt.scaling.MixtureOrder;
import org.qqt.scaling.Objective;
import org.qqt.scaling.Observation;
import org.qqt.scaling.PoolParams;
import org.qqt.scaling.Predictor;
import org.qqt.scaling.ScalingParams;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

class Figure5ChartTest {
    @TempDir
    Path dir;

    private static final ScalingParams TMARS = new ScalingParams(0.022, 0.1, 100_000, List.of(
            new PoolParams("top0-10", 12.8e6, -0.18, 4.36), new PoolParams("top10-20", 12.8e6, -0.15, 4.27),
            new PoolParams("top20-30", 12.8e6, -0.12, 3.00), new PoolParams("top30-40", 12.8e6, -0.10, 1.55)));

    private Figure5 figure(boolean withActual) {
        Predictor pred = new Predictor(TMARS, LawForm.ADDITIVE, Objective.UTILITY);
        List<Mixture> ms = Mixture.prefixes(TMARS, MixtureOrder.RANK);
        Map<String, List<Observation>> actual = withActual
                ? Map.of("top0-10", List.of(new Observation("top0-10", 12.8e6, 64e6, 0.78)),
                        "top0-10+top10-20", List.of(new Observation("top0-10+top10-20", 25.6e6, 128e6, 0.70)))
                : Map.of();
        return Figure5.of("test", "ImageNet error", pred, ms, 32e6, 640e6, actual, true);
    }

    @Test
    void figureHasOneSmoothCurvePerMixtureAndTheCrossovers() {
        Figure5 f = figure(true);
        assertEquals(4, f.curves().size());
        assertEquals(Figure5.CURVE_POINTS, f.curves().get(0).x().length);
        assertEquals("top0-10 | b=-0.18 | τ=4.36", f.curves().get(0).label());
        assertEquals("top0-10+top10-20 | N̂=25.6M", f.curves().get(1).label());
        PoolParams best = TMARS.pools().get(0);
        assertEquals("top10 (top0-10) | b=-0.18 | τ=4.36", Figure5.legendLabel(new Mixture("top10", List.of(best))));
        assertEquals("top0-10 | b=-0.18 | τ≈∞", Figure5.legendLabel(new Mixture("top0-10",
                List.of(new PoolParams("top0-10", 12.8e6, -0.18, 1e12)))));
        assertEquals(1, f.curves().get(0).actualX().length);
        assertEquals(2, f.crossovers().size(), f.crossovers().toString());
        assertEquals(3, f.regions().size());
        assertEquals(0, f.regions().get(0).index());
    }

    @Test
    void pngIsWrittenAndShowsEveryCurveColour() throws Exception {
        Path png = dir.resolve("fig5.png");
        Figure5Chart.write(figure(true), png);
        assertTrue(Files.size(png) > 20_000, "size " + Files.size(png));
        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(Figure5Chart.WIDTH, img.getWidth());
        assertEquals(Figure5Chart.HEIGHT, img.getHeight());
        Set<Integer> seen = new HashSet<>();
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                seen.add(img.getRGB(x, y) & 0xffffff);
            }
        }
        for (int i = 0; i < 4; i++) {
            assertTrue(seen.contains(Figure5Chart.colour(i).getRGB() & 0xffffff), "curve colour " + i + " drawn");
        }
    }

    @Test
    void svgParsesAsXmlAndHasStrokesForEveryCurve() throws Exception {
        Path svg = dir.resolve("fig5.svg");
        Figure5Chart.write(figure(false), svg);
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        Document doc = f.newDocumentBuilder().parse(svg.toFile());
        assertEquals("svg", doc.getDocumentElement().getTagName());
        int[] strokes = new int[4];
        NodeList all = doc.getElementsByTagName("*");
        for (int n = 0; n < all.getLength(); n++) {
            String style = ((Element) all.item(n)).getAttribute("style");
            for (int i = 0; i < 4; i++) {
                Color c = Figure5Chart.colour(i);
                if (style.contains("stroke:rgb(" + c.getRed() + "," + c.getGreen() + "," + c.getBlue() + ")")) {
                    strokes[i]++;
                }
            }
        }
        for (int i = 0; i < 4; i++) {
            // the legend line plus the curve (drawn segment by segment)
            assertTrue(strokes[i] >= Figure5.CURVE_POINTS / 2, "curve " + i + ": " + strokes[i] + " stroked elements");
        }
        String text = Files.readString(svg);
        assertTrue(text.contains("≈36.6M") && text.contains("≈389M"), "crossover labels as text");
    }

    @Test
    void aPathWithoutExtensionStandsForPngAndSvgAndOtherExtensionsAreRefused() {
        assertEquals(List.of(dir.resolve("f.png"), dir.resolve("f.svg")), Figure5Chart.expand(dir.resolve("f")));
        assertEquals(List.of(dir.resolve("f.SVG")), Figure5Chart.expand(dir.resolve("f.SVG")));
        assertThrows(BadInputException.class, () -> Figure5Chart.expand(dir.resolve("f.pdf")));
    }

    @Test
    void theXAxisEndsOnLabelledTicksWhenThatAddsLittle() {
        assertEquals(200, Figure5Chart.tickAtOrAbove(171.3), 1e-9);
        assertEquals(100, Figure5Chart.tickAtOrAbove(100), 1e-9);
        assertEquals(1000, Figure5Chart.tickAtOrAbove(951), 1e-9);
        assertEquals(30, Figure5Chart.tickAtOrBelow(38.2), 1e-9);
        assertEquals(20, Figure5Chart.tickAtOrBelow(20), 1e-9);
        // the mini figure: budgets 20k..160k; 160k + 3% air snaps up to 200k, 20k - 3% to 10k would be too far
        Predictor pred = new Predictor(TMARS, LawForm.ADDITIVE, Objective.UTILITY);
        Figure5 f = Figure5.of("t", "err", pred, Mixture.prefixes(TMARS, MixtureOrder.RANK), 20e3, 160e3, Map.of(), false);
        double[] x = Figure5Chart.xRange(f, Figure5Chart.Unit.of(f));
        assertEquals(200, x[1], 1e-9);
        assertTrue(x[0] > 18 && x[0] < 20, "left end keeps its air: " + x[0]);
    }
}
