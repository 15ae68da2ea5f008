package dev.gatehouse.app.admin;

import java.util.List;
import java.util.Map;

/**
 * One admin path. Runs on an admin thread; may read snapshots but must not block on the data plane.
 * {@code /metrics} plugs in through {@link AdminSettings#withEndpoint}.
 */
@FunctionalInterface
public interface AdminEndpoint {
    /**
     * @param query decoded query parameters (repeated names keep every value, in order)
     * @throws IllegalArgumentException for a malformed request: answered 400 with its message
     */
    AdminResponse handle(Map<String, List<String>> query) throws Exception;
}
