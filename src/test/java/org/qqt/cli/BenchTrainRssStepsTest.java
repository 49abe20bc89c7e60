package org.qqt.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** {@code qqt bench train --rss-steps ""} means none, as its help says. */
class BenchTrainRssStepsTest {
    @Test
    void emptyMeansNoneAndAListIsParsed() {
        assertArrayEquals(new long[0], BenchTrainCommand.steps(""));
        assertArrayEquals(new long[] {100, 1000}, BenchTrainCommand.steps("100, 1000"));
        CliRun r = CliRun.qqt("bench", "train", "--rss-steps", "x");
        assertEquals(2, r.code(), r.err());
    }
}
