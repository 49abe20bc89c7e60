package org.qqt.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.qqt.data.Batch;
import org.qqt.model.Clip;

class StepPhasesTest {
    @Test
    void medianOfAnEvenCountIsTheMeanOfTheMiddleTwo() {
        assertEquals(2.5, StepPhases.median(new double[] {4, 1, 3, 2}));
        assertEquals(3.0, StepPhases.median(new double[] {5, 3, 1}));
    }

    @Test
    void everyPhaseIsReportedAndStepsBeyondTheCapacityAreIgnored() {
        StepPhases p = new StepPhases(2);
        for (int s = 0; s < 3; s++) {
            p.begin();
            for (int phase = 0; phase < StepPhases.NAMES.length; phase++) {
                p.end(phase);
            }
        }
        Map<String, Double> ms = p.medianMs();
        assertEquals(java.util.List.of(StepPhases.NAMES), java.util.List.copyOf(ms.keySet()));
        ms.values().forEach(v -> assertTrue(v >= 0, "phase ms " + v));
        assertTrue(StepPhases.NONE.medianMs().values().stream().allMatch(v -> v.isNaN()), "NONE records nothing");
    }

    @Test
    void aTimedStepUpdatesTheWeightsExactlyAsAnUntimedOne() {
        int n = 16;
        TrainConfig c = TrainConfig.defaults(TrainerTest.TINY, 2L * n, n, 3e-3, 0);
        Batch batch = TrainerTest.random(3, n).next();
        float[][] weights = new float[2][];
        double[] losses = new double[2];
        for (int run = 0; run < 2; run++) {
            try (Clip model = new Clip(TrainerTest.TINY, Device.cpu(), 7);
                 AdamW opt = new AdamW(model.parameters(), model.manager(), 0.9, 0.98, 1e-6, 0.1)) {
                StepPhases phases = run == 0 ? StepPhases.NONE : new StepPhases(1);
                losses[run] = TrainStep.run(model, opt, c, batch, 1e-3, phases, true, LossScaler.disabled()).loss();
                NDArray w = model.parameters().get("visual.transformer.resblocks.0.mlp.c_fc.weight");
                weights[run] = w.toFloatArray();
            }
        }
        assertEquals(losses[0], losses[1]);
        assertArrayEquals(weights[0], weights[1]);
    }
}
