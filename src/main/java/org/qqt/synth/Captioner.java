package org.qqt.synth;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * English captions for scenes: templates and synonyms, chosen from {@code style} draws, with each attribute
 * word replaced by a wrong value of the same kind with probability {@code pWrong}, decided by {@code noise}
 * draws. The two streams are separate so that near-duplicates can share wording (one style stream per
 * duplicate group) while their errors differ. Every slot takes exactly one style draw, wrong or not.
 */
final class Captioner {
    static final List<String> SINGLE = List.of(
            "a {size} {colour} {shape} {pos} on a {bg} background",
            "a {colour} {texture} {shape} {pos}",
            "photo of a {size} {colour} {shape}",
            "a photo of a {colour} {shape} on a {bg} background",
            "a {colour} {shape}",
            "the {colour} {shape} {pos}",
            "there is a {size} {texture} {colour} {shape} {pos}",
            "a {size} {shape} that is {colour}",
            "{colour} {shape}, {texture}, on a {bg} background",
            "an image of a {texture} {shape} {pos}",
            "a {size} {colour} object {pos}",
            "a {colour} shape on a {bg} background",
            "picture of a {size} {colour} {texture} {shape} {pos} on a {bg} background",
            "a {shape} {pos}",
            "close-up of a {colour} {texture} {shape}",
            "the {shape} is {colour} and {size}",
            "a photo of the {size} {colour} {shape}",
            "{size} {colour} {shape} {pos}");

    static final List<String> SAME = List.of(
            "{count} {colour} {shapes}",
            "{count} {size} {colour} {shapes}",
            "a photo of {count} {colour} {shapes} on a {bg} background",
            "{count} {texture} {shapes}",
            "{count} {colour} {shapes} on a {bg} background",
            "{count} {size} {texture} {colour} {shapes}");

    static final List<String> LIST_PREFIX = List.of("", "{count} shapes: ", "{count} objects: ", "a photo of ",
            "picture of ");
    static final List<String> LIST_ITEM = List.of("a {colour} {shape}", "a {size} {colour} {shape}",
            "a {colour} {shape} {pos}", "a {colour} {texture} {shape}", "a {shape} {pos}");
    static final List<String> LIST_SUFFIX = List.of("", " on a {bg} background");

    static final List<String> SPAM = List.of("best price free shipping", "buy now and save {n}%",
            "click here for more", "cheap wholesale new arrivals", "limited offer shop now",
            "free shipping on orders over ${n}", "100% original high quality", "hot sale {n} pcs lot",
            "download free wallpaper hd", "follow us for more deals");

    private final World world;

    Captioner(World world) {
        this.world = world;
    }

    /** A junk caption: a camera file name or shop spam. */
    static Caption junk(Rng rng) {
        String text;
        if (rng.bernoulli(0.5)) {
            text = switch (rng.nextInt(5)) {
                case 0 -> String.format(Locale.ROOT, "IMG_%04d.jpg", rng.nextInt(10000));
                case 1 -> String.format(Locale.ROOT, "DSC%05d.JPG", rng.nextInt(100000));
                case 2 -> String.format(Locale.ROOT, "photo_%d-%02d-%02d.png", 2005 + rng.nextInt(20),
                        1 + rng.nextInt(12), 1 + rng.nextInt(28));
                case 3 -> String.format(Locale.ROOT, "image (%d).jpeg", 1 + rng.nextInt(99));
                default -> String.format(Locale.ROOT, "Screenshot %d", 1000 + rng.nextInt(9000));
            };
        } else {
            text = rng.pick(SPAM).replace("{n}", Integer.toString(5 + rng.nextInt(95)));
        }
        return new Caption(text, 0, 0, true);
    }

