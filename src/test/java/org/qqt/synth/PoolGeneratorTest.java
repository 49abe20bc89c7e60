package org.qqt.synth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PoolGeneratorTest {
    private static final WorldConfig WORLD = WorldConfig.defaults();

    private static int[] pixels(BufferedImage img) {
        return img.getRGB(0, 0, img.getWidth(), img.getHeight(), null, 0, img.getWidth());
    }

    @Test
    void sameSeedGivesIdenticalSamplesInAnyOrder() {
        PoolGenerator a = new PoolGenerator(WORLD, 7);
        PoolGenerator b = new PoolGenerator(WORLD, 7);
        for (int i = 99; i >= 0; i--) { // b in reverse order: samples do not depend on generation order
            PoolSample x = a.pool(99 - i);
            PoolSample y = b.pool(99 - i);
            assertEquals(x, y);
            assertArrayEquals(pixels(a.image(x)), pixels(b.image(y)));
        }
        assertEquals(a.pool(5), b.pool(5));
    }

    @Test
    void differentSeedsGiveDifferentPools() {
        PoolGenerator a = new PoolGenerator(WORLD, 0);
        PoolGenerator b = new PoolGenerator(WORLD, 1);
        int sameText = 0;
        for (int i = 0; i < 50; i++) {
            assertNotEquals(a.pool(i).uid(), b.pool(i).uid());
            sameText += a.pool(i).text().equals(b.pool(i).text()) ? 1 : 0;
        }
        assertTrue(sameText < 10, "texts equal across seeds: " + sameText);
    }

    @Test
    void uidsAreUnique32HexAndDistinctBetweenPoolAndTeacher() {
        PoolGenerator g = new PoolGenerator(WORLD, 0);
        Set<String> uids = new HashSet<>();
        for (int i = 0; i < 2000; i++) {
            assertTrue(uids.add(g.pool(i).uid()));
            assertTrue(uids.add(g.teacher(i).uid()));
        }
        for (String u : uids) {
            assertTrue(u.matches("[0-9a-f]{32}"), u);
        }
    }

    @Test
    void teacherSetIsCleanWithQualityOne() {
        PoolGenerator g = new PoolGenerator(WORLD, 3);
        for (int i = 0; i < 2000; i++) {
            PoolSample s = g.teacher(i);
            assertEquals(1.0, s.trueQuality());
            assertFalse(s.junk());
            assertFalse(s.corrupt());
            assertEquals(-1, s.dupGroup());
            assertEquals(1.0, s.captionCorrect());
            assertEquals(WORLD.jpegQuality(), s.jpegQuality());
        }
    }

    @Test
    void poolQualityIsUniformByDefault() {
        PoolGenerator g = new PoolGenerator(WORLD, 0);
        int n = 10_000;
        double sum = 0;
        int low = 0;
        for (int i = 0; i < n; i++) {
            double q = g.pool(i).trueQuality();
            assertTrue(q >= 0 && q < 1);
            sum += q;
            low += q < 0.1 ? 1 : 0;
        }
        assertEquals(0.5, sum / n, 0.015);
        assertEquals(0.1, low / (double) n, 0.012);
    }

    /** Rates measured on 10k samples at fixed q must match the configured curves within 4 binomial SEs. */
    @Test
    void junkDupCorruptAndWrongWordRatesFollowTheConfiguredCurves() {
        PoolGenerator g = new PoolGenerator(WORLD, 11);
        QualityConfig qc = WORLD.quality();
        double[] qs = {0.1, 0.4, 0.7, 0.95};
        double prevJunk = 2, prevWrong = 2, prevDup = 2;
        for (double q : qs) {
            int n = 10_000;
            int junk = 0, dup = 0, corrupt = 0;
            long mentions = 0;
            double correct = 0;
            for (int i = 0; i < n; i++) {
                PoolSample s = g.poolAt(i + (long) (q * 1e6), q);
                junk += s.junk() ? 1 : 0;
                dup += s.dupGroup() >= 0 ? 1 : 0;
                corrupt += s.corrupt() ? 1 : 0;
                if (!s.junk()) {
                    mentions += s.mentions();
                    correct += s.captionCorrect() * s.mentions();
                }
            }
            assertRate("junk", junk, n, qc.junk().at(q));
            assertRate("dup", dup, n, qc.dup().at(q));
            assertRate("corrupt", corrupt, n, qc.corrupt().at(q));
            long wrong = mentions - Math.round(correct);
            assertRate("wrong word", wrong, mentions, qc.wrong().at(q));
            double jr = junk / (double) n;
            double wr = wrong / (double) mentions;
            double dr = dup / (double) n;
            assertTrue(jr < prevJunk && wr < prevWrong && dr <= prevDup, "rates must fall as q rises (q=" + q + ")");
            prevJunk = jr;
            prevWrong = wr;
            prevDup = dr;
        }
    }

    private static void assertRate(String what, long k, long n, double p) {
        double se = Math.sqrt(Math.max(p * (1 - p), 1e-4) / n);
        double rate = k / (double) n;
        assertTrue(Math.abs(rate - p) <= 4 * se + 1e-9,
                what + " rate " + rate + " vs configured " + p + " (4 SE = " + 4 * se + ", n = " + n + ")");
    }

    @Test
    void duplicatesOfOneGroupShareTheSceneUpToJitterButNotThePixels() {
        PoolGenerator g = new PoolGenerator(WORLD, 5);
        List<PoolSample> group = new ArrayList<>();
        for (int i = 0; group.size() < 3 && i < 200_000; i++) {
            PoolSample s = g.poolAt(i, 0.3);
            if (s.dupGroup() == 3 && !s.junk()) {
                group.add(s);
            }
        }
        assertEquals(3, group.size());
        Scene a = group.get(0).scene();
        Scene b = group.get(1).scene();
        assertEquals(a.background(), b.background());
        assertEquals(a.objects().size(), b.objects().size());
        for (int k = 0; k < a.objects().size(); k++) {
            SceneObject x = a.objects().get(k);
            SceneObject y = b.objects().get(k);
            assertEquals(x.shape(), y.shape());
            assertEquals(x.colour(), y.colour());
            assertTrue(Math.abs(x.cx() - y.cx()) <= 2 * WORLD.quality().dupJitter() + 1e-12);
        }
        assertFalse(java.util.Arrays.equals(pixels(g.image(group.get(0))), pixels(g.image(group.get(1)))));
    }

    @Test
    void heldOutPairsNeverOccurInPoolOrTeacher() {
        PoolGenerator g = new PoolGenerator(WORLD, 0);
        World w = new World(WORLD, 0);
        for (int i = 0; i < 5000; i++) {
            for (PoolSample s : List.of(g.pool(i), g.teacher(i))) {
                for (SceneObject o : s.scene().objects()) {
                    assertFalse(w.isHeldOut(WORLD.shapes().indexOf(o.shape()), WORLD.colours().indexOf(o.colour())),
                            o.toString());
                }
            }
        }
    }

    @Test
    void perDecileStatsShowQualityFallingDownTheDeciles() {
        PoolGenerator g = new PoolGenerator(WORLD, 0);
        List<PoolSample> pool = new ArrayList<>();
        for (int i = 0; i < 5000; i++) {
            pool.add(g.pool(i));
        }
        List<PoolStats.Decile> d = PoolStats.byDecile(pool);
        assertEquals(10, d.size());
        assertTrue(d.get(0).meanQ() > d.get(9).meanQ());
        assertTrue(d.get(0).junk() < d.get(9).junk());
        assertTrue(d.get(0).captionAccuracy() > d.get(9).captionAccuracy());
        assertTrue(d.get(0).duplicate() < d.get(9).duplicate());
        assertTrue(PoolStats.markdown(d).contains("| 1 (top 0–10%) |"));
    }
}
