package org.qqt.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ProgressMeterTest {
    @Test
    void reportsAtMostOncePerIntervalUnlessForced() {
        ProgressMeter m = new ProgressMeter(1000, 0, 3600);
        assertNull(m.tick(10, false));
        String forced = m.tick(20, true);
        assertNotNull(forced);
        assertTrue(forced.contains("samples/s, ETA "), forced);
    }

    @Test
    void durationsReadAsMinutesOrHours() {
        assertEquals("0m05s", ProgressMeter.duration(5));
        assertEquals("3m07s", ProgressMeter.duration(187));
        assertEquals("1h05m", ProgressMeter.duration(3900));
        assertEquals("?", ProgressMeter.duration(Double.NaN));
    }
}
