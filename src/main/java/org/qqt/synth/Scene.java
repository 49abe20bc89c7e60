package org.qqt.synth;

import java.util.List;

/**
 * A scene: a background and 1..4 objects, drawn in list order. {@code same} marks a multi-object scene whose
 * objects share shape, colour, size and texture (captioned with a count, "two blue circles").
 */
record Scene(String background, List<SceneObject> objects, boolean same) {
    Scene {
        objects = List.copyOf(objects);
    }

    Scene moved(Rng rng, double maxShift) {
        List<SceneObject> moved = objects.stream()
                .map(o -> o.moved(rng.uniform(-maxShift, maxShift), rng.uniform(-maxShift, maxShift)))
                .toList();
        return new Scene(background, moved, same);
    }
}
