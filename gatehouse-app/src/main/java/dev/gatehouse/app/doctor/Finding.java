package dev.gatehouse.app.doctor;

import java.util.Locale;

/**
 * One mistake and its fix.
 *
 * @param check which check found it, e.g. "unattached-route" (stable: scripts may grep for it)
 * @param resource "Kind namespace/name", the resource to change
 * @param what what is wrong and what it causes
 * @param fix what to change
 */
public record Finding(Severity severity, String check, String resource, String what, String fix) {
    /** ERROR: traffic is, or soon will be, failing; WARNING: probably not what was meant. */
    public enum Severity { ERROR, WARNING }

    /** {@code error: HTTPRoute default/shop: what  ->  fix} */
    public String describe() {
        return severity.name().toLowerCase(Locale.ROOT) + ": " + resource + ": " + what + "  ->  " + fix;
    }
}