    /** A caption for {@code scene}; attribute words are wrong with probability {@code pWrong} each. */
    Caption caption(Scene scene, Rng style, Rng noise, double pWrong) {
        Fill f = new Fill(style, noise, pWrong);
        List<SceneObject> objs = scene.objects();
        String text;
        if (objs.size() == 1) {
            text = f.expand(style.pick(SINGLE), objs.get(0), scene);
        } else if (scene.same()) {
            text = f.expand(style.pick(SAME), objs.get(0), scene);
        } else {
            String prefix = style.pick(LIST_PREFIX);
            String item = style.pick(LIST_ITEM);
            String suffix = style.pick(LIST_SUFFIX);
            StringBuilder sb = new StringBuilder(f.expand(prefix, objs.get(0), scene));
            for (int i = 0; i < objs.size(); i++) {
                if (i > 0) {
                    sb.append(i == objs.size() - 1 ? " and " : ", ");
                }
                sb.append(f.expand(item, objs.get(i), scene));
            }
            sb.append(f.expand(suffix, objs.get(0), scene));
            text = sb.toString();
        }
        return new Caption(fixArticles(text), f.mentions, f.correct, false);
    }

    /** "a orange" → "an orange". */
    static String fixArticles(String text) {
        String[] w = text.split(" ");
        StringBuilder sb = new StringBuilder(text.length() + 4);
        for (int i = 0; i < w.length; i++) {
            if (i > 0) {
                sb.append(' ');
            }
            if (w[i].equals("a") && i + 1 < w.length && !w[i + 1].isEmpty()
                    && "aeiou".indexOf(w[i + 1].charAt(0)) >= 0) {
                sb.append("an");
            } else {
                sb.append(w[i]);
            }
        }
        return sb.toString();
    }

    /** Fills one caption's slots, counting mentions and correct ones. */
    private final class Fill {
        final Rng style;
        final Rng noise;
        final double pWrong;
        int mentions;
        int correct;

        Fill(Rng style, Rng noise, double pWrong) {
            this.style = style;
            this.noise = noise;
            this.pWrong = pWrong;
        }

        String expand(String template, SceneObject o, Scene scene) {
            StringBuilder sb = new StringBuilder();
            int i = 0;
            while (i < template.length()) {
                int open = template.indexOf('{', i);
                if (open < 0) {
                    sb.append(template, i, template.length());
                    break;
                }
                sb.append(template, i, open);
                int close = template.indexOf('}', open);
                sb.append(slot(template.substring(open + 1, close), o, scene));
                i = close + 1;
            }
            return sb.toString();
        }

        String slot(String name, SceneObject o, Scene scene) {
            WorldConfig c = world.config;
            return switch (name) {
                case "size" -> {
                    int v = choose(o.large() ? 1 : 0, 2);
                    yield pickWord(Catalog.SIZES.get(v).words());
                }
                case "colour" -> {
                    int v = choose(c.colours().indexOf(o.colour()), c.colours().size());
                    yield pickWord(Catalog.COLOURS.get(c.colours().get(v)).words());
                }
                case "texture" -> {
                    int v = choose(c.textures().indexOf(o.texture()), c.textures().size());
                    yield pickWord(Catalog.TEXTURES.get(c.textures().get(v)).words());
                }
                case "shape", "shapes" -> {
                    int v = choose(c.shapes().indexOf(o.shape()), c.shapes().size());
                    Catalog.ShapeWord w = Catalog.SHAPES.get(c.shapes().get(v));
                    int k = style.nextInt(w.words().size());
                    yield name.equals("shape") ? w.words().get(k) : w.plurals().get(k);
                }
                case "pos" -> pickWord(Catalog.POSITIONS.get(choose(o.cell(), 9)).words());
                case "bg" -> {
                    int v = choose(c.backgrounds().indexOf(scene.background()), c.backgrounds().size());
                    yield pickWord(Catalog.BACKGROUNDS.get(c.backgrounds().get(v)).words());
                }
                case "count" -> {
                    int n = scene.objects().size();
                    // counts 2..4 are the alternatives for scenes of several objects
                    int v = n == 1 ? 0 : 1 + choose(n - 2, 3);
                    yield pickWord(Catalog.COUNTS.get(v).words());
                }
                default -> throw new IllegalArgumentException("unknown caption slot {" + name + "}");
            };
        }

        /** The true index, or (with probability pWrong) a uniformly chosen other one; counts the mention. */
        int choose(int truth, int n) {
            mentions++;
            if (n > 1 && noise.bernoulli(pWrong)) {
                int v = noise.nextInt(n - 1);
                return v >= truth ? v + 1 : v;
            }
            correct++;
            return truth;
        }

        String pickWord(List<String> words) {
            return words.get(style.nextInt(words.size()));
        }
    }
}
