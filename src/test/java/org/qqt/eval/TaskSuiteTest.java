package org.qqt.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qqt.io.BadInputException;

class TaskSuiteTest {
    static final Path DATACOMP18 = Path.of("configs/tasks/datacomp18.yaml");
    static final Path SYNTH18 = Path.of("configs/tasks/synth18.yaml");

    @TempDir
    Path dir;

    @Test
    void bothShippedSuitesHoldThePapers18KeysWithDatacompNamesAndMainMetrics() {
        for (Path p : new Path[] {DATACOMP18, SYNTH18}) {
            TaskSuite s = TaskSuite.load(p);
            assertEquals(DatacompTasks.PAPER_18, s.keys(), p.toString());
            for (TaskSpec t : s.tasks()) {
                DatacompTasks.Known k = DatacompTasks.find(t.key());
                assertEquals(k.dataset(), t.dataset(), t.key());
                assertEquals(k.type(), t.type(), t.key());
                assertEquals(k.mainMetric(), t.mainMetric(), t.key());
            }
        }
        Map<String, String> main = Map.of("vtab/caltech101", "mean_per_class_recall", "vtab/flowers",
                "mean_per_class_recall", "vtab/pets", "mean_per_class_recall",
                "retrieval/flickr_1k_test_image_text_retrieval", "mean_recall@1",
                "retrieval/mscoco_2014_5k_test_image_text_retrieval", "mean_recall@1");
        for (TaskSpec t : TaskSuite.load(DATACOMP18).tasks()) {
            assertEquals(main.getOrDefault(t.key(), "acc1"), t.mainMetric(), t.key());
        }
    }

    @Test
    void pathsFollowDatacompAndTheSyntheticWorld() {
        TaskSuite d = TaskSuite.load(DATACOMP18);
        assertEquals("wds_imagenet1k_test", d.task("imagenet1k").path());
        assertEquals("wds_vtab-caltech101_test", d.task("vtab/caltech101").path());
        assertEquals("wds_mscoco_2014_5k_test_image_text_retrieval_test",
                d.task("retrieval/mscoco_2014_5k_test_image_text_retrieval").path());
        TaskSuite s = TaskSuite.load(SYNTH18);
        assertEquals("tasks/vtab-caltech101", s.task("vtab/caltech101").path());
        assertEquals(Path.of("/w/tasks/vtab-pets"), s.task("vtab/pets").directory(Path.of("/w")));
    }

    @Test
    void omittedFieldsDefaultToDatacompsForKnownKeys() throws Exception {
        Path f = dir.resolve("s.yaml");
        Files.writeString(f, "name: mini\ntasks:\n  - key: vtab/flowers\n  - key: mine\n    custom: true\n"
                + "    dataset: Mine\n    type: retrieval\n    path: data/mine\n");
        TaskSuite s = TaskSuite.load(f);
        TaskSpec flowers = s.task("vtab/flowers");
        assertEquals("Oxford Flowers-102", flowers.dataset());
        assertEquals("mean_per_class_recall", flowers.mainMetric());
        assertEquals("wds_vtab-flowers_test", flowers.path());
        assertEquals("mean_recall@1", s.task("mine").mainMetric());
    }

    private BadInputException loadError(String yaml) throws Exception {
        Path f = dir.resolve("bad.yaml");
        Files.writeString(f, yaml);
        BadInputException e = assertThrows(BadInputException.class, () -> TaskSuite.load(f));
        assertTrue(e.getMessage().startsWith(f.toString()), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
        return e;
    }

    @Test
    void unknownYamlKeyIsAOneLineErrorNamingFileAndKey() throws Exception {
        assertTrue(loadError("name: x\ntasks:\n  - key: cars\n    mainmetric: acc1\n").getMessage()
                .contains("\"mainmetric\""));
        assertTrue(loadError("name: x\ntask:\n  - key: cars\n").getMessage().contains("\"task\""));
    }

    @Test
    void unknownTaskKeyIsAOneLineErrorNamingFileAndKey() throws Exception {
        assertTrue(loadError("name: x\ntasks:\n  - key: imagenet-1k\n").getMessage().contains("\"imagenet-1k\""));
    }

    @Test
    void inconsistentTasksAreRejected() throws Exception {
        assertTrue(loadError("name: x\ntasks:\n  - key: cars\n  - key: cars\n").getMessage().contains("duplicate"));
        assertTrue(loadError("name: x\ntasks:\n  - key: cars\n    main_metric: mean_recall@1\n").getMessage()
                .contains("mean_recall@1"));
        assertTrue(loadError("name: x\ntasks:\n  - key: cars\n    type: retrieval\n").getMessage().contains("type"));
        assertTrue(loadError("name: x\ntasks:\n  - key: cars\n    path: /abs\n").getMessage().contains("relative"));
        assertTrue(loadError("name: x\ntasks:\n  - key: mine\n    custom: true\n").getMessage().contains("dataset"));
        assertTrue(loadError("name: x\ntasks: []\n").getMessage().contains("no tasks"));
        assertTrue(loadError("tasks:\n  - key: cars\n").getMessage().contains("name"));
        assertTrue(loadError("name: x\ntasks:\n  - key: cars\n    type: regression\n").getMessage().contains("regression"));
    }
}
