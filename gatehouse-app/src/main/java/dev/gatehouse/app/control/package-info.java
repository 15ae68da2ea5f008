/**
 * The config flow of standalone mode, on one control thread: files -> {@code ResourceSet} -> translation ->
 * compiled runtime snapshot -> one atomic swap. A config that fails any step never replaces the serving one.
 */
package dev.gatehouse.app.control;
