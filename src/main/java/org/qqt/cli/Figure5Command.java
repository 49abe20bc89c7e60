package org.qqt.cli;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.qqt.io.BadInputException;
import org.qqt.figure5.Figure5Config;
import org.qqt.figure5.Figure5Pipeline;
import org.qqt.sweep.Launcher;
import org.qqt.sweep.SweepConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code qqt figure5}: the whole chain of one sweep config, from synth to report, resumable step by step. */
@Command(name = "figure5", mixinStandardHelpOptions = true,
        description = {"Run the whole Figure-5 chain of a sweep config: synth -> teacher -> score -> filter -> "
                + "bucket runs -> fit -> predict -> validation runs -> validate -> figure -> report "
                + "(<runs>/<name>/report.html and report.md).",
                "Every step is skipped when its outputs exist and its inputs did not change, so a killed figure5 "
                        + "continues where it stopped. See docs/sweeps.md, \"qqt figure5\"."},
        footer = {"", "Examples:", "  qqt figure5 --config configs/figure5-smoke.yaml",
                "  qqt figure5 --config configs/figure5-mini.yaml --workers 2 --threads 1",
                "  qqt figure5 --config configs/figure5-datacomp-medium.yaml --executor slurm --partition gpu --gpus 1"})
final class Figure5Command implements Callable<Integer> {
    @Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--config", required = true, paramLabel = "FILE",
            description = "Sweep config with world/teacher/figure5 sections (.yaml or .json).")
    Path config;

    @Option(names = "--base", paramLabel = "DIR",
            description = "Directory the config's relative paths resolve against (default: the current directory).")
    Path base;

    @Option(names = "--qqt", paramLabel = "PATH",
            description = "qqt launcher the sweep runs call (default: the config's \"qqt\", else this install's bin/qqt).")
    Path qqt;

    @Mixin
    SweepCommand.ExecOptions exec;

    @Override
    public Integer call() {
        if (exec.dryRun) {
            throw new BadInputException("--dry-run is not supported by qqt figure5 (use qqt sweep run --dry-run)");
        }
        Path b = (base == null ? Path.of("") : base).toAbsolutePath().normalize();
        Path cfg = b.resolve(config);
        SweepConfig c = Figure5Config.load(cfg).sweep();
        Path launcher = qqt != null ? qqt.toAbsolutePath() : c.qqt() != null ? b.resolve(c.qqt()) : Launcher.find();
        Figure5Pipeline.Options o = new Figure5Pipeline.Options(cfg, b, exec.target(c, b, launcher), Qqt.typed(spec));
        PrintStream out = new PrintStream(new WriterOutputStream(spec.commandLine().getOut()), true,
                StandardCharsets.UTF_8);
        new Figure5Pipeline(o, out).run();
        out.flush();
        return 0;
    }

    /** Bytes written to a PrintStream, passed on to picocli's writer (so tests can capture the output). */
    private static final class WriterOutputStream extends java.io.OutputStream {
        private final java.io.PrintWriter w;
        private final java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();

        WriterOutputStream(java.io.PrintWriter w) {
            this.w = w;
        }

        @Override
        public synchronized void write(int b) {
            buf.write(b);
            if (b == '\n') {
                flush();
            }
        }

        @Override
        public synchronized void flush() {
            w.print(buf.toString(StandardCharsets.UTF_8));
            w.flush();
            buf.reset();
        }
    }
}
