package org.qqt.scaling;

import org.qqt.io.BadInputException;

/** The order in which pools are added to form the "top k" mixtures (prefixes). */
public enum MixtureOrder {
    /** The params file's order: score rank, best bucket first (default; the paper's "top 10%, top 20%, ..."). */
    RANK("rank"),
    /**
     * Ascending b, most negative (most useful) first, ties kept in file order — what the reference code's
     * {@code estimate_best_buckets} does with {@code np.argsort}.
     */
    B("b");

    private final String cliName;

    MixtureOrder(String cliName) {
        this.cliName = cliName;
    }

    public String cliName() {
        return cliName;
    }

    public static MixtureOrder parse(String s) {
        for (MixtureOrder o : values()) {
            if (o.cliName.equalsIgnoreCase(s) || o.name().equalsIgnoreCase(s)) {
                return o;
            }
        }
        throw new BadInputException("unknown mixture order '" + s + "'; use rank (file order) or b (ascending b)");
    }
}
