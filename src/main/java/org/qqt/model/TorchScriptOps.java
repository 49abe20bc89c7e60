package org.qqt.model;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValueUtils;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Linear maps and attention in fp16 or bf16 (or fp32, to measure the route itself) as small TorchScript modules
 * that libtorch runs, loaded through DJL's PyTorch engine. Each module casts its fp32 inputs to the low
 * precision, runs {@code torch.linear} or the fused {@code torch.scaled_dot_product_attention}, and casts the
 * result back to fp32; autograd records the casts, so gradients reach the fp32 inputs (the master weights) in
 * fp32.
 *
 * <p>Why not DJL's own arrays: DJL 0.33's NDArray aborts the JVM on bf16 ({@code toType}, {@code create},
 * {@code zeros}: its JNI dtype switch has no bf16 case and ends in a bare {@code throw;}). Here no DJL array ever
 * holds a low-precision tensor: the casts happen inside libtorch, and every output is checked to be fp32 before
 * it is used. Softmax runs inside the fused kernel, which accumulates in fp32 on the CPU and on CUDA.
 *
 * <p>The modules' source is a resource ({@code torchscript/*.py}); each is written once per JVM as a TorchScript
 * archive ({@link TorchScriptArchive}) into a temporary directory that is deleted at exit.
 */
final class TorchScriptOps implements MatmulOps {
    private static Path dir;

    private final List<Model> models = new ArrayList<>();
    /** The TorchScript modules; null where the DJL ops below run instead. */
    private final PtSymbolBlock linear;
    private final PtSymbolBlock attention;
    private final PtSymbolBlock causalAttention;
    /** When not null, attention runs as these (hand-written fp32) ops instead of the fused TorchScript kernel. */
    private final MatmulOps attentionOps;
    /** When not null, linear maps run as these (fp32 DJL) ops instead of the TorchScript module. */
    private final MatmulOps linearOps;

    /** {@code fusedAttention} false: only the linear maps go through TorchScript; attention stays fp32 DJL ops. */
    TorchScriptOps(MatmulPrecision precision, Device device, boolean fusedAttention) {
        this(precision, device, fusedAttention, false);
    }

    /** {@code djlLinear}: the linear maps stay fp32 DJL ops (with fused attention: only attention goes through here). */
    TorchScriptOps(MatmulPrecision precision, Device device, boolean fusedAttention, boolean djlLinear) {
        attentionOps = fusedAttention ? null : new DjlOps();
        linearOps = djlLinear ? new DjlOps() : null;
        String t = Integer.toString(precision.torchType);
        String p = precision.name().toLowerCase(java.util.Locale.ROOT);
        // only the modules this instance calls are compiled (libtorch compiles each at load)
        linear = djlLinear ? null : load(device, "qqt_linear_" + p, TorchScriptArchive.source("linear.py", "DTYPE", t));
        attention = !fusedAttention ? null : load(device, "qqt_attention_" + p,
                TorchScriptArchive.source("attention.py", "DTYPE", t, "CAUSAL", "False"));
        causalAttention = !fusedAttention ? null : load(device, "qqt_causal_attention_" + p,
                TorchScriptArchive.source("attention.py", "DTYPE", t, "CAUSAL", "True"));
    }

    @Override
    public NDArray linear(NDArray x, NDArray w, NDArray b) {
        if (linearOps != null) {
            return linearOps.linear(x, w, b);
        }
        return call(linear, x, w, b);
    }

    @Override
    public NDArray attention(NDArray q, NDArray k, NDArray v, NDArray mask) {
        if (attentionOps != null) {
            return attentionOps.attention(q, k, v, mask);
        }
        return call(mask == null ? attention : causalAttention, q, k, v);
    }

    /** Runs {@code block} with autograd (when a gradient collector is open); the outputs are in x's manager. */
    static NDArray call(PtSymbolBlock block, NDArray... inputs) {
        NDArray y = IValueUtils.forward(block, new NDList(inputs), true).singletonOrThrow();
        if (y.getDataType() != DataType.FLOAT32) { // never hand DJL a low-precision array
            throw new IllegalStateException("TorchScript op returned " + y.getDataType() + ", expected float32");
        }
        return y;
    }

    private PtSymbolBlock load(Device device, String name, String source) {
        try {
            return load(models, device, name, source);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** Loads TorchScript {@code source} as module {@code name} on {@code device}; the model joins {@code owner}. */
    static PtSymbolBlock load(List<Model> owner, Device device, String name, String source) {
        Path file = archive(name, source);
        Model m = Model.newInstance(name, device, "PyTorch");
        owner.add(m);
        try {
            m.load(file.getParent(), name);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (MalformedModelException e) {
            throw new IllegalStateException("libtorch rejected TorchScript module " + name + ": " + e.getMessage(), e);
        }
        return (PtSymbolBlock) m.getBlock();
    }

    private static synchronized Path archive(String name, String source) {
        try {
            if (dir == null) {
                dir = Files.createTempDirectory("qqt-torchscript");
                dir.toFile().deleteOnExit();
            }
            Path file = dir.resolve(name + ".pt");
            if (!Files.exists(file)) {
                TorchScriptArchive.write(dir, name, source);
                file.toFile().deleteOnExit();
            }
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        models.forEach(Model::close);
        models.clear();
    }
}
