/**
 * The gatehouse program: CLI ({@link dev.gatehouse.app.cli}), the control loop that turns config files into
 * served snapshots ({@link dev.gatehouse.app.control}), the admin endpoint and the built-in demo backends.
 */
package dev.gatehouse.app;
