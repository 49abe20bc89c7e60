package org.qqt.model;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.training.GradientCollector;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * Per-op against whole-block TorchScript, for {@code qqt bench train --block-routes}: forward + backward of one
 * transformer block (no mask) of shape (batch, tokens, width) as fp32 DJL ops, as DJL ops calling one TorchScript
 * op per linear map ({@link TorchScriptOps}, the training route), and as one TorchScript module for the whole
 * block ({@code torchscript/block.py}: the same math, LayerNorm/GELU/softmax fp32, linear maps in
 * {@code precision}). Routes alternate; each reports its fastest of {@code reps} passes.
 */
public final class BlockRouteBench {
    private BlockRouteBench() {}

    /** Fastest milliseconds per forward + backward of each route. */
    public record Result(double fp32Ms, double perOpMs, double wholeBlockMs) {}

    public static Result run(int batch, int tokens, int width, int heads, int mlpRatio, MatmulPrecision precision,
            int reps, Device device) {
        List<Model> models = new ArrayList<>();
        try (NDManager m = NDManager.newBaseManager(device);
             MatmulOps fp32 = MatmulOps.fp32();
             MatmulOps perOp = MatmulOps.torchScript(precision, device, false)) {
            Params p = new Params(m, 0);
            ResidualBlock ref = new ResidualBlock(p, "a.", width, heads, mlpRatio, false, 1, fp32);
            ResidualBlock ops = new ResidualBlock(new Params(m, 0), "a.", width, heads, mlpRatio, false, 1, perOp);
            String source = TorchScriptArchive.source("block.py", "DTYPE", Integer.toString(precision.torchType),
                    "HEADS", Integer.toString(heads));
            PtSymbolBlock block = TorchScriptOps.load(models, device,
                    "qqt_block_" + precision.name().toLowerCase(Locale.ROOT) + "_h" + heads, source);
            NDArray[] w = ref.weights();
            NDArray x = m.randomNormal(new Shape(batch, tokens, width));
            List<Function<NDArray, NDArray>> routes = List.of(
                    in -> ref.forward(in, null),
                    in -> ops.forward(in, null),
                    in -> {
                        NDArray[] args = new NDArray[w.length + 1];
                        args[0] = in;
                        System.arraycopy(w, 0, args, 1, w.length);
                        return TorchScriptOps.call(block, args);
                    });
            double[] best = {Double.MAX_VALUE, Double.MAX_VALUE, Double.MAX_VALUE};
            for (int r = 0; r < reps + 1; r++) {
                for (int i = 0; i < routes.size(); i++) {
                    long t0 = System.nanoTime();
                    try (NDManager step = m.newSubManager();
                         GradientCollector tape = Engine.getInstance().newGradientCollector()) {
                        NDArray in = x.duplicate();
                        in.attach(step);
                        in.setRequiresGradient(true);
                        tape.backward(routes.get(i).apply(in).sum());
                        in.getGradient().getFloat(0, 0, 0);
                    }
                    if (r > 0) { // the first round warms up
                        best[i] = Math.min(best[i], (System.nanoTime() - t0) / 1e6);
                    }
                }
            }
            return new Result(best[0], best[1], best[2]);
        } finally {
            models.forEach(Model::close);
        }
    }
}
