package dev.gatehouse.app.doctor;

/**
 * A route that names a Gateway in a parentRef but is not attached to it.
 *
 * @param route "Kind namespace/name"
 * @param gateway "namespace/name" of the Gateway it targets
 * @param parentRef the parentRef as written: "Gateway ns/name[/sectionName][:port]"
 * @param reason the Accepted condition's reason, e.g. "NoMatchingParent"
 * @param message the condition's message, completed with the Gateway's listener names when they help
 */
public record UnattachedRoute(String route, String gateway, String parentRef, String reason, String message) {
    /** One line, as explain prints it. */
    public String describe() {
        return route + " not attached to " + parentRef + ": " + reason + ": " + message;
    }
}
