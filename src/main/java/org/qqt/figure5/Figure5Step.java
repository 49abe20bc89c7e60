package org.qqt.figure5;

import java.nio.file.Path;
import java.util.List;

/**
 * One step of {@code qqt figure5}: its name, why it may be skipped (null: it must run), and its work. Every step is
 * idempotent: it reads the outputs of the steps before it and writes its own atomically.
 */
abstract class Figure5Step {
    private final String name;
    final Figure5Context ctx;

    Figure5Step(String name, Figure5Context ctx) {
        this.name = name;
        this.ctx = ctx;
    }

    final String name() {
        return name;
    }

    /** Why the step need not run now, or null. May throw BadInputException for outputs it must not overwrite. */
    abstract String skipReason();

    abstract void run();

    /**
     * A step skipped by the {@link StepLedger}: it ran with the same input fingerprint and its outputs exist.
     * A fingerprint of "pending" (its inputs are not there yet) never matches a finished one.
     */
    abstract static class Fingerprinted extends Figure5Step {
        final StepLedger ledger;
        private final List<String> outputs;

        /** {@code outputs}: the files the step writes, in the sweep directory (or override {@link #outputs()}). */
        Fingerprinted(String name, Figure5Context ctx, StepLedger ledger, String... outputs) {
            super(name, ctx);
            this.ledger = ledger;
            this.outputs = List.of(outputs);
        }

        /** A hash of every input the outputs depend on. */
        abstract String fingerprint();

        /** The files the step writes. */
        List<Path> outputs() {
            return outputs.stream().map(ctx::file).toList();
        }

        @Override
        String skipReason() {
            return ledger.skipReason(name(), fingerprint(), outputs());
        }
    }
}
