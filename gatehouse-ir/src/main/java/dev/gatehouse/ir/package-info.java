/**
 * The intermediate representation: immutable records that the translator produces from Gateway API
 * resources and the data plane compiles into its runtime tables. Nothing here knows about Netty or
 * fabric8, so both sides can be tested on their own, and {@link dev.gatehouse.ir.SnapshotPrinter}
 * prints any of it deterministically for golden files and the admin {@code /config} endpoint.
 */
package dev.gatehouse.ir;
