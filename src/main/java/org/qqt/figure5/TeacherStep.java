package org.qqt.figure5;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.qqt.data.PoolLayout;
import org.qqt.data.PoolMetadata;
import org.qqt.data.SubsetFile;
import org.qqt.data.Uid;
import org.qqt.io.BadInputException;
import org.qqt.io.Json;
import org.qqt.io.SampleCount;
import org.qqt.model.ModelConfig;
import org.qqt.train.Checkpoint;
import org.qqt.train.DataSources;
import org.qqt.train.RunRecord;
import org.qqt.train.TrainConfig;
import org.qqt.train.Trainer;

/** teacher: train the teacher on every sample of the world's clean teacher set, with qqt train's shard training. */
final class TeacherStep extends Figure5Step {
    TeacherStep(Figure5Context ctx) {
        super("teacher", ctx);
    }

    private TrainConfig trainConfig(ModelConfig model) {
        Figure5Config.Teacher t = ctx.config.teacher();
        return TrainConfig.defaults(model, (long) SampleCount.parse(t.samplesSeen()), t.batchOrDefault(),
                t.lrOrDefault(), t.seedOrDefault()).withCheckpointEvery(500);
    }

    @Override
    String skipReason() {
        if (ctx.config.teacher() == null) {
            return "no teacher section: the pool's score column " + ctx.sweep.score() + " is used";
        }
        Path run = ctx.teacherDir();
        Path runJson = run.resolve(RunRecord.FILE);
        if (Files.isRegularFile(runJson) && Files.isRegularFile(Checkpoint.latest(run))) {
            RunRecord rec = Json.read(runJson, RunRecord.class);
            ModelConfig model = ModelConfig.load(ctx.abs(ctx.config.teacher().model()));
            TrainConfig want = trainConfig(rec.config().model());
            if (!rec.config().sameRunAs(want) || !rec.config().model().name().equals(model.name())) {
                throw BadInputException.inFile(runJson, "holds a teacher trained with other settings than the config's "
                        + "teacher section; delete " + run + " (and the score column) or change the sweep name");
            }
            if (RunRecord.DONE.equals(rec.status())) {
                return "teacher " + run + " finished (" + rec.stepsDone() + " steps)";
            }
        }
        return null;
    }

    @Override
    void run() {
        Figure5Config.Teacher t = ctx.config.teacher();
        Path teacherPool = ctx.worldOut().resolve("teacher");
        Path subset = ctx.file("teacher-subset").resolve("teacher.npy");
        if (!Files.isRegularFile(subset)) {
            List<Uid> uids;
            try (PoolMetadata pm = PoolMetadata.open(PoolLayout.metadata(teacherPool))) {
                uids = pm.uids();
            }
            try {
                Files.createDirectories(subset.getParent());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            SubsetFile.of(uids).write(subset);
        }
        ModelConfig model = ModelConfig.load(ctx.abs(t.model()));
        int rows = SubsetFile.read(subset).size();
        if (t.batchOrDefault() > rows) {
            throw BadInputException.inFile(ctx.options.config(), "teacher.batch " + t.batchOrDefault() + " is larger "
                    + "than the teacher set (" + rows + " samples); lower it");
        }
        Path run = ctx.teacherDir();
        DataSources.Prepared prepared = DataSources.prepare(teacherPool, subset, null, model, run,
                ctx.sweepVocabulary());
        Trainer trainer = new Trainer(trainConfig(prepared.model()), run, ctx.device(), ctx.out);
        prepared.train(trainer, t.seedOrDefault(), t.batchOrDefault(), ctx.threads(), "teacher", teacherPool, run,
                ctx.out::println);
    }
}
