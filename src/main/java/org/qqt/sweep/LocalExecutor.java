package org.qqt.sweep;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BiConsumer;

/**
 * Runs a sweep's runs on this machine: {@code workers} runs side by side, each stage given {@code threads}
 * threads ({@code OMP_NUM_THREADS} and the {threads} placeholder). Which split is fastest is measured with
 * {@code qqt bench split}; {@link LocalSplit#resolve} picks the default (docs/sweeps.md).
 */
public final class LocalExecutor {
    private final int workers;
    private final int threads;
    private final RunRunner runner;
    private final String reason;

    /** {@code threads} 0 means cores / workers (at least 1). */
    public LocalExecutor(int workers, int threads, RunRunner runner) {
        this(workers, threads, runner, null);
    }

    private LocalExecutor(int workers, int threads, RunRunner runner, String reason) {
        if (workers < 1 || threads < 0) {
            throw new IllegalArgumentException("workers >= 1, threads >= 0");
        }
        this.workers = workers;
        this.threads = threads > 0 ? threads : Math.max(1, Runtime.getRuntime().availableProcessors() / workers);
        this.runner = runner;
        this.reason = reason;
    }

    /**
     * Whether libtorch sees a CUDA device, the check {@code qqt train --device auto} makes (so a CPU-only libtorch
     * build on a GPU machine counts as no GPU, as it does for the runs). Loads the engine once in this JVM; an
     * engine that cannot load counts as no GPU (the runs then report the problem themselves).
     */
    public static boolean gpuVisible() {
        try {
            return ai.djl.engine.Engine.getInstance().getGpuCount() > 0;
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }

    /**
     * The local executor of sweep {@code c}: {@code workers}/{@code threads} from the command line (null = not
     * given), else the config's {@code local} section, else {@link LocalSplit}'s measured default. {@code base} is
     * where the config's relative paths resolve (as in {@link SweepPlan#of}); the model's size picks the default.
     */
    public static LocalExecutor of(SweepConfig c, java.nio.file.Path base, Integer workers, Integer threads,
                                   RunRunner runner) {
        ExecutorConfig.Local l = c.local() == null ? new ExecutorConfig.Local(null, null) : c.local();
        LocalSplit.Choice split = LocalSplit.resolve(workers != null ? workers : l.workers(),
                threads != null ? threads : l.threads(), Runtime.getRuntime().availableProcessors(),
                LocalExecutor::gpuVisible, () -> LocalSplit.parametersOf(base.resolve(c.model())));
        return new LocalExecutor(split.split().workers(), split.split().threads(), runner, split.reason());
    }

    /** e.g. "local: 2 worker(s) x 1 thread(s) (given)". */
    public String describe() {
        return String.format(java.util.Locale.ROOT, "local: %d worker(s) x %d thread(s)%s", workers, threads,
                reason == null ? "" : " (" + reason + ")");
    }

    /** {@link #run}, stopping every started run (they resume later) when the JVM is asked to exit meanwhile. */
    public Map<String, RunRunner.Outcome> runStoppable(SweepPlan plan, List<RunSpec> runs,
                                                       BiConsumer<RunSpec, RunRunner.Outcome> onFinish) {
        Thread hook = new Thread(runner::stopAll, "qqt-sweep-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            return run(plan, runs, onFinish);
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException ignored) {
                // shutting down already
            }
        }
    }

    public int workers() {
        return workers;
    }

    public int threads() {
        return threads;
    }

    /** Runs {@code runs} (each at most once); {@code onFinish} hears each run's outcome as it ends. */
    public Map<String, RunRunner.Outcome> run(SweepPlan plan, List<RunSpec> runs,
                                              BiConsumer<RunSpec, RunRunner.Outcome> onFinish) {
        ExecutorService pool = Executors.newFixedThreadPool(workers, r -> {
            Thread t = new Thread(r, "qqt-sweep-worker");
            t.setDaemon(true);
            return t;
        });
        Map<String, RunRunner.Outcome> out = new LinkedHashMap<>();
        try {
            List<Future<RunRunner.Outcome>> futures = new ArrayList<>();
            for (RunSpec r : runs) {
                futures.add(pool.submit(() -> {
                    RunRunner.Outcome o = runner.run(plan.runDir(r.id()), r, threads, Map.of());
                    onFinish.accept(r, o);
                    return o;
                }));
            }
            for (int i = 0; i < runs.size(); i++) {
                try {
                    out.put(runs.get(i).id(), futures.get(i).get());
                } catch (ExecutionException e) {
                    throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            runner.stopAll();
        } finally {
            pool.shutdownNow();
        }
        return out;
    }
}
