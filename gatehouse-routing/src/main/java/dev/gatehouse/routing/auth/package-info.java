/**
 * SecurityPolicy enforcement: authentication (API keys, htpasswd basic auth, JWTs), the request's consumer, and
 * authorization rules, compiled once per snapshot into hash lookups and run as the first filters of a route.
 */
package dev.gatehouse.routing.auth;
