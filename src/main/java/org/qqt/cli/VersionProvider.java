package org.qqt.cli;

import picocli.CommandLine;

/** Version of qqt and of the stack it runs on. */
final class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
        String v = Qqt.class.getPackage().getImplementationVersion();
        return new String[] {
                "qqt " + (v == null ? "(development build)" : v),
                "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ")",
                "DJL 0.33.0, PyTorch 2.5.1 (engine loaded only by train/eval/score)",
        };
    }
}
