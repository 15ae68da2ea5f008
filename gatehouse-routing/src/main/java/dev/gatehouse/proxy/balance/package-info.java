/** Clusters of endpoints and the balancers that pick among them; state kept per event loop where it changes. */
package dev.gatehouse.proxy.balance;
