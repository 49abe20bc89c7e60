package org.qqt.eval;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.qqt.io.BadInputException;

/**
 * Evaluates one model on a task suite and writes DataComp's eval_results.jsonl, one line per task as each
 * task finishes. Tasks already in the file are skipped, so an interrupted evaluation continues where it
 * stopped. A task with bad data (missing classnames.txt, a label out of range, no images) is reported as a
 * {@link TaskFailure} with a one-line message naming the file, and the remaining tasks are still evaluated.
 * Any other exception (the encoder failing, out of memory) stops the evaluation; results written so far stay.
 *
 * <p>To evaluate many checkpoints of one model, reuse one Evaluator built on a {@link CachingTaskDataFactory}:
 * task images are then decoded once. Class-name text embeddings depend on the weights, so they are computed
 * per {@link #evaluate} call — once per distinct (class names, templates) pair, which ImageNet and its
 * variants share.
 */
public final class Evaluator {
    /** DataComp's evaluation batch size. */
    public static final int DEFAULT_BATCH_SIZE = 64;

    private final TaskDataFactory factory;
    private final int batchSize;
    private final Consumer<String> log;

    public Evaluator(TaskDataFactory factory) {
        this(factory, DEFAULT_BATCH_SIZE, m -> { });
    }

    /** {@code log} receives one progress line per task. */
    public Evaluator(TaskDataFactory factory, int batchSize, Consumer<String> log) {
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batch size must be positive, got " + batchSize);
        }
        this.factory = factory;
        this.batchSize = batchSize;
        this.log = log;
    }

    /**
     * Evaluates every task of {@code suite} whose key is not yet in {@code resultsFile}.
     *
     * @param root the evaluation data root; task i's data is {@code root.resolve(task.path())}
     */
    public EvalOutcome evaluate(TaskSuite suite, Path root, Encoder encoder, Path resultsFile) {
        return evaluate(suite, root, encoder, resultsFile, null);
    }

    /**
     * As {@link #evaluate(TaskSuite, Path, Encoder, Path)}, recording {@code source} (null: none) in each new
     * line; a line of another (or no recorded) checkpoint is evaluated again.
     */
    public EvalOutcome evaluate(TaskSuite suite, Path root, Encoder encoder, Path resultsFile, CheckpointId source) {
        EvalResultsFile file = EvalResultsFile.open(resultsFile);
        if (file.droppedTornLine()) {
            log.accept(resultsFile + ": dropped a torn last line (an interrupted write); that task runs again");
        }
        Map<List<List<String>>, ZeroShotClassifier> classifiers = new HashMap<>();
        List<String> evaluated = new ArrayList<>();
        List<String> cached = new ArrayList<>();
        List<TaskFailure> failures = new ArrayList<>();
        for (TaskSpec task : suite.tasks()) {
            if (file.contains(task.key())) {
                CheckpointId had = file.get(task.key()).checkpoint();
                if (fromSource(file.get(task.key()), source)) {
                    cached.add(task.key());
                    log.accept(task.label() + ": cached in " + resultsFile.getFileName());
                    continue;
                }
                log.accept(task.label() + ": the result in " + resultsFile.getFileName() + " is of "
                        + (had == null ? "an unrecorded checkpoint" : had.describe()) + "; evaluating again");
            }
            EvalResult r;
            try {
                TaskData data = factory.load(task, task.directory(root), encoder.imageSize());
                r = evaluateTask(task, data, encoder, classifiers);
            } catch (BadInputException e) {
                failures.add(new TaskFailure(task.key(), e.getMessage()));
                log.accept(task.label() + ": FAILED: " + e.getMessage());
                continue;
            }
            file.put(source == null ? r : r.withCheckpoint(source)); // a file that cannot be written stops the evaluation
            evaluated.add(task.key());
            log.accept(task.label() + ": " + task.mainMetric() + " = " + PyJson.number(r.mainMetric()));
        }
        List<EvalResult> results = new ArrayList<>();
        for (TaskSpec task : suite.tasks()) {
            EvalResult r = file.get(task.key());
            if (r != null && fromSource(r, source)) {
                results.add(r);
            }
        }
        return new EvalOutcome(resultsFile, results, evaluated, cached, failures);
    }

    /** True when {@code r} came from {@code source} (same content hash), or when no source is tracked. */
    private static boolean fromSource(EvalResult r, CheckpointId source) {
        return source == null || r.checkpoint() != null && source.sha256().equals(r.checkpoint().sha256());
    }

    /** Scores one task (no file I/O); bad data is a {@link BadInputException} naming the file. */
    public EvalResult evaluateTask(TaskSpec task, TaskData data, Encoder encoder) {
        return evaluateTask(task, data, encoder, new HashMap<>());
    }

    private EvalResult evaluateTask(TaskSpec task, TaskData data, Encoder encoder,
                                    Map<List<List<String>>, ZeroShotClassifier> classifiers) {
        Path src = data.source();
        if (data.type() != task.type()) {
            throw BadInputException.inFile(src, "task " + task.key() + " is " + task.type() + " but the data is "
                    + data.type() + "; check the task's path in the suite");
        }
        if (data.imageSize() != encoder.imageSize()) {
            throw BadInputException.inFile(src, "task " + task.key() + ": images prepared at " + data.imageSize()
                    + " px but the model takes " + encoder.imageSize() + " px");
        }
        return task.type() == TaskType.CLASSIFICATION
                ? classify(task, data, encoder, classifiers)
                : retrieve(task, data, encoder);
    }

    private EvalResult classify(TaskSpec task, TaskData data, Encoder encoder,
                                Map<List<List<String>>, ZeroShotClassifier> classifiers) {
        Path src = data.source();
        List<String> names = data.classNames();
        List<String> templates = data.templates();
        if (names.isEmpty()) {
            throw BadInputException.inFile(src.resolve("classnames.txt"), "task " + task.key()
                    + ": no class names; write one class name per line (line i = label i)");
        }
        if (templates.isEmpty()) {
            throw BadInputException.inFile(src.resolve("zeroshot_classification_templates.txt"), "task " + task.key()
                    + ": no templates; write one template per line, e.g. \"a photo of a {c}.\"");
        }
        for (int i = 0; i < templates.size(); i++) {
            if (!templates.get(i).contains(ZeroShotClassifier.PLACEHOLDER)) {
                throw BadInputException.inFile(src.resolve("zeroshot_classification_templates.txt"), "task "
                        + task.key() + ": template " + (i + 1) + " \"" + templates.get(i)
                        + "\" has no {c} placeholder for the class name");
            }
        }
        ZeroShotClassifier classifier = classifiers.computeIfAbsent(List.of(names, templates),
                k -> ZeroShotClassifier.build(encoder, names, templates, batchSize));
        int numClasses = classifier.numClasses();
        ClassificationMetrics metrics = new ClassificationMetrics(numClasses);
        long[] seen = {0};
        data.forEachBatch(batchSize, batch -> {
            int[] labels = batch.labels();
            if (labels.length != batch.size()) {
                throw BadInputException.inFile(src, "task " + task.key() + ": images without class labels (.cls)");
            }
            for (int i = 0; i < labels.length; i++) {
                if (labels[i] < 0 || labels[i] >= numClasses) {
                    throw BadInputException.inFile(src, "task " + task.key() + ": image " + (seen[0] + i)
                            + " has label " + labels[i] + " outside 0.." + (numClasses - 1) + " (classnames.txt lists "
                            + numClasses + " classes)");
                }
            }
            float[][] features = encoder.encodeImages(batch.images());
            Vectors.checkShape(features, batch.size(), classifier.dim(), "task " + task.key() + " images");
            for (int i = 0; i < features.length; i++) {
                metrics.add(classifier.logits(features[i]), labels[i]);
            }
            seen[0] += batch.size();
        });
        if (seen[0] == 0) {
            throw BadInputException.inFile(src, "task " + task.key() + ": no images in the test split");
        }
        return EvalResult.of(task, metrics.result().asMap());
    }

    private EvalResult retrieve(TaskSpec task, TaskData data, Encoder encoder) {
        Path src = data.source();
        List<float[]> images = new ArrayList<>();
        List<String> captions = new ArrayList<>();
        List<Integer> owner = new ArrayList<>();
        data.forEachBatch(batchSize, batch -> {
            if (batch.captions().size() != batch.size()) {
                throw BadInputException.inFile(src, "task " + task.key() + ": images without captions (.txt)");
            }
            for (int i = 0; i < batch.size(); i++) {
                List<String> caps = batch.captions().get(i);
                if (caps.isEmpty()) {
                    throw BadInputException.inFile(src, "task " + task.key() + ": image " + (images.size() + i)
                            + " has no caption; each image needs at least one");
                }
                for (String c : caps) {
                    captions.add(c);
                    owner.add(images.size() + i);
                }
            }
            float[][] features = encoder.encodeImages(batch.images());
            Vectors.checkShape(features, batch.size(), images.isEmpty() ? -1 : images.get(0).length,
                    "task " + task.key() + " images");
            images.addAll(List.of(features));
        });
        if (images.isEmpty()) {
            throw BadInputException.inFile(src, "task " + task.key() + ": no images in the test split");
        }
        int dim = images.get(0).length;
        float[][] texts = new float[captions.size()][];
        for (int from = 0; from < captions.size(); from += batchSize) {
            int to = Math.min(captions.size(), from + batchSize);
            float[][] part = encoder.encodeTexts(captions.subList(from, to));
            Vectors.checkShape(part, to - from, dim, "task " + task.key() + " captions");
            System.arraycopy(part, 0, texts, from, to - from);
        }
        int[] textImage = owner.stream().mapToInt(Integer::intValue).toArray();
        RetrievalMetrics m = RetrievalMetrics.compute(images.toArray(new float[0][]), texts, textImage);
        return EvalResult.of(task, m.asMap());
    }
}
