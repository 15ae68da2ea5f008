/**
 * The picocli commands: run, validate, explain, doctor, demo, echo; and the wiring of a running gateway
 * ({@code GatewayRuntime}: data plane, health checks, control loop, admin API with {@code RegistryHealthView}).
 */
package dev.gatehouse.app.cli;
