package org.qqt.sweep;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.nio.file.Path;
import java.util.List;
import org.qqt.io.BadInputException;

/**
 * The executor sections of a sweep config: {@code local} and {@code slurm}. Keys left out take the command line's
 * options, else the executor's defaults ({@link LocalExecutor#of}, {@link SlurmOptions}).
 */
public final class ExecutorConfig {
    private ExecutorConfig() {}

    /**
     * Local executor: {@code workers} runs side by side, each given {@code threads} threads (0 = cores / workers);
     * either left out = the measured default split ({@link LocalSplit}).
     */
    public record Local(Integer workers, Integer threads) {
        void validate(Path file) {
            if ((workers != null && workers < 1) || (threads != null && threads < 0)) {
                throw BadInputException.inFile(file, "local.workers must be >= 1 and local.threads >= 0 (0 = cores / "
                        + "workers)");
            }
        }
    }

    /** Slurm executor: options of the generated {@code sbatch --array} script. */
    public record Slurm(String partition, Integer gpus, String time, String account,
                        @JsonProperty("cpus_per_task") Integer cpusPerTask, String mem,
                        @JsonProperty("max_parallel") Integer maxParallel, List<String> extra) {
        /** {@code slurm}, or a section with every key left out. */
        static Slurm orDefault(Slurm slurm) {
            return slurm == null ? new Slurm(null, null, null, null, null, null, null, List.of()) : slurm;
        }
    }
}
