/**
 * Session persistence (the Gateway API {@code sessionPersistence} of an HTTPRoute rule): an authenticated, opaque
 * token in a cookie or header names the endpoint a client stays on. See {@link dev.gatehouse.routing.session.SessionAffinity}.
 */
package dev.gatehouse.routing.session;
