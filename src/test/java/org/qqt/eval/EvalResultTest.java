package org.qqt.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EvalResultTest {
    /** Python 3 json.dumps output for these doubles (given as exact hex literals). */
    @Test
    void floatsAreWrittenAsPythonJsonDumpsWritesThem() {
        double[] x = {0x1.999999999999ap-4, 0x1.5555555555555p-2, 0x1.5555555555555p-1, 1.0, 0.0,
            0x1.4f8b588e368f1p-17, 0x1.f75104d551d69p-14, 0x1.a36e2eb1c432dp-14, 0x1.b69b4ba630f35p+56,
            0x1.3333333333334p-2, 0x0.0000000000001p-1022, 0x1.1c37937e08000p+53, 0x1.1c37937e07fffp+53,
            0x1.0624dd2f1a9fcp-10, 0x1.edd2f1a9fbe77p+6, 0x1.2492492492492p-1, 0x1.1555555555555p-1,
            0x1.aaaaaaaaaaaabp-1, 0x1.2492492492492p-3, 0x1.12e0be826d695p-32, 0x1.fffffffffffffp+1023, -0.5,
            100.0, 0x1.0f0cf064dd592p+73};
        String[] python = {"0.1", "0.3333333333333333", "0.6666666666666666", "1.0", "0.0", "1e-05", "0.00012",
            "0.0001", "1.2345678901234568e+17", "0.30000000000000004", "5e-324", "1e+16", "9999999999999998.0",
            "0.001", "123.456", "0.5714285714285714", "0.5416666666666666", "0.8333333333333334",
            "0.14285714285714285", "2.5e-10", "1.7976931348623157e+308", "-0.5", "100.0", "1e+22"};
        for (int i = 0; i < x.length; i++) {
            assertEquals(python[i], PyJson.floatRepr(x[i]), "value " + i);
        }
    }

    @Test
    void lineMatchesDatacompsJsonDumpsByteForByte() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("acc1", 4.0 / 7);
        m.put("acc5", null);
        m.put("main_metric", 4.0 / 7);
        EvalResult r = new EvalResult("imagenet1k", "ImageNet 1k \u00e9\"\n", m);
        // python3: json.dumps({'key': 'imagenet1k', 'dataset': 'ImageNet 1k \u00e9"\n', 'metrics': {...}})
        assertEquals("{\"key\": \"imagenet1k\", \"dataset\": \"ImageNet 1k \\u00e9\\\"\\n\", \"metrics\": "
                + "{\"acc1\": 0.5714285714285714, \"acc5\": null, \"main_metric\": 0.5714285714285714}}", r.toJsonLine());
        assertEquals(r, EvalResult.parse(r.toJsonLine()));
    }

    @Test
    void mainMetricIsCopiedLastFromTheTasksMainMetric() {
        TaskSpec pets = TaskSpec.of("vtab/pets", "Oxford-IIIT Pet", TaskType.CLASSIFICATION, "mean_per_class_recall", "p");
        EvalResult r = EvalResult.of(pets, new ClassificationMetrics.Result(10, 0.7, 0.9, 0.6).asMap());
        assertEquals(List.of("acc1", "acc5", "mean_per_class_recall", "main_metric"), List.copyOf(r.metrics().keySet()));
        assertEquals(0.6, r.mainMetric());
        TaskSpec tiny = TaskSpec.of("t", "T", TaskType.CLASSIFICATION, "acc5", "p");
        assertNull(EvalResult.of(tiny, new ClassificationMetrics.Result(10, 0.7, null, 0.6).asMap()).mainMetric());
    }

    @Test
    void datacompLinesWithExtraMetricsAndNaNParse() {
        EvalResult r = EvalResult.parse("{\"key\": \"fairness/geode\", \"dataset\": \"GeoDE\", \"metrics\": "
                + "{\"acc1\": NaN, \"per_region\": [0.1, 0.2], \"main_metric\": 0.25}}");
        assertEquals(0.25, r.mainMetric());
        assertEquals(List.of("acc1", "main_metric"), List.copyOf(r.metrics().keySet()));
        assertThrows(IllegalArgumentException.class, () -> EvalResult.parse("{\"key\": \"x\", \"metrics\": {}}"));
        assertThrows(IllegalArgumentException.class, () -> EvalResult.parse("{\"key\": \"x\", \"dataset\""));
    }
}
