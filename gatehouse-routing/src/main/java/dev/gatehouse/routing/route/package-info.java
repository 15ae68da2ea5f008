/**
 * Request matching. {@link dev.gatehouse.routing.route.HostIndexedPortRouter} picks the listener of a port by
 * hostname (exact, longest wildcard, catch-all; never falling through to another listener), then the
 * listener's most specific virtual host, then the first {@link dev.gatehouse.routing.route.CompiledRoute}
 * of that host's precedence-ordered list whose path, method, header and query conditions hold. All
 * matchers, regexes (RE2 semantics, linear time: {@link dev.gatehouse.routing.route.RouteRegex}) and header names
 * are compiled with the snapshot.
 *
 * <p>Each matcher also says why it does not match, from the same code path it matches with (a failing
 * condition's index, turned into words only on request), and {@link dev.gatehouse.routing.route.HostIndexedPortRouter#trace}
 * gathers those reasons into a {@link dev.gatehouse.routing.route.MatchTrace} for explain; routing itself
 * allocates nothing for it.
 *
 * <p>{@link dev.gatehouse.routing.route.PathNormalizer} puts the request path in its one canonical form before
 * any of this (the frontend and explain both call it), so what is matched is what is forwarded and no spelling
 * of a path slips past a rule; {@link dev.gatehouse.routing.route.EncodedSlashPolicy} is its one setting.
 */
package dev.gatehouse.routing.route;
