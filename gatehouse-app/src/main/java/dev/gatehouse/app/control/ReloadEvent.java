package dev.gatehouse.app.control;

import java.time.Instant;
import java.util.List;

/**
 * One attempt to load the config, as the admin API reports it.
 *
 * @param generation the generation served after the attempt
 * @param applied whether this attempt replaced the serving config
 * @param errors what kept it out (empty when applied)
 */
public record ReloadEvent(Instant at, long generation, boolean applied, List<String> errors) {
    public ReloadEvent {
        errors = List.copyOf(errors);
    }
}
