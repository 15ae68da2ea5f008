package dev.gatehouse.ir;

import java.time.Duration;
import java.util.List;

/**
 * An external authorization check over HTTP, as the data plane enforces it: the SecurityPolicy {@code extAuth}
 * field (Envoy Gateway's {@code http} service) or an HTTPRoute rule's {@code ExternalAuth} filter (GEP-1494,
 * protocol HTTP). Before the request goes on, its method, path and chosen headers (no body) are sent to the
 * service; a 2xx answer lets it through, anything else is the client's answer.
 *
 * @param source what configured it ("SecurityPolicy ns/name", "HTTPRoute ns/name ExternalAuth"), for explain and logs
 * @param backends the service's backendRefs, resolved; a ref that did not resolve has a {@code null} cluster
 * @param pathPrefix EG's {@code path} (GEP-1494's {@code http.path}): prepended to the client's path, or {@code null}
 * @param pathOverride EG's {@code pathOverride}: replaces the client's path (the query is kept), or {@code null}
 * @param headersToExtAuth client headers sent besides the ones always sent (Host, Authorization), lower case
 * @param headersToBackend headers of a 2xx answer copied onto the upstream request (overwriting), lower case
 * @param allResponseHeaders GEP-1494's empty {@code allowedResponseHeaders}: every header of the 2xx answer but
 *                           Host and the framing and hop-by-hop ones is copied; EG copies only {@code headersToBackend}
 * @param timeout how long the whole check may take (connect included): EG's default is 10 s
 * @param failOpen let the request through when the service cannot be asked (timeout, refused, broken answer)
 * @param statusOnError the answer's status when the check fails closed (EG's default 403)
 */
public record ExtAuthSpec(String source, List<Backend> backends, String pathPrefix, String pathOverride,
                          List<String> headersToExtAuth, List<String> headersToBackend, boolean allResponseHeaders,
                          Duration timeout, boolean failOpen, int statusOnError) {
    /** EG's and GEP-1494's implementations' default for {@code timeout}. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    /** EG's default for {@code statusOnError}, Envoy's ext_authz {@code status_on_error}. */
    public static final int DEFAULT_STATUS_ON_ERROR = 403;

    public ExtAuthSpec {
        backends = List.copyOf(backends);
        headersToExtAuth = List.copyOf(headersToExtAuth);
        headersToBackend = List.copyOf(headersToBackend);
    }

    /**
     * One backendRef of the service.
     *
     * @param cluster a {@link ClusterSpec} name, or {@code null} when the reference did not resolve
     * @param weight its share (EG's {@code weight}, default 1)
     * @param invalidReason why {@code cluster} is null, else {@code null}
     */
    public record Backend(String cluster, int weight, String invalidReason) { }
}
