package org.qqt.figure5;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** report: report.md and report.html from the result files, the config and the ledger's step times. */
final class ReportStep extends Figure5Step.Fingerprinted {
    private final List<String> steps;

    /** {@code steps}: every step's name, in order (the report lists their wall times). */
    ReportStep(Figure5Context ctx, StepLedger ledger, List<String> steps) {
        super("report", ctx, ledger, "report.md", "report.html");
        this.steps = steps;
    }

    @Override
    String fingerprint() {
        return Fingerprints.hash(FigureStep.fingerprint(ctx) + Fingerprints.sha256OrNone(ctx.file("figure5.svg"))
                + Fingerprints.sha256OrNone(ctx.file("verdicts.json"))
                + Fingerprints.sha256OrNone(ctx.file("residuals.png"))
                + Fingerprints.sha256OrNone(ctx.file("training-curves.png")) + configText(ctx.options.config()));
    }

    static String configText(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    void run() {
        Map<String, Double> stepSeconds = ledger.seconds(steps);
        stepSeconds.put(name(), 0.0);
        new Figure5Report(ctx.config, ctx.options.config(), configText(ctx.options.config()), ctx.dir, ctx.plan,
                stepSeconds, ledger.invocations(), FitStep.fittedBuckets(ctx.sweep), ctx.range()).write();
    }
}
