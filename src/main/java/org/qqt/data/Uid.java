package org.qqt.data;

import org.qqt.io.BadInputException;

/**
 * A DataComp sample id: 128 bits written as 32 lowercase hex chars. In subset files (.npy, dtype u8,u8)
 * it is the pair (upper 64 bits, lower 64 bits), and ids sort as unsigned numbers.
 */
public record Uid(long hi, long lo) implements Comparable<Uid> {

    public static Uid parse(String hex) {
        if (hex == null || hex.length() != 32) {
            throw new BadInputException("bad uid '" + hex + "': expected 32 hex characters");
        }
        try {
            return new Uid(Long.parseUnsignedLong(hex.substring(0, 16), 16),
                    Long.parseUnsignedLong(hex.substring(16), 16));
        } catch (NumberFormatException e) {
            throw new BadInputException("bad uid '" + hex + "': expected 32 hex characters");
        }
    }

    public String hex() {
        return String.format("%016x%016x", hi, lo);
    }

    @Override
    public int compareTo(Uid o) {
        int c = Long.compareUnsigned(hi, o.hi);
        return c != 0 ? c : Long.compareUnsigned(lo, o.lo);
    }

    @Override
    public String toString() {
        return hex();
    }
}
