package org.qqt.scaling;

/**
 * What {@link Fitter#fit} returns: the params (with {@link FitReport} and bootstrap draws, as written to
 * params.json), the best grid point before refinement, and how long each phase took (not written to the file,
 * so that two fits of the same input give identical files).
 *
 * @param params the fitted parameters
 * @param grid the best grid point (no report)
 * @param gridRows (d, a, pool, b, τ) cells evaluated, each over all points of its pool
 * @param gridSeconds wall time of the grid (tables included)
 * @param refineSeconds wall time of Levenberg–Marquardt
 * @param bootstrapSeconds wall time of the bootstrap refits
 */
public record FitResult(ScalingParams params, ScalingParams grid, long gridRows, double gridSeconds,
                        double refineSeconds, double bootstrapSeconds) {}
