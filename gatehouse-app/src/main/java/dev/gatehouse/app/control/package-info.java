/**
 * The config flow of both modes, on one control thread: a {@code ResourceSource} (files here, informers in
 * gatehouse-kubernetes) -> {@code ResourceSet} -> translation -> compiled runtime snapshot -> one atomic swap ->
 * statuses to a {@code StatusSink}. A config that fails any step never replaces the serving one.
 */
package dev.gatehouse.app.control;
