package org.qqt.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Guard: DJL 0.33's NDArray aborts the JVM (no exception, the process dies) when asked for bf16 ({@code toType},
 * {@code create}, {@code zeros} with {@code DataType.BFLOAT16}). bf16 lives only inside the TorchScript ops; no
 * main source may name DJL's bf16 type, so no such call can be reached.
 */
class NoDjlBf16Test {
    @Test
    void noMainSourceNamesDjlsBf16Type() throws IOException {
        List<String> offenders;
        try (Stream<Path> files = Files.walk(Path.of("src/main/java"))) {
            offenders = files.filter(f -> f.toString().endsWith(".java")).filter(f -> {
                try {
                    return Files.readString(f).contains("BFLOAT16");
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).map(Path::toString).toList();
        }
        assertEquals(List.of(), offenders, "DataType.BFLOAT16 aborts the JVM through DJL; keep bf16 inside "
                + "TorchScript (model/TorchScriptOps)");
    }
}
