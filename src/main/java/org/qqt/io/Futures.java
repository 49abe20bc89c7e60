package org.qqt.io;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/** Waiting for a worker's result: its own exception rethrown as is. */
public final class Futures {
    private Futures() {}

    /** The result of {@code f}; {@code what} names the work in the message when interrupted. */
    public static <T> T await(Future<T> f, String what) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while " + what, e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(e.getCause());
        }
    }
}
