package org.qqt.eval;

import ai.djl.Device;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.qqt.data.ClipTokenizer;
import org.qqt.data.CompactVocabulary;
import org.qqt.data.TextTokenizer;
import org.qqt.io.BadInputException;
import org.qqt.io.Json;
import org.qqt.model.Clip;
import org.qqt.model.ModelConfig;
import org.qqt.train.Checkpoint;
import org.qqt.train.DataSources;
import org.qqt.train.RunRecord;

/**
 * A trained model loaded from a run directory for inference: the weights of one checkpoint (default: the run's
 * latest), the model config of run.json (a checkpoint of another config is a one-line error), and the run's
 * tokenizer: run.json {@code "tokenizer": "compact"} (or, without that key, a {@code vocab.json} in the run)
 * reads the compact vocabulary from {@code <run>/vocab.json} (or run.json's {@code "vocab"}, relative to the run);
 * {@code "clip"} is CLIP's full BPE vocabulary.
 */
public final class RunModel implements AutoCloseable {
    private final Path runDir;
    private final Path checkpoint;
    private final Clip model;
    private final TextTokenizer tokenizer;

    private RunModel(Path runDir, Path checkpoint, Clip model, TextTokenizer tokenizer) {
        this.runDir = runDir;
        this.checkpoint = checkpoint;
        this.model = model;
        this.tokenizer = tokenizer;
    }

    /** Loads {@code checkpoint} (null: the run's latest) of the run in {@code runDir} onto {@code device}. */
    public static RunModel open(Path runDir, Path checkpoint, Device device) {
        Path runJson = runDir.resolve(RunRecord.FILE);
        if (!Files.isRegularFile(runJson)) {
            throw BadInputException.inFile(runJson, "missing; --run must be a run directory written by qqt train");
        }
        JsonNode tree = Json.readTree(runJson);
        JsonNode modelNode = tree.path("config").path("model");
        if (modelNode.isMissingNode() || modelNode.isNull()) {
            throw BadInputException.inFile(runJson, "no config.model; is this a qqt run directory?");
        }
        ModelConfig config;
        try {
            config = Json.mapper().treeToValue(modelNode, ModelConfig.class);
        } catch (Exception e) {
            throw BadInputException.inFile(runJson, "unreadable config.model: " + e.getMessage().lines().findFirst().orElse(""));
        }
        if (checkpoint == null) {
            requireFinished(runJson, tree);
        }
        Path ckpt = checkpoint != null ? checkpoint : Checkpoint.latest(runDir);
        if (!Files.isRegularFile(ckpt)) {
            throw BadInputException.inFile(ckpt, "no such checkpoint; train the run first or pass --checkpoint FILE");
        }
        ModelConfig saved = Checkpoint.readState(ckpt).config().model();
        if (!saved.equals(config)) {
            throw BadInputException.inFile(ckpt, "checkpoint of model config " + describe(saved) + " but run.json of "
                    + runDir + " says " + describe(config) + "; pass a checkpoint of this run");
        }
        TextTokenizer tok = tokenizer(runDir, runJson, tree, config);
        Clip model = Checkpoint.loadModel(ckpt, device);
        return new RunModel(runDir, ckpt, model, tok);
    }

    /** The latest checkpoint of an unfinished run is a moving target: results from it would go stale. */
    private static void requireFinished(Path runJson, JsonNode tree) {
        String status = tree.path("status").asText(RunRecord.DONE);
        if (!RunRecord.DONE.equals(status)) {
            throw BadInputException.inFile(runJson, "the run is unfinished (status " + status + ", "
                    + tree.path("steps_done").asLong() + " of " + tree.path("steps").asLong() + " steps); finish it "
                    + "with qqt train (same options), or name a checkpoint with --checkpoint");
        }
    }

    private static String describe(ModelConfig c) {
        return "'" + c.name() + "' (embed " + c.embedDim() + ", image " + c.imageSize() + ", vision " + c.visionWidth()
                + "x" + c.visionLayers() + ", text " + c.textWidth() + "x" + c.textLayers() + ", vocab " + c.vocabSize() + ")";
    }

    private static TextTokenizer tokenizer(Path runDir, Path runJson, JsonNode tree, ModelConfig config) {
        JsonNode v = tree.get("vocab");
        Path vocab = runDir.resolve(v != null && v.isTextual() ? v.asText() : DataSources.VOCAB_FILE);
        JsonNode t = tree.get("tokenizer");
        String kind = t != null && t.isTextual() ? t.asText()
                : Files.exists(vocab) ? "compact" : "clip";
        ClipTokenizer clip = ClipTokenizer.load();
        TextTokenizer tok = switch (kind) {
            case "clip" -> clip;
            case "compact" -> {
                if (!Files.isRegularFile(vocab)) {
                    throw BadInputException.inFile(vocab, "missing; run.json says tokenizer \"compact\", whose "
                            + "vocabulary the run keeps in vocab.json");
                }
                yield CompactVocabulary.load(vocab, clip);
            }
            default -> throw BadInputException.inFile(runJson, "tokenizer \"" + kind + "\" is unknown; expected "
                    + "\"compact\" or \"clip\"");
        };
        if (tok.vocabSize() > config.vocabSize()) {
            throw BadInputException.inFile(kind.equals("compact") ? vocab : runJson, "the " + kind + " tokenizer has "
                    + tok.vocabSize() + " tokens but the model's vocab_size is " + config.vocabSize());
        }
        return tok;
    }

    public Path runDir() {
        return runDir;
    }

    public Path checkpoint() {
        return checkpoint;
    }

    public Clip model() {
        return model;
    }

    public TextTokenizer tokenizer() {
        return tokenizer;
    }

    /** An encoder over this model, encoding {@code batchSize} inputs per forward pass. */
    public ClipEncoder encoder(int batchSize) {
        return new ClipEncoder(model, tokenizer, batchSize);
    }

    @Override
    public void close() {
        model.close();
    }
}
