package org.qqt.scaling;

/** What decays with repetition: the utility exponent, or the worth of the repeated samples (App. F.2/F.3). */
public enum Objective {
    /** Utility decays: b_e = b·0.5^(e/τ); mixtures take the plain mean of b_i·0.5^(e/τ̂_i) (Theorem 1). */
    UTILITY("utility"),
    /** Samples decay (Muennighoff-style): D_eff = Σ_e new_e·0.5^(e/τ); mixtures take the δ-weighted b. */
    EFFECTIVE_DATA("effective-data");

    private final String cliName;

    Objective(String cliName) {
        this.cliName = cliName;
    }

    public String cliName() {
        return cliName;
    }

    public static Objective parse(String s) {
        for (Objective o : values()) {
            if (o.cliName.equalsIgnoreCase(s) || o.name().equalsIgnoreCase(s)) {
                return o;
            }
        }
        throw new org.qqt.io.BadInputException("unknown objective '" + s + "'; use utility or effective-data");
    }
}
