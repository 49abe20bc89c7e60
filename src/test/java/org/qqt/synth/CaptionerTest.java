package org.qqt.synth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CaptionerTest {
    private static final WorldConfig WORLD = WorldConfig.defaults();

    /** Phrases of one attribute kind, value name → phrases. */
    private static Map<String, List<String>> kind(Map<String, ? extends Object> m) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (var e : m.entrySet()) {
            Object v = e.getValue();
            if (v instanceof Catalog.ShapeWord s) {
                List<String> w = new ArrayList<>(s.words());
                w.addAll(s.plurals());
                out.put(e.getKey(), w);
            } else if (v instanceof Catalog.ColourWord c) {
                out.put(e.getKey(), c.words());
            } else if (v instanceof Catalog.Word w) {
                out.put(e.getKey(), w.words());
            }
        }
        return out;
    }

    /**
     * The values of one kind that a caption mentions; matched phrases (longest first) are blanked out of
     * {@code text[0]} so that later kinds do not see them ("striped background" is not a striped texture).
     */
    private static Set<String> mentioned(String[] text, Map<String, List<String>> phrases, String suffix) {
        List<String[]> all = new ArrayList<>();
        phrases.forEach((value, list) -> list.forEach(p -> all.add(new String[] {value, p + suffix})));
        all.sort(Comparator.comparingInt((String[] a) -> a[1].length()).reversed());
        Set<String> found = new HashSet<>();
        for (String[] vp : all) {
            String padded = " " + text[0].replace(",", " ") + " ";
            String needle = " " + vp[1] + " ";
            if (padded.contains(needle)) {
                found.add(vp[0]);
                text[0] = padded.replace(needle, " # ").trim();
            }
        }
        return found;
    }

    @Test
    void cleanCaptionsMentionOnlyTheTrueAttributes() {
        World w = new World(WORLD, 0);
        SceneSampler sampler = new SceneSampler(w);
        Captioner cap = new Captioner(w);
        Map<String, List<String>> positions = new LinkedHashMap<>();
        for (int i = 0; i < 9; i++) {
            positions.put(Integer.toString(i), Catalog.POSITIONS.get(i).words());
        }
        Map<String, List<String>> sizes = Map.of("false", Catalog.SIZES.get(0).words(), "true", Catalog.SIZES.get(1).words());
        int mentionedColour = 0;
        for (int i = 0; i < 3000; i++) {
            Rng rng = new Rng(1, 9, i);
            Scene s = sampler.sample(rng, 1, true);
            SceneObject o = s.objects().get(0);
            Caption c = cap.caption(s, rng, rng, 0.0);
            assertEquals(1.0, c.correctFraction());
            assertTrue(c.mentions() >= 1, c.text());
            String[] t = {c.text()};
            Set<String> pos = mentioned(t, positions, "");
            Set<String> bg = mentioned(t, kind(Catalog.BACKGROUNDS), " background");
            Set<String> col = mentioned(t, kind(Catalog.COLOURS), "");
            Set<String> shp = mentioned(t, kind(Catalog.SHAPES), "");
            Set<String> siz = mentioned(t, sizes, "");
            Set<String> tex = mentioned(t, kind(Catalog.TEXTURES), "");
            String msg = c.text() + " / " + o + " on " + s.background();
            assertTrue(pos.isEmpty() || pos.equals(Set.of(Integer.toString(o.cell()))), msg);
            assertTrue(bg.isEmpty() || bg.equals(Set.of(s.background())), msg);
            assertTrue(col.isEmpty() || col.equals(Set.of(o.colour())), msg);
            assertTrue(shp.isEmpty() || shp.equals(Set.of(o.shape())), msg);
            assertTrue(siz.isEmpty() || siz.equals(Set.of(Boolean.toString(o.large()))), msg);
            assertTrue(tex.isEmpty() || tex.equals(Set.of(o.texture())), msg);
            assertTrue(!shp.isEmpty() || c.text().contains("object") || c.text().contains("shape"), msg);
            mentionedColour += col.isEmpty() ? 0 : 1;
        }
        assertTrue(mentionedColour > 1500, "most captions name the colour: " + mentionedColour);
    }

    @Test
    void sameObjectScenesAreCountedAndListsNameEveryObject() {
        World w = new World(WORLD, 0);
        SceneSampler sampler = new SceneSampler(w);
        Captioner cap = new Captioner(w);
        int counted = 0;
        for (int i = 0; i < 500; i++) {
            Rng rng = new Rng(2, 9, i);
            Scene s = sampler.sample(rng, 3, true);
            String text = cap.caption(s, rng, rng, 0.0).text();
            if (s.same()) {
                assertTrue(text.contains("three"), text);
                counted++;
            } else {
                assertEquals(2, text.split(", | and ").length - 1 + (text.contains(" on a ") ? 0 : 0), text);
            }
        }
        assertTrue(counted > 50);
    }

    @Test
    void articlesAgreeWithTheNextWord() {
        assertEquals("an orange star and a red ring", Captioner.fixArticles("a orange star and a red ring"));
        World w = new World(WORLD, 0);
        SceneSampler sampler = new SceneSampler(w);
        Captioner cap = new Captioner(w);
        for (int i = 0; i < 2000; i++) {
            Rng rng = new Rng(3, 9, i);
            String text = cap.caption(sampler.sample(rng), rng, rng, 0.3).text();
            assertTrue(!text.matches(".*\\ba [aeiou].*"), text);
        }
    }

    @Test
    void captionsAreVaried() {
        PoolGenerator g = new PoolGenerator(WORLD, 0);
        Set<String> distinct = new HashSet<>();
        for (int i = 0; i < 2000; i++) {
            distinct.add(g.teacher(i).text());
        }
        assertTrue(distinct.size() > 1800, "distinct teacher captions: " + distinct.size());
    }
}
