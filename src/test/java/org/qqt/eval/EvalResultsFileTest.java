package org.qqt.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qqt.io.BadInputException;

class EvalResultsFileTest {
    @TempDir
    Path dir;

    private static final String FOREIGN = "{\"key\": \"mnist\", \"dataset\": \"MNIST\", \"metrics\": "
            + "{\"acc1\": 0.9, \"acc5\": 1.0, \"mean_per_class_recall\": 0.9, \"main_metric\": 0.9}}";

    private static EvalResult result(String key, double v) {
        return new EvalResult(key, key.toUpperCase(), Map.of("main_metric", v));
    }

    @Test
    void absentFileIsAnEmptyCacheAndPutWritesOneLinePerTask() throws Exception {
        Path f = dir.resolve("out/eval_results.jsonl");
        EvalResultsFile file = EvalResultsFile.open(f);
        assertFalse(file.contains("cars"));
        file.put(result("cars", 0.5));
        file.put(result("food101", 0.25));
        assertEquals(List.of(result("cars", 0.5).toJsonLine(), result("food101", 0.25).toJsonLine()),
                Files.readAllLines(f));
        EvalResultsFile again = EvalResultsFile.open(f);
        assertEquals(0.25, again.get("food101").mainMetric());
        assertEquals(List.of("cars", "food101"), again.results().stream().map(EvalResult::key).toList());
    }

    @Test
    void tornLastLineFromAnInterruptedAppendIsDroppedAndRewrittenAway() throws Exception {
        Path f = dir.resolve("eval_results.jsonl");
        String torn = "{\"key\": \"cars\", \"dataset\": \"Stanford Cars\", \"metrics\": {\"acc1\": 0.3";
        Files.writeString(f, FOREIGN + "\n" + torn);
        EvalResultsFile file = EvalResultsFile.open(f);
        assertTrue(file.droppedTornLine());
        assertFalse(file.contains("cars"));
        assertTrue(file.contains("mnist"));
        file.put(result("cars", 0.5));
        assertEquals(List.of(FOREIGN, result("cars", 0.5).toJsonLine()), Files.readAllLines(f),
                "foreign line kept verbatim, torn line gone");
    }

    @Test
    void malformedLineInTheMiddleIsAnErrorNamingFileAndLine() throws Exception {
        Path f = dir.resolve("eval_results.jsonl");
        Files.writeString(f, FOREIGN + "\n{oops\n" + FOREIGN + "\n");
        BadInputException e = assertThrows(BadInputException.class, () -> EvalResultsFile.open(f));
        assertTrue(e.getMessage().startsWith(f + ": line 2: "), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
        // a complete last line (with newline) that is not JSON is not "torn" either
        Files.writeString(f, FOREIGN + "\n{oops\n");
        assertThrows(BadInputException.class, () -> EvalResultsFile.open(f));
        // a parsable line without the required fields is an error
        Files.writeString(f, "{\"key\": \"x\"}");
        assertThrows(BadInputException.class, () -> EvalResultsFile.open(f));
    }

    @Test
    void laterLineForTheSameKeyWinsAndPutReplacesIt() throws Exception {
        Path f = dir.resolve("eval_results.jsonl");
        Files.writeString(f, result("cars", 0.1).toJsonLine() + "\n" + result("cars", 0.2).toJsonLine() + "\n");
        EvalResultsFile file = EvalResultsFile.open(f);
        assertEquals(0.2, file.get("cars").mainMetric());
        file.put(result("cars", 0.3));
        assertEquals(List.of(result("cars", 0.3).toJsonLine()), Files.readAllLines(f));
    }
}
