/**
 * SecurityPolicy {@code oidc}: the OpenID Connect login of browser routes (authorization code with PKCE), its
 * provider calls made off the event loop, and the encrypted cookies that carry the login and the session.
 */
package dev.gatehouse.routing.auth.oidc;
