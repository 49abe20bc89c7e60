package org.qqt.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Test;

class LocalSplitTest {
    private static final BooleanSupplier NO_GPU = () -> false;
    private static final BooleanSupplier GPU = () -> true;
    private static final BooleanSupplier NOT_ASKED = () -> {
        throw new AssertionError("the GPU check must not run when workers or threads are given");
    };
    private static final LongSupplier TINY = () -> 206_913L;
    private static final LongSupplier NO_PARAMS = () -> {
        throw new AssertionError("the model must not be loaded here");
    };

    @Test
    void smallModelOnCpuGetsOneSingleThreadWorkerPerCore() {
        assertEquals(new LocalSplit(2, 1), LocalSplit.resolve(null, null, 2, NO_GPU, TINY).split());
        assertEquals(new LocalSplit(16, 1), LocalSplit.resolve(null, null, 16, NO_GPU, TINY).split());
        assertEquals(new LocalSplit(16, 1), LocalSplit.resolve(null, null, 16, NO_GPU,
                () -> LocalSplit.SMALL_MODEL_PARAMETERS).split());
    }

    @Test
    void modelAboveTheThresholdOnCpuGetsOneWorkerWithEveryCore() {
        assertEquals(new LocalSplit(1, 16), LocalSplit.resolve(null, null, 16, NO_GPU,
                () -> LocalSplit.SMALL_MODEL_PARAMETERS + 1).split());
    }

    @Test
    void unknownModelSizeOnCpuKeepsOneWorkerWithEveryCore(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        long p = LocalSplit.parametersOf(dir.resolve("missing.json"));
        assertEquals(-1, p);
        assertEquals(new LocalSplit(1, 2), LocalSplit.resolve(null, null, 2, NO_GPU, () -> p).split());
        assertEquals(289_537L, LocalSplit.parametersOf(java.nio.file.Path.of("models/tiny.json")));
    }

    @Test
    void visibleGpuMeansOneWorkerWithoutLoadingTheModel() {
        LocalSplit.Choice c = LocalSplit.resolve(null, null, 16, GPU, NO_PARAMS);
        assertEquals(new LocalSplit(1, 16), c.split());
        assertEquals(true, c.reason().contains("CUDA"), c.reason());
    }

    @Test
    void explicitWorkersOrThreadsKeepTheirOldMeaning() {
        assertEquals(new LocalSplit(1, 2), LocalSplit.resolve(1, null, 2, NOT_ASKED, NO_PARAMS).split());
        assertEquals(new LocalSplit(1, 2), LocalSplit.resolve(1, 0, 2, NOT_ASKED, NO_PARAMS).split());
        assertEquals(new LocalSplit(4, 4), LocalSplit.resolve(4, null, 16, NOT_ASKED, NO_PARAMS).split());
        assertEquals(new LocalSplit(1, 3), LocalSplit.resolve(null, 3, 16, NOT_ASKED, NO_PARAMS).split());
        assertEquals(new LocalSplit(3, 1), LocalSplit.resolve(3, 0, 2, NOT_ASKED, NO_PARAMS).split());
        assertEquals("given", LocalSplit.resolve(2, 1, 2, NOT_ASKED, NO_PARAMS).reason());
    }

    @Test
    void zeroCoresIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> LocalSplit.resolve(null, null, 0, NO_GPU, TINY));
    }
}
