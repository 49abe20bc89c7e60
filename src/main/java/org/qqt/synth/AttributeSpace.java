package org.qqt.synth;

import java.math.BigInteger;

/**
 * The size of a world's attribute space.
 *
 * @param objects            distinct objects: (shape × colour − held-out pairs) × size × texture × grid cell
 * @param singleObjectScenes distinct one-object scenes: objects × background
 * @param scenes             distinct scenes of 1..4 objects on distinct grid cells (jitter and noise not counted):
 *                           background × Σ_n C(9, n) · (objects per cell)^n over the object counts with weight > 0
 */
public record AttributeSpace(long objects, long singleObjectScenes, BigInteger scenes) {
    /** log10 of {@link #scenes}, for reports. */
    public double log10Scenes() {
        return Math.log10(scenes.doubleValue());
    }
}
