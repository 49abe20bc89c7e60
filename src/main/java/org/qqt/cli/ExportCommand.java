package org.qqt.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.qqt.io.BadInputException;
import org.qqt.train.Checkpoint;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code qqt export}: a run's model as a file open_clip loads. */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = {"Write a run's model (its latest checkpoint, or --checkpoint) as a model-only safetensors file "
                + "under open_clip's state_dict names: open_clip's model.load_state_dict(load_file(OUT), "
                + "strict=True) takes it as is. The model config is in the file's metadata (qqt.model)."},
        footer = {"", "Example:", "  qqt export runs/top10-200k --out top10-200k.safetensors"})
final class ExportCommand implements Callable<Integer> {
    @Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "RUN", description = "Run directory (qqt train --out).")
    Path run;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "The model file to write (.safetensors).")
    Path out;

    @Option(names = "--checkpoint", paramLabel = "FILE",
            description = "A checkpoint of the run instead of the latest, e.g. checkpoints/samples-96.safetensors.")
    Path checkpoint;

    @Override
    public Integer call() {
        Path file = checkpoint != null ? checkpoint : Checkpoint.latest(run);
        if (!Files.isRegularFile(file)) {
            throw BadInputException.inFile(file, "no checkpoint: train the run first (qqt train), or name one with "
                    + "--checkpoint");
        }
        Checkpoint.export(file, out);
        PrintWriter w = spec.commandLine().getOut();
        w.println("wrote " + out + " (model of " + file + ")");
        w.flush();
        return 0;
    }
}
