/** Built-in echo backends for {@code gatehouse demo} and {@code gatehouse echo}: they answer what they saw, as JSON. */
package dev.gatehouse.app.demo;
