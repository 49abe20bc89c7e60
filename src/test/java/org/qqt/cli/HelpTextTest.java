package org.qqt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class HelpTextTest {
    /** Every command's --help renders cleanly: picocli warns on stderr about an unescaped % in a description. */
    @Test
    void everyCommandsHelpRendersWithoutFormatWarnings() {
        List<String> paths = new ArrayList<>();
        collect(Qqt.commandLine(), new ArrayList<>(), paths);
        PrintStream oldErr = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            for (String path : paths) {
                List<String> args = new ArrayList<>(List.of(path.isEmpty() ? new String[0] : path.split(" ")));
                args.add("--help");
                var out = new java.io.StringWriter();
                CommandLine cl = Qqt.commandLine();
                cl.setOut(new java.io.PrintWriter(out));
                assertEquals(0, cl.execute(args.toArray(String[]::new)), path);
                assertFalse(out.toString().isBlank(), path);
            }
        } finally {
            System.setErr(oldErr);
        }
        String warnings = err.toString(StandardCharsets.UTF_8);
        assertFalse(warnings.contains("WARN"), warnings);
    }

    private static void collect(CommandLine cl, List<String> prefix, List<String> out) {
        out.add(String.join(" ", prefix));
        for (var e : cl.getSubcommands().entrySet()) {
            if (e.getValue().getCommandSpec().usageMessage().hidden() || e.getKey().equals("generate-completion")) {
                continue;
            }
            List<String> p = new ArrayList<>(prefix);
            p.add(e.getKey());
            collect(e.getValue(), p, out);
        }
    }
}
