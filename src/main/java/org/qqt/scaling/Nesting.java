package org.qqt.scaling;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Pools that are cumulative fractions of one ranked pool (top 10% ⊂ top 20% ⊂ …, as DataComp's tables are), told
 * apart from disjoint buckets by their names: {@code top10}, {@code top10%}, {@code top-10%} or {@code top0-10} is
 * the top 10%; {@code top10-20} is a bucket. Such pools are fitted like any others (each its own b and τ, or tied
 * with {@code --tie}), and the report labels them, because they share data: the top 10% is inside the top 20%, so
 * their points are not independent, and {@code qqt predict}'s "top k" mixtures (unions of disjoint buckets) do not
 * apply to them.
 *
 * @param kind always "cumulative"
 * @param pools the nested pools, smallest fraction first
 * @param fractions their fractions in percent, in the same order
 * @param note what it means for the fit, one line
 */
public record Nesting(String kind, List<String> pools, List<Double> fractions, String note) {
    private static final Pattern TOP = Pattern.compile("(?i)top[ _-]?(?:0-)?(\\d+(?:\\.\\d+)?)\\s*%?");

    /**
     * The nesting of pools named as cumulative fractions whose sizes grow with the fraction, or null when fewer
     * than two pools are so named (or their sizes do not grow with the fraction: then they cannot be nested).
     */
    public static Nesting of(List<String> names, double[] sizes) {
        record Named(String name, double fraction, double size) {}
        List<Named> found = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            Matcher m = TOP.matcher(names.get(i).trim());
            if (m.matches()) {
                found.add(new Named(names.get(i), Double.parseDouble(m.group(1)), sizes[i]));
            }
        }
        if (found.size() < 2) {
            return null;
        }
        found.sort(Comparator.comparingDouble(Named::fraction));
        for (int i = 1; i < found.size(); i++) {
            Named prev = found.get(i - 1);
            if (!(found.get(i).fraction() > prev.fraction() && found.get(i).size() > prev.size())) {
                return null;
            }
        }
        List<String> pools = found.stream().map(Named::name).toList();
        String chain = String.join(" ⊂ ", pools);
        return new Nesting("cumulative", pools, found.stream().map(Named::fraction).toList(), String.format(Locale.ROOT,
                "nested pools %s: each holds the ones before it, so their runs share data; fit them as one kind of "
                        + "data at different sizes (--tie b,tau), and do not read predict's top-k mixtures for them",
                chain));
    }
}
