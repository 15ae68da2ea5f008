package dev.gatehouse.ir;

import java.time.Duration;

/**
 * HTTPRoute rule timeouts; {@code null} means "not set" (the gateway's defaults apply), zero means
 * "disabled" as the spec says.
 */
public record TimeoutSpec(Duration request, Duration backendRequest) {
    public static final TimeoutSpec NONE = new TimeoutSpec(null, null);
}
