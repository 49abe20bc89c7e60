package org.qqt.sweep;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Where the {@code qqt} launcher of this installation is: {@code bin/qqt} next to {@code target/}. */
public final class Launcher {
    private Launcher() {}

    /** {@code <root>/bin/qqt} when this code runs from {@code <root>/target/...}; else "qqt" (found on PATH). */
    public static Path find() {
        try {
            Path code = Path.of(Launcher.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            for (Path p = code; p != null; p = p.getParent()) {
                Path candidate = p.resolve("bin").resolve("qqt");
                if (Files.isExecutable(candidate)) {
                    return candidate.toAbsolutePath().normalize();
                }
            }
        } catch (URISyntaxException | SecurityException | NullPointerException e) {
            // fall through to PATH
        }
        return Path.of("qqt");
    }
}
