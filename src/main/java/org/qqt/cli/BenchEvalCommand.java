package org.qqt.cli;

import ai.djl.pytorch.jni.JniUtils;
import java.io.PrintWriter;
import java.nio.file.Path;
import org.qqt.eval.EvalBench;
import org.qqt.io.BadInputException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "eval", mixinStandardHelpOptions = true,
        description = "Evaluation throughput (images/s) on the CPU: decode + transform, image encoding only, and "
                + "zero-shot classification, with ratios to encoding measured in the same run.")
final class BenchEvalCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--model", defaultValue = "models/tiny.json", description = "Model config (default: ${DEFAULT-VALUE}).")
    Path model;

    @Option(names = "--images", defaultValue = "2048", description = "Images per stage (default: ${DEFAULT-VALUE}).")
    int images;

    @Option(names = "--batch", defaultValue = "256", description = "Batch size (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--source-px", defaultValue = "64", description = "Side of the encoded source images (default: ${DEFAULT-VALUE}).")
    int sourcePx;

    @Option(names = "--threads", defaultValue = "2", description = "libtorch intra-op threads (default: ${DEFAULT-VALUE}).")
    int threads;

    @Override
    public void run() {
        if (images <= 0 || batch <= 0 || sourcePx <= 0 || threads <= 0) {
            throw new BadInputException("--images, --batch, --source-px and --threads must be positive");
        }
        ai.djl.engine.Engine.getInstance(); // load libtorch before setting its threads
        JniUtils.setNumThreads(threads);
        PrintWriter err = spec.commandLine().getErr();
        EvalBench.Result r = EvalBench.run(model, images, batch, sourcePx, Qqt.lines(err, ""));
        PrintWriter out = spec.commandLine().getOut();
        out.println("threads " + threads);
        out.print(r.format());
        out.flush();
    }
}
