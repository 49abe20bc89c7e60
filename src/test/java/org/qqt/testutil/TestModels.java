package org.qqt.testutil;

import java.nio.file.Path;
import org.qqt.model.ModelConfig;

/** The model configs the tests train and run. */
public final class TestModels {
    private TestModels() {}

    /** models/tiny.json: the smallest CLIP the project ships (seconds per step on a CPU). */
    public static final ModelConfig TINY = ModelConfig.load(Path.of("models/tiny.json"));
}
