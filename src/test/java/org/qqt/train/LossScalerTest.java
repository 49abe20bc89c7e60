package org.qqt.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.qqt.io.BadInputException;
import org.qqt.io.Json;

class LossScalerTest {
    @Test
    void anOverflowSkipsTheStepAndHalvesTheScale() {
        LossScaler s = new LossScaler(1024, 2, 0.5, 3);
        assertTrue(s.update(true));
        assertFalse(s.update(false), "non-finite gradients: no update");
        assertEquals(512, s.scale());
        assertEquals(0, s.state().goodSteps(), "an overflow restarts the growth count");
    }

    @Test
    void theScaleGrowsAfterIntervalFiniteStepsInARow() {
        LossScaler s = new LossScaler(1024, 2, 0.5, 3);
        s.update(true);
        s.update(true);
        assertEquals(1024, s.scale());
        s.update(true);
        assertEquals(2048, s.scale());
        s.update(true);
        s.update(false);
        s.update(true);
        s.update(true);
        assertEquals(1024, s.scale(), "the count restarted at the overflow: two good steps do not grow it");
    }

    @Test
    void theStateRoundTripsThroughJsonExactly() throws Exception {
        LossScaler a = new LossScaler(LossScaler.INITIAL_SCALE, 2, 0.5, 2000);
        for (int i = 0; i < 7; i++) {
            a.update(i != 3);
        }
        String json = Json.compact(a.state());
        LossScaler b = LossScaler.forPrecision(Precision.FP16);
        b.restore(Json.mapper().readValue(json, LossScaler.State.class));
        assertEquals(a.state(), b.state());
        for (int i = 0; i < 5000; i++) {
            boolean finite = i % 1700 != 0;
            assertEquals(a.update(finite), b.update(finite));
        }
        assertEquals(a.scale(), b.scale());
    }

    @Test
    void fp32AndBf16DoNotScale() {
        for (Precision p : new Precision[] {Precision.FP32, Precision.BF16}) {
            LossScaler s = LossScaler.forPrecision(p);
            assertEquals(1, s.scale());
            assertTrue(s.update(false), "a disabled scaler never skips (divergence is the trainer's business)");
            assertNull(s.state());
        }
        assertTrue(LossScaler.forPrecision(Precision.FP16).enabled());
    }

    @Test
    void precisionNamesParseAndOthersAreBadInput() {
        assertEquals(Precision.BF16, Precision.parse("bf16"));
        assertEquals("fp16", Precision.FP16.key());
        BadInputException e = assertThrows(BadInputException.class, () -> Precision.parse("int8"));
        assertTrue(e.getMessage().contains("--precision"));
    }
}
