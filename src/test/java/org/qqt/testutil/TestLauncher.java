package org.qqt.testutil;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/** A qqt launcher script that runs the test classpath (the real qqt CLI), as bin/qqt runs the built jar. */
public final class TestLauncher {
    private TestLauncher() {}

    /** Writes {@code dir/qqt} and returns it. */
    public static Path write(Path dir) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String script = "#!/bin/sh\nexport DJL_OFFLINE=true\nexec " + quote(java)
                + " -Xmx1g -Djava.awt.headless=true -Dai.djl.offline=true --add-opens=java.base/java.nio=ALL-UNNAMED"
                + " -Dorg.slf4j.simpleLogger.defaultLogLevel=warn"
                + " -Dorg.slf4j.simpleLogger.log.ai.djl.util.cuda.CudaUtils=error -cp "
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
