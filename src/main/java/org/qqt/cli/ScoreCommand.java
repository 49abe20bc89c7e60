package org.qqt.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import org.qqt.data.PoolMetadata;
import org.qqt.eval.RunModel;
import org.qqt.io.Checks;
import org.qqt.io.DirLock;
import org.qqt.score.ScoreReport;
import org.qqt.score.TeacherScorer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "score", mixinStandardHelpOptions = true,
        description = {"Score every pool sample with a teacher CLIP: cosine similarity of image and caption embeddings, "
                + "written as a float column of <pool>/metadata.parquet (joined by uid, replaced atomically).",
                "Samples whose image cannot be decoded (or that have no caption) get NaN, which the filters skip."})
final class ScoreCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--pool", required = true, paramLabel = "DIR", description = "Pool root (shards/ and metadata.parquet).")
    Path pool;

    @Option(names = "--teacher", required = true, paramLabel = "RUN_DIR", description = "Run directory of the teacher model.")
    Path teacher;

    @Option(names = "--checkpoint", paramLabel = "FILE", description = "Teacher checkpoint (default: the run's latest).")
    Path checkpoint;

    @Option(names = "--column", defaultValue = "teacher_score", description = "Column to write (default: ${DEFAULT-VALUE}).")
    String column;

    @Option(names = "--batch", defaultValue = "512", description = "Samples per forward pass (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--threads", defaultValue = "0", description = "libtorch intra-op threads (default: 0 = one per core).")
    int threads;

    @Option(names = "--device", defaultValue = "auto", description = "auto (CUDA when present), cpu or gpu.")
    TrainCommand.DeviceChoice device;

    @Option(names = "--report", description = "Afterwards print Spearman(column, true_quality), overall and by "
            + "true_quality decile (synthetic pools).")
    boolean report;

    @Option(names = "--report-only", description = "Only print the report of an existing column (no scoring).")
    boolean reportOnly;

    @Override
    public void run() {
        Checks.positive("--batch", batch);
        Checks.notNegative("--threads", threads);
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (!reportOnly) {
            PoolMetadata.requireScoreColumn(TeacherScorer.metadataFile(pool), column); // before an hour of scoring
            ai.djl.Device dev = TrainCommand.chooseDevice(device, threads);
            try (DirLock lock = DirLock.acquire(pool, "qqt score");
                 RunModel model = RunModel.open(teacher, checkpoint, dev)) {
                TeacherScorer scorer = new TeacherScorer(model.encoder(batch), batch, Qqt.lines(err, ""));
                TeacherScorer.Result r = scorer.scorePool(pool, column);
                out.printf(Locale.ROOT, "%s: wrote column %s: %d samples scored, %d undecodable and %d without caption "
                                + "(NaN), %d without uid (skipped), %d metadata rows without a sample (null); %.1f s, "
                                + "%.0f samples/s%n", TeacherScorer.metadataFile(pool), column, r.scored(), r.undecodable(),
                        r.noCaption(), r.noUid(), r.rowsWithoutSample(), r.seconds(),
                        r.scored() / Math.max(r.seconds(), 1e-9));
            }
        }
        if (report || reportOnly) {
            out.print(ScoreReport.of(TeacherScorer.metadataFile(pool), column).format());
        }
        out.flush();
    }
}
