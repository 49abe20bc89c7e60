package org.qqt.figure5;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.qqt.io.Hashes;

/** The hashes a step's input fingerprint is made of: SHA-256 of a file, and a short SHA-256 of a text. */
final class Fingerprints {
    private Fingerprints() {}

    /** SHA-256 of a file, or "none" when it does not exist. */
    static String sha256OrNone(Path file) {
        return Files.isRegularFile(file) ? Hashes.sha256(file) : "none";
    }

    /** The first 16 hex digits of the SHA-256 of {@code text}. */
    static String hash(String text) {
        return HexFormat.of().formatHex(digest().digest(text.getBytes(StandardCharsets.UTF_8))).substring(0, 16);
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
