package org.qqt.model;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValue;
import ai.djl.pytorch.jni.IValueUtils;
import java.util.ArrayList;
import java.util.List;

/**
 * A TorchScript module written from source at run time ({@link TorchScriptArchive}) and loaded through DJL's PyTorch
 * engine, whose methods are called with libtorch values ({@link IValue}: tensors, lists of tensors, numbers). For
 * code outside the model that needs libtorch ops DJL does not expose (the trainer's multi-tensor AdamW). Call methods
 * outside a gradient collector (no graph is recorded there). As with {@link TorchScriptOps}, no DJL array may ever
 * hold a bf16 tensor: a method's tensors cross this boundary as fp32 only.
 */
public final class TorchScriptModule implements AutoCloseable {
    private final List<Model> models = new ArrayList<>();
    private final PtSymbolBlock block;

    private TorchScriptModule(Device device, String name, String source) {
        try {
            block = TorchScriptOps.load(models, device, name, source);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** Loads the TorchScript source at resource {@code resource} of {@code owner}'s package as module {@code name}. */
    public static TorchScriptModule fromResource(Class<?> owner, String resource, String name, Device device) {
        return new TorchScriptModule(device, name, TorchScriptArchive.resource(owner, resource));
    }

    /** Runs method {@code method}; the caller closes the result. */
    public IValue call(String method, IValue... args) {
        return IValueUtils.runMethod(block, method, args);
    }

    @Override
    public void close() {
        models.forEach(Model::close);
        models.clear();
    }
}
