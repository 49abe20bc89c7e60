package org.qqt.sweep;

import java.util.List;

/**
 * Options of the generated {@code sbatch --array} script; null = not set (Slurm's default).
 *
 * @param gpus        {@code --gres=gpu:N}
 * @param maxParallel the {@code %P} of {@code --array=0-(N-1)%P}: at most P runs at once
 * @param extra       extra lines, verbatim: a line starting with {@code --} becomes {@code #SBATCH --...}; it and
 *                    other {@code #} lines follow the generated directives; any other line (a command such as
 *                    {@code module load java/17}) goes after them, before the run starts
 */
public record SlurmOptions(String partition, Integer gpus, String time, String account, Integer cpusPerTask,
                           String mem, Integer maxParallel, List<String> extra) {

    public static SlurmOptions of(ExecutorConfig.Slurm s) {
        return new SlurmOptions(s.partition(), s.gpus(), s.time(), s.account(), s.cpusPerTask(), s.mem(),
                s.maxParallel(), s.extra() == null ? List.of() : s.extra());
    }
}
