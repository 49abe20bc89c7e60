package org.qqt.figure5;

/**
 * One step of {@code qqt figure5}: its name, why it may be skipped (null: it must run), and its work. Every step is
 * idempotent: it reads the outputs of the steps before it and writes its own atomically.
 */
interface Figure5Step {
    String name();

    /** Why the step need not run now, or null. May throw BadInputException for outputs it must not overwrite. */
    String skipReason();

    void run();

    /**
     * A step skipped by the {@link StepLedger}: it ran with the same input fingerprint and its outputs exist.
     * A fingerprint of "pending" (its inputs are not there yet) never matches a finished one.
     */
    abstract class Fingerprinted implements Figure5Step {
        private final StepLedger ledger;

        Fingerprinted(StepLedger ledger) {
            this.ledger = ledger;
        }

        /** A hash of every input the outputs depend on. */
        abstract String fingerprint();

        /** The files the step writes. */
        abstract java.util.List<java.nio.file.Path> outputs();

        @Override
        public String skipReason() {
            return ledger.skipReason(name(), fingerprint(), outputs());
        }
    }
}
