/**
 * The Netty data plane. It sees only the IR ({@link dev.gatehouse.ir}) compiled into a
 * {@link dev.gatehouse.routing.runtime.RuntimeSnapshot}; it never sees fabric8.
 */
package dev.gatehouse.proxy;
