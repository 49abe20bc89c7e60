package org.qqt.eval;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.qqt.io.BadInputException;
import org.qqt.io.Json;

/**
 * An ordered list of evaluation tasks, loaded from YAML (configs/tasks/*.yaml):
 * <pre>
 * name: datacomp18
 * tasks:
 *   - key: imagenet1k            # DataComp key (unknown keys are errors unless custom: true)
 *     dataset: ImageNet 1k       # optional for DataComp keys: defaults to the tasklist name
 *     type: classification       # optional for DataComp keys
 *     main_metric: acc1          # optional for DataComp keys
 *     path: wds_imagenet1k_test  # optional: defaults to DataComp's directory name
 * </pre>
 * Every problem is a one-line {@link BadInputException} naming the file and the task.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TaskSuite(String name, String description, List<TaskSpec> tasks) {
    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*");

    public TaskSuite {
        tasks = tasks == null ? List.of() : java.util.Collections.unmodifiableList(new ArrayList<>(tasks));
    }

    /** Reads and validates a suite file; DataComp defaults are filled in for omitted fields. */
    public static TaskSuite load(Path file) {
        TaskSuite raw = Json.read(file, TaskSuite.class);
        return raw.validated(file);
    }

    /** The task with this key, or null. */
    public TaskSpec task(String key) {
        for (TaskSpec t : tasks) {
            if (t.key().equals(key)) {
                return t;
            }
        }
        return null;
    }

    /** The keys in suite order. */
    public List<String> keys() {
        return tasks.stream().map(TaskSpec::key).toList();
    }

    /** Validates and fills defaults; {@code file} is named in errors. */
    TaskSuite validated(Path file) {
        if (name == null || name.isBlank()) {
            throw BadInputException.inFile(file, "missing \"name\"; give the suite a name, e.g. name: datacomp18");
        }
        if (tasks == null || tasks.isEmpty()) {
            throw BadInputException.inFile(file, "no tasks; list them under \"tasks:\"");
        }
        List<TaskSpec> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < tasks.size(); i++) {
            TaskSpec t = tasks.get(i);
            String where = "task " + (i + 1);
            if (t == null || t.key() == null || t.key().isBlank()) {
                throw BadInputException.inFile(file, where + ": missing \"key\"");
            }
            String key = t.key();
            where += " (" + key + ")";
            if (!KEY.matcher(key).matches()) {
                throw BadInputException.inFile(file, where + ": a task key may hold only letters, digits, _ . - and /");
            }
            if (!seen.add(key)) {
                throw BadInputException.inFile(file, where + ": duplicate key; each task may appear once");
            }
            boolean custom = Boolean.TRUE.equals(t.custom());
            DatacompTasks.Known known = DatacompTasks.find(key);
            if (known == null && !custom) {
                throw BadInputException.inFile(file, where + ": unknown task key \"" + key
                        + "\"; use a DataComp key (see docs/evaluation.md) or set custom: true");
            }
            String dataset = t.dataset() != null ? t.dataset() : known != null ? known.dataset() : null;
            TaskType type = t.type() != null ? t.type() : known != null ? known.type() : null;
            if (dataset == null || dataset.isBlank()) {
                throw BadInputException.inFile(file, where + ": missing \"dataset\" (the display name)");
            }
            if (type == null) {
                throw BadInputException.inFile(file, where + ": missing \"type\" (classification or retrieval)");
            }
            if (known != null && type != known.type()) {
                throw BadInputException.inFile(file, where + ": type " + type + " but DataComp's " + key + " is "
                        + known.type());
            }
            String metric = t.mainMetric() != null ? t.mainMetric()
                    : known != null ? known.mainMetric()
                    : type == TaskType.CLASSIFICATION ? "acc1" : "mean_recall@1";
            if (!type.metricNames().contains(metric)) {
                throw BadInputException.inFile(file, where + ": main_metric \"" + metric + "\" is not computed for "
                        + type + " tasks; choose one of " + type.metricNames());
            }
            String path = t.path() != null ? t.path() : DatacompTasks.wdsDirectory(key);
            Path p;
            try {
                p = Path.of(path);
            } catch (java.nio.file.InvalidPathException e) {
                throw BadInputException.inFile(file, where + ": invalid path \"" + path + "\"");
            }
            if (path.isBlank() || p.isAbsolute()) {
                throw BadInputException.inFile(file, where + ": path \"" + path
                        + "\" must be relative to the evaluation root");
            }
            out.add(new TaskSpec(key, dataset, type, metric, path, custom ? Boolean.TRUE : null));
        }
        return new TaskSuite(name, description, out);
    }

    /**
     * The directory the suite's task paths ({@code tasks/KEY}) resolve against: {@code root} itself, or its parent
     * when {@code root} is the world's {@code tasks/} directory (as {@code qqt eval --root} allows).
     */
    public Path dataRoot(Path root) {
        Path parent = root.toAbsolutePath().getParent();
        if (!java.nio.file.Files.exists(tasks.get(0).directory(root)) && root.getFileName() != null
                && root.getFileName().toString().equals("tasks") && parent != null
                && java.nio.file.Files.exists(tasks.get(0).directory(parent))) {
            return parent;
        }
        return root;
    }
}
