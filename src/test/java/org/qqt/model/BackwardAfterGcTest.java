package org.qqt.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;
import org.qqt.data.Batch;
import org.qqt.train.ContrastiveLoss;

/**
 * The backward pass must not depend on the Java garbage collector. Arrays that autograd saves for backward
 * must own their memory in libtorch: a scalar made by DJL's {@code mul(Number)} aliases a direct ByteBuffer that
 * nothing keeps alive (see {@link Scalars}), so a GC between forward and backward handed its memory to the next
 * allocation and the gradients came out wrong or NaN (runs of one command differed, or stopped with a NaN
 * gradient norm at a random step). These tests force that GC, refill freed small native blocks with NaN, and
 * require the gradients to be bitwise those of an undisturbed backward pass.
 */
class BackwardAfterGcTest {
    private static final String[] WATCHED = {"visual.conv1.weight", "visual.transformer.resblocks.0.attn.in_proj_weight",
        "visual.proj", "transformer.resblocks.0.attn.in_proj_weight", "token_embedding.weight", "text_projection",
        "logit_scale"};

    /**
     * The fix itself, without waiting for a GC: an array made by DJL's {@code create(number)} lives in a Java direct
     * buffer that only the array keeps alive (the hazard once autograd saves it), while {@link Scalars#of} makes
     * one whose memory libtorch owns. The GC tests below can pass by luck (no GC, or the freed block not reused);
     * this one cannot: it fails as soon as Scalars.of wraps a Java buffer again.
     */
    @Test
    void scalarsSavedForBackwardOwnTheirMemoryInLibtorch() throws ReflectiveOperationException {
        Field dataRef = PtNDArray.class.getDeclaredField("dataRef");
        dataRef.setAccessible(true);
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            assertNotNull(dataRef.get(m.create(2f)), "DJL's create(number) aliases a Java buffer (the hazard)");
            NDArray scalar = Scalars.of(m, 2f);
            assertNull(dataRef.get(scalar), "Scalars.of must not alias a Java buffer");
            assertEquals(2f, scalar.getFloat());
        }
    }

    @Test
    void gcBetweenForwardAndBackwardLeavesFullLossGradientsBitwiseEqual() {
        assertGcDoesNotChangeGradients((f, step) -> ContrastiveLoss.full(f.image(), f.text(), f.scale()));
    }

    @Test
    void gcBetweenForwardAndBackwardLeavesBlockwiseLossGradientsBitwiseEqual() {
        assertGcDoesNotChangeGradients((f, step) -> ContrastiveLoss.blockwise(f.image(), f.text(), f.scale(), 3));
    }

    private static void assertGcDoesNotChangeGradients(
            BiFunction<Clip.Features, NDManager, ContrastiveLoss.Result> lossFn) {
        Batch batch = ClipTest.batch(8, 3);
        try (Clip clip = new Clip(ClipTest.TINY, Device.cpu(), 0)) {
            Map<String, float[]> quiet = gradients(clip, batch, lossFn, false);
            Map<String, float[]> disturbed = gradients(clip, batch, lossFn, true);
            assertEquals(quiet.keySet(), disturbed.keySet());
            for (String name : quiet.keySet()) {
                assertArrayEquals(quiet.get(name), disturbed.get(name), name + ": gradient changed by a GC");
            }
        }
    }

    private static Map<String, float[]> gradients(Clip clip, Batch batch,
            BiFunction<Clip.Features, NDManager, ContrastiveLoss.Result> lossFn, boolean disturb) {
        try (NDManager step = clip.manager().newSubManager();
             GradientCollector tape = Engine.getInstance().newGradientCollector()) {
            ContrastiveLoss.Result r = lossFn.apply(ClipTest.forward(clip, batch, step), step);
            List<ByteBuffer> keep = disturb ? reuseFreedNativeMemory() : List.of();
            tape.backward(r.backwardTarget());
            keep.size(); // hold the NaN-filled blocks until backward is done
        }
        Map<String, float[]> out = new LinkedHashMap<>();
        for (String name : WATCHED) {
            NDArray p = clip.parameters().get(name);
            try (NDArray g = p.getGradient()) {
                out.put(name, g.toFloatArray());
            }
        }
        for (NDArray p : clip.parameters().values()) {
            JniUtils.zeroGrad((PtNDArray) p); // libtorch accumulates; the next pass starts from zero
        }
        return out;
    }

    /**
     * Lets the GC free every unreachable direct buffer, then takes small native blocks (where freed 4-byte
     * scalars went) and fills them with NaN.
     */
    private static List<ByteBuffer> reuseFreedNativeMemory() {
        List<ByteBuffer> keep = new ArrayList<>();
        for (int round = 0; round < 5; round++) {
            System.gc();
            try {
                Thread.sleep(20); // the Reference Handler thread frees collected buffers' native memory
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            for (int i = 0; i < 2000; i++) {
                for (int size : new int[] {4, 8, 16}) {
                    ByteBuffer b = ByteBuffer.allocateDirect(size).order(ByteOrder.nativeOrder());
                    while (b.remaining() >= 4) {
                        b.putFloat(Float.NaN);
                    }
                    keep.add(b);
                }
            }
        }
        return keep;
    }
}
