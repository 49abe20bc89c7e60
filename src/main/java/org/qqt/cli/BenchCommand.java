package org.qqt.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;

/**
 * {@code qqt bench}: a container for performance benchmarks. Each subcommand times one stage against a baseline
 * measured in the same run and prints the ratio; add new ones to {@code subcommands}.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmarks: each times one stage against a baseline measured in the same run.",
        subcommands = {
                BenchFitCommand.class,
                BenchDataCommand.class,
                BenchFilterCommand.class,
                BenchTrainCommand.class,
                BenchEvalCommand.class,
                BenchSplitCommand.class,
        })
final class BenchCommand implements Runnable {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
