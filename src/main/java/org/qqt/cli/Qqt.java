package org.qqt.cli;

import java.io.PrintWriter;
import java.util.function.Consumer;
import org.qqt.io.BadInputException;
import org.qqt.io.DiskErrors;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code qqt} command: a thin layer of picocli subcommands, one per pipeline stage. Each parses and
 * validates its options, calls one stage's library code, and turns {@link BadInputException} into exit code 2.
 */
@Command(name = "qqt",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Compute-aware data curation for CLIP: fit scaling laws for data filtering and pick the "
                + "filter for your compute budget (Goyal et al., CVPR 2024).",
        subcommands = {
                // pipeline order: make data, score, filter, train, evaluate, sweep, fit, predict, validate
                SynthCommand.class,
                ScoreCommand.class,
                FilterCommand.class,
                TrainCommand.class,
                EvalCommand.class,
                SweepCommand.class,
                StudyCommand.class,
                FitCommand.class,
                PredictCommand.class,
                LawCommand.class,
                ValidateCommand.class,
                Figure5Command.class,
                Figure6Command.class,
                ExportCommand.class,
                BenchCommand.class,
                AutoComplete.GenerateCompletion.class,
        })
public final class Qqt implements Runnable {
    /** Exit code for bad input or usage: the user can fix it. */
    public static final int EXIT_USAGE = 2;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the CLI and returns the exit code (tests call this directly). */
    public static int execute(String... args) {
        return commandLine().execute(args);
    }

    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Qqt());
        cl.setExecutionExceptionHandler(Qqt::handle);
        cl.setParameterExceptionHandler(Qqt::usageError);
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        // completion script generation: `qqt generate-completion > qqt_completion; source qqt_completion`
        cl.getSubcommands().get("generate-completion").getCommandSpec().usageMessage().hidden(false);
        return cl;
    }

    /**
     * The command line a user typed, as one shell-safe string ("qqt filter --metadata 'my pool.parquet' ..."),
     * for the records that say how an output was made.
     */
    static String typed(CommandLine.Model.CommandSpec spec) {
        return "qqt " + String.join(" ", spec.commandLine().getParseResult().originalArgs().stream()
                .map(a -> a.matches("[A-Za-z0-9_./=:,+-]+") ? a : "'" + a.replace("'", "'\\''") + "'").toList());
    }

    /** Progress lines of a long library call, each printed to err and flushed at once. */
    static Consumer<String> lines(PrintWriter err, String prefix) {
        return line -> {
            err.println(prefix + line);
            err.flush();
        };
    }

    private static int handle(Exception e, CommandLine cl, CommandLine.ParseResult parsed) {
        PrintWriter err = cl.getErr();
        Throwable t = e;
        while (!(t instanceof BadInputException) && t.getCause() != null && t != t.getCause()) {
            t = t.getCause();
        }
        if (t instanceof BadInputException bad) {
            return userError(cl, oneLine(bad.getMessage()));
        }
        String disk = DiskErrors.userFix(e);
        if (disk != null) { // no space, read-only, no permission where no stage caught it: still the user's to fix
            return userError(cl, oneLine(disk));
        }
        err.println(name(cl) + ": failed: " + oneLine(String.valueOf(e)));
        if (System.getenv("QQT_DEBUG") != null) {
            e.printStackTrace(err);
        } else {
            err.println("(set QQT_DEBUG=1 for the stack trace)");
        }
        err.flush();
        return 1;
    }

    /**
     * A usage error (unknown option, missing or malformed value): one line naming the option, and where to look,
     * instead of picocli's full usage text.
     */
    private static int usageError(CommandLine.ParameterException ex, String[] args) {
        CommandLine cl = ex.getCommandLine();
        return userError(cl, oneLine(ex.getMessage()) + "; see " + name(cl) + " --help");
    }

    /** "qqt CMD: error: LINE" on stderr; exit 2. */
    private static int userError(CommandLine cl, String line) {
        PrintWriter err = cl.getErr();
        err.println(name(cl) + ": error: " + line);
        err.flush();
        return EXIT_USAGE;
    }

    /** "qqt bench train": the command's full name. */
    private static String name(CommandLine cl) {
        StringBuilder b = new StringBuilder();
        for (CommandLine c = cl; c != null; c = c.getParent()) {
            b.insert(0, c.getParent() == null ? "qqt" : " " + c.getCommandName());
        }
        return b.toString();
    }

    private static String oneLine(String message) {
        String m = message == null ? "" : message.strip();
        return m.lines().map(String::strip).filter(l -> !l.isEmpty()).reduce((a, b) -> a + " " + b).orElse(m);
    }
}
