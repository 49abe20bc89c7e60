package org.qqt.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ScheduleTest {
    @Test
    void warmupIsLinearThenCosineDecaysToZero() {
        assertEquals(0.1, Schedule.lr(1.0, 0, 10, 110), 1e-12);
        assertEquals(1.0, Schedule.lr(1.0, 9, 10, 110), 1e-12);
        assertEquals(1.0, Schedule.lr(1.0, 10, 10, 110), 1e-12);
        assertEquals(0.5, Schedule.lr(1.0, 60, 10, 110), 1e-12);
        assertEquals(0.5 * (1 + Math.cos(Math.PI * 99 / 100)), Schedule.lr(1.0, 109, 10, 110), 1e-12);
    }

    @Test
    void stepsAreTheBudgetDividedByTheBatchRoundedUp() {
        assertEquals(782, Schedule.steps(200_000, 256));
        assertEquals(1, Schedule.steps(256, 256));
        assertEquals(2, Schedule.steps(257, 256));
        assertEquals(79, Schedule.defaultWarmup(782));
        assertEquals(500, Schedule.defaultWarmup(100_000));
    }
}
