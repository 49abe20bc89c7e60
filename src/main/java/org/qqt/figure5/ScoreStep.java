package org.qqt.figure5;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.qqt.data.PoolMetadata;
import org.qqt.eval.RunModel;
import org.qqt.io.BadInputException;
import org.qqt.io.Hashes;
import org.qqt.io.Json;
import org.qqt.score.TeacherScorer;
import org.qqt.train.Checkpoint;

/**
 * score: the teacher's image-caption similarity of every pool sample into the score column, as qqt score. A marker
 * file records which teacher checkpoint wrote the column, so a new teacher scores again.
 */
final class ScoreStep extends Figure5Step {
    private static final int BATCH = 512;
    /** The marker of the teacher's latest checkpoint, hashed once (the teacher does not train during this step). */
    private Map<String, Object> marker;

    ScoreStep(Figure5Context ctx) {
        super("score", ctx);
    }

    private Map<String, Object> marker() {
        if (marker != null) {
            return marker;
        }
        Path checkpoint = Checkpoint.latest(ctx.teacherDir());
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("pool", ctx.pool().toString());
        m.put("column", ctx.config.scoreColumn());
        m.put("teacher_checkpoint", checkpoint.toString());
        m.put("checkpoint_sha256", Hashes.sha256(checkpoint));
        marker = m;
        return m;
    }

    private boolean hasColumn(String column) {
        Path metadata = ctx.metadata();
        if (!Files.exists(metadata)) {
            throw BadInputException.inFile(metadata, "no pool metadata (metadata.parquet) in " + ctx.pool());
        }
        try (PoolMetadata pm = PoolMetadata.open(metadata)) {
            return pm.schema().containsKey(column);
        }
    }

    @Override
    String skipReason() {
        String column = ctx.config.scoreColumn();
        if (ctx.config.teacher() == null) {
            if (!hasColumn(column)) {
                throw BadInputException.inFile(ctx.metadata(), "has no column '" + column + "' (score in "
                        + ctx.options.config() + "); add a teacher section or name an existing column");
            }
            return "column " + column + " exists; no teacher";
        }
        Path markerFile = ctx.scoreMarkerFile();
        if (hasColumn(column) && Files.isRegularFile(markerFile)
                && Json.readTree(markerFile).equals(Json.mapper().valueToTree(marker()))) {
            return "column " + column + " came from this teacher checkpoint";
        }
        return null;
    }

    @Override
    void run() {
        String column = ctx.config.scoreColumn();
        try (RunModel model = RunModel.open(ctx.teacherDir(), null, ctx.device())) {
            TeacherScorer scorer = new TeacherScorer(model.encoder(BATCH), BATCH, line -> ctx.out.println("  " + line));
            TeacherScorer.Result scored = scorer.scorePool(ctx.pool(), column);
            ctx.out.printf(Locale.ROOT, "  scored %d samples into %s (%d undecodable, %d without caption)%n",
                    scored.scored(), column, scored.undecodable(), scored.noCaption());
        }
        Json.write(ctx.scoreMarkerFile(), marker());
    }
}
