package org.qqt.scaling;

/**
 * Where the irreducible error d sits in the effective-utility law (DESIGN.md, "The scaling law").
 * Only the utility objective has two forms; the reference code adds d at the end for effective data.
 */
public enum LawForm {
    /** The paper's equation (3): y = n_0^(b_0) · Π_{e≥1} (n_e/m_e)^(b_e) + d. Default. */
    ADDITIVE("additive"),
    /** locuslab's {@code func_effective_utility}: y = (n_0^(b_0) + d) · Π_{e≥1} (n_e/m_e)^(b_e). */
    REFERENCE("reference");

    private final String cliName;

    LawForm(String cliName) {
        this.cliName = cliName;
    }

    /** The form the law takes under {@code objective}: effective data always adds d at the end. */
    public LawForm forObjective(Objective objective) {
        return objective == Objective.EFFECTIVE_DATA ? ADDITIVE : this;
    }

    public String cliName() {
        return cliName;
    }

    public static LawForm parse(String s) {
        for (LawForm f : values()) {
            if (f.cliName.equalsIgnoreCase(s) || f.name().equalsIgnoreCase(s)) {
                return f;
            }
        }
        throw new org.qqt.io.BadInputException("unknown law form '" + s + "'; use additive or reference");
    }
}
