package org.qqt.eval;

/** A task that could not be evaluated, with the one-line reason (naming the file). */
public record TaskFailure(String key, String message) {}
