package org.qqt.io;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/** Facts benchmarks print next to their numbers: how busy the machine is and how much memory this process holds. */
public final class MachineStats {
    private MachineStats() {}

    /** The 1-minute load average (the machine may be shared), or NaN where the OS does not tell. */
    public static double loadAverage() {
        double l = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        return l < 0 ? Double.NaN : l;
    }

    /** Resident set size of this process in MiB (VmRSS), or -1 where /proc is unavailable. */
    public static long rssMiB() {
        return procStatusMiB("VmRSS:");
    }

    /** Peak resident set size of this process in MiB (VmHWM; includes native memory), or -1. */
    public static long peakRssMiB() {
        return procStatusMiB("VmHWM:");
    }

    private static long procStatusMiB(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(field)) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
