/**
 * The picocli commands: run, validate, explain, doctor, demo, echo; and the wiring of a running gateway
 * ({@code GatewayRuntime}: data plane, health checks, control loop, admin API with {@code RegistryHealthView};
 * the graceful stop on SIGTERM/SIGINT); {@code StartupFailure}: why it cannot start, in one line.
 */
package dev.gatehouse.app.cli;
