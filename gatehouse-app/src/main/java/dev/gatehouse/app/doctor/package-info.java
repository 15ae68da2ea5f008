/**
 * {@code gatehouse doctor}: the usual mistakes in a config (or a running gateway, through its admin API),
 * each as a {@link dev.gatehouse.app.doctor.Finding} that names the resource and says how to fix it. The checks
 * of {@link dev.gatehouse.app.doctor.ConfigDoctor} are pure functions of the resources and their translation.
 */
package dev.gatehouse.app.doctor;
