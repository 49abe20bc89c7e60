package org.qqt.synth;

/**
 * One object of a scene. {@code cx}, {@code cy} (centre) and {@code scale} (side of the bounding box) are
 * fractions of the image side; {@code cell} is the 3x3 grid cell (row-major from the top left) the caption
 * names; {@code large} selects the size word; {@code rotation} is in degrees.
 */
record SceneObject(String shape, String colour, String texture, boolean large, int cell,
                   double cx, double cy, double scale, double rotation) {

    SceneObject moved(double dx, double dy) {
        return new SceneObject(shape, colour, texture, large, cell, cx + dx, cy + dy, scale, rotation);
    }

    SceneObject withTexture(String t) {
        return new SceneObject(shape, colour, t, large, cell, cx, cy, scale, rotation);
    }
}
