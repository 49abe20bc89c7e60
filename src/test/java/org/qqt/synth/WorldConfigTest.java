package org.qqt.synth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qqt.io.BadInputException;

class WorldConfigTest {
    @Test
    void defaultWorldHasAtLeast1e5AttributeCombinations() {
        AttributeSpace space = WorldConfig.defaults().attributeSpace();
        // (8 shapes x 10 colours - 10 held out) x 2 sizes x 4 textures x 9 cells
        assertEquals(70L * 2 * 4 * 9, space.objects());
        assertEquals(space.objects() * 6, space.singleObjectScenes());
        assertTrue(space.scenes().compareTo(BigInteger.valueOf(100_000)) >= 0, "scenes: " + space.scenes());
        // a 10% bucket of the default pool (5,000 samples) cannot even cover the one-object scenes
        assertTrue(space.singleObjectScenes() > WorldConfig.defaults().poolSize() / 10 * 4);
        assertTrue(WorldConfig.defaults().shapes().size() >= 2 && Catalog.SHAPES.size() >= 12);
        assertTrue(WorldConfig.defaults().colours().size() >= 10);
    }

    @Test
    void defaultYamlSpellsOutTheBuiltInDefaults() {
        assertEquals(WorldConfig.defaults(), WorldConfig.load(Path.of("configs/world-default.yaml")));
    }

    @Test
    void tinyYamlLoadsAndOverridesOnlyWhatItNames() {
        WorldConfig t = WorldConfig.load(Path.of("configs/world-tiny.yaml"));
        assertEquals(300, t.poolSize());
        assertEquals(10, t.quality().dupGroups());
        assertEquals(WorldConfig.defaults().shapes(), t.shapes());
        assertEquals(WorldConfig.defaults().quality().junk(), t.quality().junk());
    }

    @Test
    void easyWorldStillHasAtLeast1e5Scenes() {
        WorldConfig e = WorldConfig.load(Path.of("configs/world-easy.yaml"));
        assertEquals(6, e.shapes().size());
        assertTrue(e.attributeSpace().scenes().compareTo(BigInteger.valueOf(100_000)) >= 0);
        assertTrue(e.attributeSpace().singleObjectScenes() > e.poolSize() / 10);
    }

    @Test
    void unknownKeyIsAnErrorNamingTheKeyAndFile(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("w.yaml");
        Files.writeString(f, "imageSize: 32\nshapez: [circle]\n");
        BadInputException e = assertThrows(BadInputException.class, () -> WorldConfig.load(f));
        assertTrue(e.getMessage().contains("shapez") && e.getMessage().contains("w.yaml"), e.getMessage());
    }

    @Test
    void unknownNestedKeyAndBadValuesAreErrors(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("w.yaml");
        Files.writeString(f, "quality:\n  junkk: {max: 1, power: 2}\n");
        assertThrows(BadInputException.class, () -> WorldConfig.load(f));
        Files.writeString(f, "shapes: [circle, blob]\n");
        BadInputException e = assertThrows(BadInputException.class, () -> WorldConfig.load(f));
        assertTrue(e.getMessage().contains("blob"), e.getMessage());
        Files.writeString(f, "oodShapes: [circle]\n");
        assertThrows(BadInputException.class, () -> WorldConfig.load(f));
        Files.writeString(f, "quality:\n  wrong: {max: 0.5, power: -1}\n");
        assertThrows(BadInputException.class, () -> WorldConfig.load(f));
        Files.writeString(f, "tasks:\n  sizes: {imagenet2k: 5}\n");
        assertThrows(BadInputException.class, () -> WorldConfig.load(f));
    }

    @Test
    void curvesFallToZeroAtFullQuality() {
        Curve c = new Curve(1.2, 2);
        assertEquals(0, c.at(1.0));
        assertEquals(1.0, c.at(0.0));
        assertEquals(1.2 * 0.25, c.at(0.5), 1e-12);
        assertTrue(c.at(0.3) > c.at(0.6));
    }

    @Test
    void heldOutPairsNeverTakeEveryColourOfAShape() {
        List<String> allShapes = List.copyOf(Catalog.SHAPES.keySet());
        List<String> allColours = List.copyOf(Catalog.COLOURS.keySet());
        for (int ns = 2; ns <= 8; ns++) {
            for (int nc = 2; nc <= 16; nc++) {
                int h = Math.max(0, ns * nc / 2 - 1);
                WorldConfig c = new WorldConfig(null, allShapes.subList(0, ns), allColours.subList(0, nc), null, null,
                        List.of("tee"), null, null, null, null, null, null, null, null, h, null, null, null, null,
                        null, null, null).validated(null);
                List<int[]> pairs = c.heldOutPairs();
                assertEquals(h, pairs.size());
                int[] perShape = new int[ns];
                java.util.Set<Integer> distinct = new java.util.HashSet<>();
                for (int[] p : pairs) {
                    perShape[p[0]]++;
                    distinct.add(p[0] * 100 + p[1]);
                }
                assertEquals(h, distinct.size());
                for (int k : perShape) {
                    assertTrue(k < nc, ns + " shapes, " + nc + " colours: a shape lost every colour");
                }
            }
        }
    }

    @Test
    void heldOutPairsAreDistinctAndSpreadOverColours() {
        World w = new World(WorldConfig.defaults(), 0);
        assertEquals(10, w.heldOutPairs.size());
        java.util.Set<Integer> colours = new java.util.HashSet<>();
        java.util.Set<Integer> pairs = new java.util.HashSet<>();
        for (int[] p : w.heldOutPairs) {
            colours.add(p[1]);
            pairs.add(p[0] * 100 + p[1]);
        }
        assertEquals(10, pairs.size());
        assertEquals(10, colours.size());
    }
}
