/** The compiled, immutable view of a snapshot that requests read, and the one place it is published. */
package dev.gatehouse.routing.runtime;
