package org.qqt.sweep;

import java.util.List;

/**
 * Options of the generated {@code sbatch --array} script; null = not set (Slurm's default).
 *
 * @param gpus        {@code --gres=gpu:N}
 * @param maxParallel the {@code %P} of {@code --array=0-(N-1)%P}: at most P runs at once
 * @param extra       lines written verbatim after the generated {@code #SBATCH} lines (a line starting with
 *                    {@code --} gets a {@code #SBATCH } prefix)
 */
public record SlurmOptions(String partition, Integer gpus, String time, String account, Integer cpusPerTask,
                           String mem, Integer maxParallel, List<String> extra) {

    public static SlurmOptions of(SweepConfig.Slurm s) {
        return new SlurmOptions(s.partition(), s.gpus(), s.time(), s.account(), s.cpusPerTask(), s.mem(),
                s.maxParallel(), s.extra() == null ? List.of() : s.extra());
    }
}
