package org.qqt.io;

/**
 * Input the user can fix: a missing or malformed file, a wrong option value, an impossible budget.
 * The message is one line that names the problem (and the file, where there is one) and the fix.
 * The CLI turns it into exit code 2; every stage throws it instead of printing.
 */
public class BadInputException extends RuntimeException {
    public BadInputException(String message) {
        super(message);
    }

    public BadInputException(String message, Throwable cause) {
        super(message, cause);
    }

    /** A problem in a named file: "path: what is wrong". */
    public static BadInputException inFile(java.nio.file.Path file, String problem) {
        return new BadInputException(file + ": " + problem);
    }
}
