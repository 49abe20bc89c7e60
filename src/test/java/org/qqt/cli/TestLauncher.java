package org.qqt.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/** A launcher script that runs this test's classpath (the real qqt CLI) in a new JVM, like bin/qqt does. */
final class TestLauncher {
    private TestLauncher() {}

    /** Writes {@code dir/qqt} and returns it. */
    static Path write(Path dir) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String script = "#!/bin/sh\nexport DJL_OFFLINE=true\nexec " + quote(java)
                + " -Xmx1g -Djava.awt.headless=true -Dai.djl.offline=true --add-opens=java.base/java.nio=ALL-UNNAMED"
                + " -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "
                + quote(System.getProperty("java.class.path")) + " org.qqt.cli.Qqt \"$@\"\n";
        Path f = dir.resolve("qqt");
        Files.writeString(f, script);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rwxr-xr-x"));
        return f;
    }

    private static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }
}
