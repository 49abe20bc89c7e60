package org.qqt.synth;

import java.awt.Color;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything the world can name: shapes, colours, textures, backgrounds, sizes and grid positions, with the
 * English words captions may use for each. The first word of each entry is its canonical name, used for
 * class names of the evaluation tasks; the others are synonyms that captions draw from. A world config picks
 * subsets of these by canonical name.
 */
final class Catalog {
    private Catalog() {}

    /** A shape: canonical name, plural, synonyms (first = canonical) with their plurals. */
    record ShapeWord(String name, List<String> words, List<String> plurals) {}

    /** A colour with its RGB value and words. */
    record ColourWord(String name, int rgb, List<String> words) {
        Color color() {
            return new Color(rgb);
        }
    }

    /** Anything else named by a list of words (first = canonical). */
    record Word(String name, List<String> words) {}

    static final Map<String, ShapeWord> SHAPES = shapes(
            new ShapeWord("circle", List.of("circle", "disc"), List.of("circles", "discs")),
            new ShapeWord("square", List.of("square", "box"), List.of("squares", "boxes")),
            new ShapeWord("triangle", List.of("triangle"), List.of("triangles")),
            new ShapeWord("star", List.of("star"), List.of("stars")),
            new ShapeWord("cross", List.of("cross", "plus sign"), List.of("crosses", "plus signs")),
            new ShapeWord("ring", List.of("ring", "donut", "hoop"), List.of("rings", "donuts", "hoops")),
            new ShapeWord("diamond", List.of("diamond", "rhombus"), List.of("diamonds", "rhombuses")),
            new ShapeWord("arrow", List.of("arrow"), List.of("arrows")),
            new ShapeWord("heart", List.of("heart"), List.of("hearts")),
            new ShapeWord("hexagon", List.of("hexagon"), List.of("hexagons")),
            new ShapeWord("pentagon", List.of("pentagon"), List.of("pentagons")),
            new ShapeWord("crescent", List.of("crescent", "moon"), List.of("crescents", "moons")),
            new ShapeWord("semicircle", List.of("semicircle"), List.of("semicircles")),
            new ShapeWord("trapezoid", List.of("trapezoid"), List.of("trapezoids")),
            new ShapeWord("bolt", List.of("bolt", "lightning bolt"), List.of("bolts", "lightning bolts")),
            new ShapeWord("tee", List.of("tee", "letter t"), List.of("tees", "letter ts")));

    static final Map<String, ColourWord> COLOURS = colours(
            new ColourWord("red", 0xE61919, List.of("red", "scarlet")),
            new ColourWord("orange", 0xFF8200, List.of("orange")),
            new ColourWord("yellow", 0xFFE119, List.of("yellow")),
            new ColourWord("lime", 0x96FF32, List.of("lime", "chartreuse")),
            new ColourWord("green", 0x0A8C28, List.of("green", "emerald")),
            new ColourWord("cyan", 0x00D2D2, List.of("cyan", "turquoise")),
            new ColourWord("blue", 0x1E46EB, List.of("blue")),
            new ColourWord("purple", 0x8C28C8, List.of("purple", "violet")),
            new ColourWord("pink", 0xFF69B4, List.of("pink")),
            new ColourWord("brown", 0x8C5523, List.of("brown")),
            new ColourWord("white", 0xF5F5F5, List.of("white")),
            new ColourWord("gray", 0x808080, List.of("gray", "grey")),
            new ColourWord("black", 0x141414, List.of("black")),
            new ColourWord("navy", 0x000A78, List.of("navy")),
            new ColourWord("magenta", 0xF000F0, List.of("magenta")),
            new ColourWord("olive", 0x808000, List.of("olive")));

    static final Map<String, Word> TEXTURES = words(
            new Word("solid", List.of("solid", "plain", "filled")),
            new Word("striped", List.of("striped", "stripy")),
            new Word("dotted", List.of("dotted", "spotted", "polka dot")),
            new Word("checkered", List.of("checkered", "chequered")),
            new Word("outlined", List.of("outlined", "hollow")));

    static final Map<String, Word> BACKGROUNDS = words(
            new Word("black", List.of("black", "dark")),
            new Word("gray", List.of("gray", "grey")),
            new Word("white", List.of("white", "light")),
            new Word("striped", List.of("striped", "lined")),
            new Word("checkered", List.of("checkered", "checkerboard")),
            new Word("noisy", List.of("noisy", "grainy")),
            new Word("gradient", List.of("gradient", "fading")),
            new Word("grid", List.of("grid", "graph paper")));

    static final List<Word> SIZES = List.of(
            new Word("small", List.of("small", "little", "tiny")),
            new Word("large", List.of("large", "big", "huge")));

    /** The 3x3 grid, row-major from the top left. Each entry's words are full phrases. */
    static final List<Word> POSITIONS = List.of(
            new Word("top left", List.of("in the top left", "in the top left corner", "at the upper left")),
            new Word("top center", List.of("in the top center", "at the top", "at the top middle")),
            new Word("top right", List.of("in the top right", "in the top right corner", "at the upper right")),
            new Word("middle left", List.of("in the middle left", "on the left", "at the left side")),
            new Word("center", List.of("in the center", "in the middle", "at the center")),
            new Word("middle right", List.of("in the middle right", "on the right", "at the right side")),
            new Word("bottom left", List.of("in the bottom left", "in the bottom left corner", "at the lower left")),
            new Word("bottom center", List.of("in the bottom center", "at the bottom", "at the bottom middle")),
            new Word("bottom right", List.of("in the bottom right", "in the bottom right corner", "at the lower right")));

    static final List<Word> COUNTS = List.of(
            new Word("one", List.of("one", "a single")),
            new Word("two", List.of("two", "a pair of")),
            new Word("three", List.of("three")),
            new Word("four", List.of("four")));

    private static Map<String, ShapeWord> shapes(ShapeWord... s) {
        Map<String, ShapeWord> m = new LinkedHashMap<>();
        for (ShapeWord w : s) {
            m.put(w.name(), w);
        }
        return java.util.Collections.unmodifiableMap(m);
    }

    private static Map<String, ColourWord> colours(ColourWord... s) {
        Map<String, ColourWord> m = new LinkedHashMap<>();
        for (ColourWord w : s) {
            m.put(w.name(), w);
        }
        return java.util.Collections.unmodifiableMap(m);
    }

    private static Map<String, Word> words(Word... s) {
        Map<String, Word> m = new LinkedHashMap<>();
        for (Word w : s) {
            m.put(w.name(), w);
        }
        return java.util.Collections.unmodifiableMap(m);
    }
}
