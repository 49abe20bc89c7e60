package org.qqt.data;

/** An image that cannot be used: corrupt or truncated, over the pixel cap, or in a format no reader handles. */
public final class ImageDecodeException extends Exception {
    /** Why an image was rejected. */
    public enum Reason { CORRUPT, TOO_LARGE, UNSUPPORTED }

    private final Reason reason;

    public ImageDecodeException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public ImageDecodeException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
