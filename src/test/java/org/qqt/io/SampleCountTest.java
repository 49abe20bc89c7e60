package org.qqt.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class SampleCountTest {
    @Test
    void acceptsTheWaysUsersWriteBudgets() {
        assertEquals(32e6, SampleCount.parse("32M"));
        assertEquals(1.6e6, SampleCount.parse("1.6M"));
        assertEquals(1.28e7, SampleCount.parse("1.28e7"));
        assertEquals(640_000_000, SampleCount.parse("640000000"));
        assertEquals(12_800, SampleCount.parse("12.8k"));
        assertEquals(2e9, SampleCount.parse("2B"));
        assertEquals(List.of(32e6, 64e6), SampleCount.parseList("32M, 64M"));
    }

    @Test
    void rejectsMalformedCountsWithOneLine() {
        for (String bad : new String[] {"32X", "", "-5M", "M", "1e400"}) {
            var e = assertThrows(BadInputException.class, () -> SampleCount.parse(bad), bad);
            assertEquals(1, e.getMessage().lines().count());
        }
    }

    @Test
    void formatsCompactly() {
        assertEquals("32M", SampleCount.format(32e6));
        assertEquals("1.6M", SampleCount.format(1.6e6));
        assertEquals("12.8k", SampleCount.format(12_800));
        assertEquals("640M", SampleCount.format(640e6));
    }
}
