package org.qqt.cli;

import org.qqt.scaling.LawForm;
import org.qqt.scaling.Objective;
import picocli.CommandLine.Option;

/** The law's conventions, shared by law, predict, fit and validate. */
final class LawOptions {
    @Option(names = "--law", paramLabel = "FORM", defaultValue = "additive",
            description = "additive (paper, default) or reference (locuslab: d multiplied by later-epoch ratios).")
    String law;

    @Option(names = "--objective", paramLabel = "OBJ", defaultValue = "utility",
            description = "utility (default: utility decays with repetition) or effective-data (samples decay).")
    String objective;

    LawForm form() {
        return LawForm.parse(law);
    }

    Objective objective() {
        return Objective.parse(objective);
    }
}
