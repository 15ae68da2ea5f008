/**
 * Pure translation of Gateway API resources (fabric8 model objects) into the IR {@link dev.gatehouse.ir.Snapshot}
 * plus every resource's status conditions. No I/O, no clock, no Netty: same input, same output.
 */
package dev.gatehouse.translate;
