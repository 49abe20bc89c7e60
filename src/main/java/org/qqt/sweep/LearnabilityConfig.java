package org.qqt.sweep;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import org.qqt.io.BadInputException;
import org.qqt.io.SampleCount;

/**
 * The {@code learnability} section of a sweep config ({@code qqt study learnability}): each set × seed is trained
 * once to {@code samples_seen} and evaluated at the model-only checkpoints kept at each {@code eval_at} count.
 *
 * @param sets        {@code teacher} (the clean teacher set: every sample of {@code teacher_pool}) or bucket and
 *                    mixture names of the sweep (subset {@code <subsets>/<name>.npy})
 * @param teacherPool the teacher set's pool directory (required when {@code sets} lists {@code teacher})
 * @param samplesSeen the budget of each run (e.g. 400k)
 * @param evalAt      the sample counts evaluated (each at most samples_seen)
 * @param seeds       seeds of every set (default: the sweep's seeds)
 * @param suite       the task suite (default: the sweep's suite)
 */
public record LearnabilityConfig(
        List<String> sets,
        @JsonProperty("teacher_pool") String teacherPool,
        @JsonProperty("samples_seen") String samplesSeen,
        @JsonProperty("eval_at") List<String> evalAt,
        List<Integer> seeds,
        String suite) {

    /** The set name of the clean teacher set. */
    public static final String TEACHER = "teacher";

    void validate(Path file, SweepConfig c) {
        if (sets == null || sets.isEmpty()) {
            throw BadInputException.inFile(file, "learnability.sets lists no set (teacher, buckets or mixtures)");
        }
        for (String s : sets) {
            boolean known = TEACHER.equals(s) || c.bucketMap().containsKey(s)
                    || (c.mixtures() != null && c.mixtures().containsKey(s));
            if (!known) {
                throw BadInputException.inFile(file, "learnability set '" + s + "' is neither 'teacher' nor a bucket "
                        + "or mixture of this sweep");
            }
        }
        if (new HashSet<>(sets).size() != sets.size()) {
            throw BadInputException.inFile(file, "learnability.sets lists a set twice");
        }
        if (sets.contains(TEACHER) && teacherPool == null) {
            throw BadInputException.inFile(file, "learnability set 'teacher' needs \"teacher_pool\" (the teacher "
                    + "set's pool directory, e.g. datasets/world/teacher)");
        }
        if (samplesSeen == null || evalAt == null || evalAt.isEmpty()) {
            throw BadInputException.inFile(file, "learnability needs \"samples_seen\" and a non-empty \"eval_at\" list");
        }
        double budget = SampleCount.parse(samplesSeen);
        for (String e : evalAt) {
            double v = SampleCount.parse(e);
            if (!(v > 0) || v > budget) {
                throw BadInputException.inFile(file, "learnability.eval_at " + e + " must be > 0 and at most "
                        + "samples_seen " + samplesSeen);
            }
        }
        if (seeds != null && seeds.isEmpty()) {
            throw BadInputException.inFile(file, "learnability.seeds is empty; drop it to use the sweep's seeds");
        }
        if (suiteOr(c) == null || c.tasksRoot() == null) {
            throw BadInputException.inFile(file, "learnability needs a task suite (learnability.suite or \"suite\") "
                    + "and \"tasks_root\"");
        }
    }

    /** The budget in samples. */
    public long budget() {
        return (long) SampleCount.parse(samplesSeen);
    }

    /** The eval_at counts, sorted, without repeats. */
    public List<Long> evalCounts() {
        return evalAt.stream().map(e -> (long) SampleCount.parse(e)).distinct().sorted().toList();
    }

    public List<Integer> seedsOr(SweepConfig c) {
        return seeds != null ? seeds : c.seedsOrDefault();
    }

    public String suiteOr(SweepConfig c) {
        return suite != null ? suite : c.suite();
    }
}
